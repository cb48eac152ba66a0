"""A remark's gist (statements/text/gist.py): the first sentence whole, as the speaker said it."""

import pytest

from statements.text.gist import first_sentence, gist, shortened


@pytest.mark.parametrize("text, expected", [
    ("China supports the WHO. We will share vaccines.", "China supports the WHO."),
    ("The U.S. side should stop. It must.", "The U.S. side should stop."),
    ("Mr. Smith arrived on Jan. 5 in Beijing. He left.", "Mr. Smith arrived on Jan. 5 in Beijing."),
    ("Is that so? Yes.", "Is that so?"),
    ('He said "we disagree." Then he left.', 'He said "we disagree."'),
    ("No end here", "No end here"),
    ("  Spaced\n  out.  Next.", "Spaced out."),
    ("中方支持世卫组织。我们将分享疫苗。", "中方支持世卫组织。"),
    ("你说的“不是事实。”我们反对！", "你说的“不是事实。”"),
    ("中方坚决反对！美方应该停止。", "中方坚决反对！"),
    ("3.5 per cent growth is expected. More later.", "3.5 per cent growth is expected."),
])
def test_the_first_sentence_ends_where_the_sentence_does(text, expected):
    assert first_sentence(text) == expected


def test_a_long_sentence_is_cut_at_a_word_and_said_to_be_cut():
    text = "China " + "firmly opposes interference " * 10 + "in its internal affairs."
    cut = shortened(text, 60)
    assert len(cut) <= 60 and cut.endswith("…") and not cut[:-1].endswith(" ")
    assert text.startswith(cut[:-1])
    assert shortened("中" * 100, 10) == "中" * 9 + "…"
    assert shortened("Short.", 60) == "Short."
    assert shortened("One sentence. Another one follows here.", 20) == "One sentence. …"


def test_the_gist_is_the_chosen_passage_when_the_answer_holds_it():
    answer = "China supports the WHO.\nWe will share   vaccines."
    assert gist(answer, "We will share vaccines") == "We will share vaccines"
    assert gist(answer, "words never said") == "China supports the WHO."
    assert gist(answer) == "China supports the WHO."
