"""Which exchange of a transcript a news report's remark reports: shared words, not equal text.

A report quotes the spokesperson (the ministry's own English is what agencies quote) and
paraphrases the rest, cut down and reordered; so a reported answer is not equal to any answer of
the transcript, but most of its words are in one of them and far fewer in any other. The measure
is the share of the reported answer's distinct index tokens (stems; Chinese characters and
pairs: analysis.analyze) found in the candidate's, and a match must be clear on both counts.
"""

from .analysis import analyze

# Most of the report's words in the exchange, and clearly more than in any other: a report that
# sums up two exchanges, or one the transcript does not have, stays as it is.
MIN_SHARE = 0.6
MIN_LEAD = 0.15
# Words too common to say which exchange a remark reports.
COMMON = frozenset(analyze(
    "the a an and or of to in on at for with by from as is are was were be been has have had will would "
    "that this these those it its we our us they their he she his her said say says spokesperson china "
    "chinese side also not no all any more"
))


def words(text):
    return set(analyze(text)) - COMMON


def best_match(reported, candidates):
    """The index of the candidate the reported text reports, or None when no one is clear.
    `reported` and `candidates` are words() of the texts: a transcript's are counted once for
    all the report's remarks."""
    if not candidates or len(reported) < 5:
        return None
    scores = sorted(((len(reported & mine) / len(reported), index) for index, mine in enumerate(candidates)), reverse=True)
    best, index = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    return index if best >= MIN_SHARE and best - runner_up >= MIN_LEAD else None
