"""A realistic synthetic corpus for benchmarks, learnt from the real remarks in fixtures/demo.json.

Text comes from word-bigram Markov chains trained on real answers and questions (English words;
Chinese words as jieba segments them), so vocabulary, sentence shapes and the Zipf-like skew of
word frequencies are those of real briefings. Topics, entities, spokespersons and ministries are
drawn with skewed (Zipf) weights, dates over twenty years, both languages.
"""

import bisect
import itertools
import json
import random
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .text.analysis import CJK_RE

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
SENTENCE_END = {".", "?", "!", "。", "？", "！"}
START, END = "\x02", "\x03"
EN_TOKEN_RE = re.compile(r"[\w'’-]+|[.,;:?!()\"“”]")
OUTLETS = ["Reuters", "AFP", "Bloomberg", "CCTV", "China Daily", "Global Times", "Kyodo", "NHK",
           "AP", "Phoenix TV", "RIA Novosti", "Xinhua", "Yonhap", "EFE", "BBC"]


class MarkovText:
    """A bigram chain over words: each next word drawn by how often it follows the last one."""

    def __init__(self, sentences, joiner):
        followers = defaultdict(Counter)
        for words in sentences:
            for a, b in zip([START] + words, words + [END]):
                followers[a][b] += 1
        self.joiner = joiner
        self.table = {}
        for word, counter in followers.items():
            choices, weights = zip(*counter.items())
            self.table[word] = (choices, list(itertools.accumulate(weights)))

    def sentence(self, rng, max_words=60):
        words, word = [], START
        while len(words) < max_words:
            choices, cumulative = self.table[word]
            word = choices[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            if word == END:
                break
            words.append(word)
        return self.joiner(words)


def _join_english(words):
    text = " ".join(words)
    return re.sub(r" ([.,;:?!)”])", r"\1", text).replace("( ", "(").replace("“ ", "“")


def _split_sentences(text, chinese):
    pattern = r"(?<=[。？！])" if chinese else r"(?<=[.?!])\s+"
    return [s.strip() for s in re.split(pattern, text) if s.strip()]


def _words(sentence, chinese):
    if chinese:
        return [w for w in jieba_module().cut(sentence) if w.strip()]
    return EN_TOKEN_RE.findall(sentence)


@lru_cache(maxsize=1)
def jieba_module():
    """The Chinese segmenter: the chains learn words, not characters, as a writer writes them.
    (Search indexes characters: statements/text/analysis.py.)"""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


class Corpus:
    """The chains and length distributions, per language and field."""

    def __init__(self, source=SOURCE):
        fixture = json.loads(Path(source).read_text(encoding="utf-8"))
        remarks = [o["fields"] for o in fixture if o["model"] == "statements.remark"]
        self.models, self.lengths = {}, {}
        for language in ("en", "zh"):
            chinese = language == "zh"
            chosen = [r for r in remarks if bool(CJK_RE.search(r["answer"])) == chinese]
            for field in ("question", "answer"):
                texts = [r[field] for r in chosen if r[field]]
                sentences = [
                    _words(s, chinese) for text in texts for s in _split_sentences(text, chinese)
                ]
                joiner = "".join if chinese else _join_english
                self.models[language, field] = MarkovText([s for s in sentences if s], joiner)
                # Sentences per text, as in the real remarks: the shape of an answer.
                self.lengths[language, field] = [
                    len(_split_sentences(t, chinese)) for t in texts
                ]

    def text(self, rng, language, field):
        count = min(rng.choice(self.lengths[language, field]), 12)
        sentences = [self.models[language, field].sentence(rng) for _ in range(max(count, 1))]
        return ("" if language == "zh" else " ").join(sentences)


_corpus = None


def generate_chunk(args):
    """(question, answer, index payload) for each spec (language, has_question); runs in a
    worker process, so text generation and analysis use both cores."""
    seed, specs, payload = args
    global _corpus
    if _corpus is None:
        _corpus = Corpus()
    rng = random.Random(seed)
    rows = []
    for language, has_question in specs:
        question = _corpus.text(rng, language, "question") if has_question else ""
        answer = _corpus.text(rng, language, "answer")
        rows.append((question, answer, payload(question, answer)))
    return rows


def zipf_weights(n, exponent=1.1):
    return list(itertools.accumulate(1 / (rank ** exponent) for rank in range(1, n + 1)))


def zipf_pick(rng, items, cumulative):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
