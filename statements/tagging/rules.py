"""How a remark's words are found in the names of countries and organisations and in the terms
of topic rules. Pure text: nothing here reads the database.

A term is matched the way a reader would look for it:

- Chinese terms as written, anywhere (Chinese has no spaces): 日本 in 日本企业, 美方.
- A Latin term with a capital letter is a name and matches as written, word for word: "US" is
  not "us", "WHO" not "who", "Japan" in "Japan's"; a plural or a possessive of a name ending in
  a lower-case letter matches too (Pakistanis, Americans).
- A Latin term all in lower case is ordinary words and matches by their stems, in any case:
  "trade war" finds "Trade wars".

Among overlapping matches the leftmost longest wins and the shorter ones are not counted: that
is how "Indonesia" (印度尼西亚) is not also India (印度), "South Korea" not also "Korea", and how a
term that names nothing ("South China Sea" among the blocking terms, "National Security
Adviser" among a topic's exclusions) hides the shorter terms inside it.
"""

import re
from dataclasses import dataclass

from ..text.analysis import CJK_RE, WORD_RE, stem


def split_lines(text):
    """The terms of a field that holds one per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str  # the rule's term that matched, as the rule writes it
    key: object  # what the term names; None for a blocking term

    @property
    def length(self):
        return self.end - self.start


CJK_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


class Words:
    """A text read once for every rule: its Latin words (as written and stemmed) with offsets.
    Chinese is searched in the text itself."""

    def __init__(self, text):
        self.text = text
        self.spans, self.surface, self.stems = [], [], []
        # Where each word stands, as written, stemmed, and without a final "s": each matcher
        # looks only where one of its terms can begin.
        self.at_surface, self.at_stem, self.at_singular = {}, {}, {}
        for run in WORD_RE.finditer(text):
            position = run.start()
            for piece in CJK_SPLIT.split(run.group()):
                if piece and not CJK_RE.match(piece):
                    index = len(self.surface)
                    self.spans.append((position, position + len(piece)))
                    self.surface.append(piece)
                    self.stems.append(stem(piece.lower()))
                    self.at_surface.setdefault(piece, []).append(index)
                    self.at_stem.setdefault(self.stems[-1], []).append(index)
                    if piece.endswith("s"):
                        self.at_singular.setdefault(piece[:-1], []).append(index)
                position += len(piece)


def latin_words(term):
    return WORD_RE.findall(term)


def is_name(term):
    return any(character.isupper() for character in term)


class Segmenter:
    """Where Chinese words begin, by jieba's dictionary, asked only around a match: a name found
    inside another word is not that name (海地 in 南海地区, 美国 in 欧美国家, 法方 in 立法方面)."""

    WINDOW = 8
    _jieba = None

    @classmethod
    def starts_word(cls, text, index):
        if index == 0 or not CJK_RE.match(text[index - 1]):
            return True
        start = max(0, index - cls.WINDOW)
        position = start
        for word in cls._cut(text[start : index + cls.WINDOW]):
            if position == index:
                return True
            position += len(word)
            if position > index:
                return False
        return position == index

    @classmethod
    def _cut(cls, text):
        if cls._jieba is None:
            import jieba

            jieba.setLogLevel(60)
            cls._jieba = jieba
        return cls._jieba.cut(text)


class TermMatcher:
    """Many terms, each naming a key (an entity's id, a topic rule's "keyword"), found at once.
    With `whole_words`, a Chinese term counts only where a word begins (Segmenter)."""

    def __init__(self, terms, whole_words=False):
        """terms: (term, key) pairs; key None makes a blocking term."""
        self.whole_words = whole_words
        self.names, self.words, self.chinese = {}, {}, {}
        self.longest = 1
        for term, key in terms:
            term = term.strip()
            if not term:
                continue
            if CJK_RE.search(term):
                self.chinese.setdefault(term[0], {})[term] = (term, key)
                continue
            words = latin_words(term)
            if not words:
                continue
            self.longest = max(self.longest, len(words))
            if is_name(term):
                self.names[tuple(words)] = (term, key)
            else:
                self.words[tuple(stem(word.lower()) for word in words)] = (term, key)
        # Longest first, so the first term found at a position is the longest there.
        self.chinese = {
            first: sorted(terms.values(), key=lambda item: -len(item[0])) for first, terms in self.chinese.items()
        }
        # Where a term can begin: only there is it looked for.
        self.chinese_start = re.compile("[" + re.escape("".join(self.chinese)) + "]") if self.chinese else None
        self.first_names = {words[0] for words in self.names}
        self.first_stems = {stems[0] for stems in self.words}

    def candidates(self, words):
        text = words.text
        if self.chinese_start is not None:
            for found in self.chinese_start.finditer(text):
                index = found.start()
                for term, key in self.chinese[found.group()]:
                    if text.startswith(term, index):
                        if not self.whole_words or key is None or Segmenter.starts_word(text, index):
                            yield Match(index, index + len(term), term, key)
                        break
        count = len(words.surface)
        starts = set()
        for first in self.first_names & words.at_surface.keys():
            starts.update(words.at_surface[first])
        for first in self.first_stems & words.at_stem.keys():
            starts.update(words.at_stem[first])
        for first in self.first_names & words.at_singular.keys():
            starts.update(words.at_singular[first])
        for index in sorted(starts):
            for size in range(min(self.longest, count - index), 0, -1):
                found = self._latin_at(words, index, size)
                if found:
                    term, key = found
                    yield Match(words.spans[index][0], words.spans[index + size - 1][1], term, key)
                    break

    def _latin_at(self, words, index, size):
        surface = tuple(words.surface[index : index + size])
        found = self.names.get(surface)
        if found is None and surface[-1][-1:] == "s" and surface[-1][-2:-1].islower():
            found = self.names.get((*surface[:-1], surface[-1][:-1]))
        if found is None:
            found = self.words.get(tuple(words.stems[index : index + size]))
        return found

    def find(self, words):
        """The matches in the text, leftmost longest, none overlapping another."""
        chosen, end = [], -1
        for match in sorted(self.candidates(words), key=lambda m: (m.start, -m.length)):
            if match.start >= end:
                chosen.append(match)
                end = match.end
        return chosen


def keys_found(matches):
    return {match.key for match in matches if match.key is not None}


@dataclass(frozen=True)
class TopicDecision:
    tagged: bool
    question_matches: tuple
    answer_matches: tuple

    @property
    def terms(self):
        """The distinct terms that matched, in the order first seen."""
        return list(dict.fromkeys(m.term for m in (*self.question_matches, *self.answer_matches)))


KEYWORD, CONTEXT = "keyword", "context"


class TopicRule:
    """A topic's rule: its keywords, its exclusions (phrases whose words do not count, such as
    "National Security Adviser" for National security), its context words, and how strong a
    match must be. A keyword in the question tags the remark; in the answer alone, the answer
    must name the topic at least `answer_matches` times, or in its first sentence: a passing
    mention in a long answer about something else does not. A context word (a name that places
    an exchange near the topic without making it about it: DPRK for the Korean Peninsula) in
    the question tags the remark only when the answer holds a keyword too."""

    def __init__(self, keywords, exclusions=(), answer_matches=2, context=()):
        self.matcher = TermMatcher(
            [(term, KEYWORD) for term in keywords] + [(term, CONTEXT) for term in context] + [(term, None) for term in exclusions]
        )
        self.answer_matches = max(1, answer_matches)

    def decide(self, question_words, answer_words):
        in_question = tuple(m for m in self.matcher.find(question_words) if m.key is not None)
        in_answer = tuple(m for m in self.matcher.find(answer_words) if m.key == KEYWORD)
        first_sentence_end = first_sentence_length(answer_words.text)
        tagged = (
            any(m.key == KEYWORD for m in in_question)
            or len(in_answer) >= self.answer_matches
            or any(m.start < first_sentence_end for m in in_answer)
            or bool(in_question and in_answer)
        )
        return TopicDecision(tagged, in_question, in_answer)


SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$|[\"”’」』])|[。！？]")


def first_sentence_length(text):
    found = SENTENCE_END.search(text)
    return found.end() if found else len(text)


# What may follow two one-character names for them to name two countries: 中美关系, 朝美领导人
# 会晤, 印巴双方, 中法贸易 (and not 中美洲, 中日益).
PAIRED_WITH = re.compile(
    r"双方|两国|关系|领导人|元首|首脑|峰会|会晤|会谈|之间|间|三国|三方|四国|对话|合作|经贸|贸易|战略|双边|"
    r"同盟|联盟|军演|联合|谈判|磋商|外长|防长|建交|友好|边境|摩擦|冲突|争端|协议|协定|声明|高层|交往|人文|"
    r"外交|共同|航线|友谊|伙伴"
)


class ChineseAbbreviations:
    """Countries named by one character each, as Chinese names them together: a pair followed by
    what pairs them (中美关系, 印巴双方), three or more in a row (中日韩), or three or more listed
    with 、 (伊、中、俄、法、德、英). A run is read from where a word begins (参加中美对话: 中美)."""

    def __init__(self, characters):
        """characters: {character: key}."""
        self.characters = characters
        self.run = re.compile("[" + re.escape("".join(characters)) + "]{2,}") if characters else None
        self.listed = (
            re.compile("(?:[" + re.escape("".join(characters)) + "]、){2,}[" + re.escape("".join(characters)) + "]")
            if characters
            else None
        )

    def find(self, words):
        if self.run is None:
            return []
        text, matches = words.text, []
        for found in self.run.finditer(text):
            start, end = found.start(), found.end()
            while start < end - 1 and not Segmenter.starts_word(text, start):
                start += 1
            if end - start >= 3 or (end - start == 2 and PAIRED_WITH.match(text, end)):
                matches.extend(Match(i, i + 1, text[i], self.characters[text[i]]) for i in range(start, end))
        for found in self.listed.finditer(text):
            matches.extend(
                Match(i, i + 1, text[i], self.characters[text[i]]) for i in range(found.start(), found.end(), 2)
            )
        return matches
