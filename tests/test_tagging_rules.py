"""How tagging's rules read text (statements/tagging/rules.py): pure text, no database."""

import pytest

from statements.tagging.rules import ChineseAbbreviations, TermMatcher, TopicRule, Words


def keys(matcher, text):
    return [match.key for match in matcher.find(Words(text)) if match.key is not None]


NAMES = TermMatcher(
    [
        ("US", "US"),
        ("U.S.", "US"),
        ("American", "US"),
        ("美国", "US"),
        ("美方", "US"),
        ("India", "IN"),
        ("印度", "IN"),
        ("Indonesia", "ID"),
        ("印度尼西亚", "ID"),
        ("Korea", "?"),
        ("South Korea", "KR"),
        ("Pakistani", "PK"),
        ("World Health Organization", "WHO"),
        ("WHO", "WHO"),
        ("Haiti", "HT"),
        ("海地", "HT"),
        ("法方", "FR"),
        ("South China Sea", None),
        ("Korean Peninsula", None),
        ("Latin American", None),
    ],
    whole_words=True,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The US side and the U.S. Congress", ["US", "US"]),
        ("Let us know who said it", []),  # names match as written: "us", "who" are words
        ("The WHO and the World Health Organization", ["WHO", "WHO"]),
        ("American and Latin American countries", ["US"]),  # the longer phrase names no country
        ("Indonesia is not India", ["ID", "IN"]),
        ("印度尼西亚和印度", ["ID", "IN"]),  # the longest match wins: 印度尼西亚 is not also 印度
        ("South Korea", ["KR"]),
        ("three Pakistanis and the U.S.'s", ["PK", "US"]),  # plurals and possessives of names
        ("in the South China Sea and on the Korean Peninsula", []),
        ("美方和美国企业", ["US", "US"]),  # Chinese inside compounds (美国企业)
        ("当前南海地区形势", []),  # 海地 inside 南海/地区 is not Haiti
        ("欧美国家", []),  # 美国 inside 欧美/国家 is not the US
        ("立法方面", []),  # 法方 inside 立法/方面 is not France
    ],
)
def test_names_match_as_a_reader_finds_them(text, expected):
    assert keys(NAMES, text) == expected


ABBREVIATIONS = ChineseAbbreviations({"中": "CN", "美": "US", "朝": "KP", "韩": "KR", "日": "JP", "俄": "RU", "法": "FR", "加": "CA"})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("中美关系", {"CN", "US"}),
        ("朝美领导人会晤", {"KP", "US"}),
        ("中日韩三国", {"CN", "JP", "KR"}),  # three in a row need nothing after them
        ("伊、中、俄、法将于", {"CN", "RU", "FR"}),  # listed with 、
        ("参加中美对话", {"CN", "US"}),  # read from where the word begins: not 加 (Canada)
        ("中美洲国家", set()),  # Central America: nothing pairs them
        ("在会议中加强合作", set()),  # 中 and 加 side by side, not a pair of countries
        ("节日中日益增多", set()),
    ],
)
def test_one_character_names_count_only_as_pairs_runs_and_lists(text, expected):
    assert {m.key for m in ABBREVIATIONS.find(Words(text))} == expected


def test_ordinary_words_match_in_any_form_and_case():
    matcher = TermMatcher([("trade war", "T"), ("denuclearization", "K")])
    assert keys(matcher, "Trade wars hurt everyone; denuclearization of the Peninsula") == ["T", "K"]


TAIWAN = TopicRule(["Taiwan", "台湾", "one-China principle"], exclusions=["Chinese Taipei"], answer_matches=2)


def decide(rule, question, answer):
    return rule.decide(Words(question), Words(answer)).tagged


def test_a_keyword_in_the_question_tags_the_remark():
    assert decide(TAIWAN, "What about Taiwan?", "We have noted the reports.")


def test_one_passing_mention_late_in_a_long_answer_does_not():
    answer = "China and Japan are neighbours. Our relations have improved this year. " * 3 + "Taiwan was discussed."
    assert not decide(TAIWAN, "How are China-Japan relations?", answer)


def test_a_mention_in_the_first_sentence_or_a_second_mention_does():
    assert decide(TAIWAN, "Any comment?", "Taiwan is part of China. We oppose any official contact.")
    assert decide(TAIWAN, "Any comment?", "We oppose it. The one-China principle is clear. So is Taiwan's status.")
    assert decide(TAIWAN, "有何评论？", "我们注意到有关报道。台湾是中国的一部分，一个中国原则不容挑战，台湾问题事关核心利益。")


def test_an_exclusion_hides_the_keyword_inside_it():
    assert not decide(TAIWAN, "Will Chinese Taipei compete at the games?", "No comment.")


def test_a_topic_rule_counts_its_own_terms_only_once_where_they_overlap():
    rule = TopicRule(["national security"], exclusions=["National Security Adviser"], answer_matches=1)
    assert not decide(rule, "National Security Adviser Bolton said so.", "We have no comment.")
    assert decide(rule, "Is this about national security?", "No.")


PENINSULA = TopicRule(
    ["Korean Peninsula", "denuclearization", "DPRK-US summit", "朝鲜半岛", "无核化"],
    answer_matches=2,
    context=["DPRK", "North Korea", "朝鲜"],
)


def test_a_context_word_in_the_question_tags_only_with_a_keyword_in_the_answer():
    # A name alone places the exchange near the topic: a border meeting is not about it.
    assert not decide(PENINSULA, "Did the China-DPRK border committee meet?", "It met on Monday and discussed the border.")
    assert decide(PENINSULA, "What is your comment on the DPRK's launch?", "We hope for peace on the Korean Peninsula.")
    assert not decide(PENINSULA, "朝鲜外长访华期间双方谈了什么？", "双方就双边关系交换了意见。")
    assert decide(PENINSULA, "朝鲜外长访华期间双方谈了什么？", "双方就双边关系和朝鲜半岛形势交换了意见。")
    # In the answer a context word counts for nothing; a keyword in the question still suffices.
    assert not decide(PENINSULA, "Any comment?", "We noted it. The DPRK and North Korea, the DPRK again.")
    assert decide(PENINSULA, "Will the DPRK-US summit take place?", "We have no information.")
