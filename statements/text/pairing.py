"""Whether two briefings of one day are translations of each other, read from their structure.

A transcript and its translation have the same exchanges in the same order: the same outlets ask,
the same countries and organisations are named, the same figures are quoted. Each exchange is
reduced to a signature of what does not depend on the language (the asking outlet's id, the ids of
the entities it mentions, the numbers it quotes, by value) and the two briefings'
exchanges are aligned in order. The pair is *sure* only when enough exchanges carry such clues and
most of them agree; anything less is left for an editor (docs/importing.md, translations).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

# Thresholds, tuned on the 2018 pairs of ../shared/corpus/mfa and checked on the 2020 ones
# (tests/test_translation_pairing.py; figures in docs/importing.md).
AGREE = 0.34  # an exchange's signatures agree from this overlap (Jaccard) on
SURE_SHARE = 0.6  # this share of the remarks with clues must agree
SURE_SHARED = 2  # and at least this many clues must be found on both sides in all
IN_ORDER = 0.01  # what pairing two remarks of one kind in order is worth beside their agreement

NUMBER = re.compile(
    r"(?<![\d.])(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(万亿|亿|万|trillion|billion|million|thousand)?", re.I
)
SCALES = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "trillion": 10**12, "billion": 10**9, "million": 10**6, "thousand": 10**3}


def numbers(text):
    """The numbers a text quotes, by value ("300,000" and "30万", "1.4 billion" and "14亿"
    agree); single digits alone say too little to count."""
    found = set()
    for digits, scale in NUMBER.findall(text):
        digits = re.sub(r"[,，]", "", digits)
        if not scale and len(digits.replace(".", "")) < 2:
            continue
        value = Decimal(digits) * SCALES.get(scale.lower(), 1)
        found.add(str(int(value)) if value == value.to_integral_value() else str(value.normalize()))
    return found


@dataclass(frozen=True)
class Signature:
    """What a remark says that its translation says too, and its kind (announcement or exchange)."""

    kind: str
    clues: frozenset


def signature(kind, outlet_id, entity_ids, text):
    clues = {("number", number) for number in numbers(text)}
    clues |= {("entity", pk) for pk in entity_ids}
    if outlet_id:
        clues.add(("outlet", outlet_id))
    return Signature(kind, frozenset(clues))


def agreement(first, second):
    """The overlap of two remarks' clues (0 for remarks of different kinds), or None when neither
    carries a clue."""
    if first.kind != second.kind:
        return 0.0
    union = first.clues | second.clues
    if not union:
        return None
    return len(first.clues & second.clues) / len(union)


@dataclass
class Verdict:
    sure: bool
    pairs: list  # (index in the first, index in the second) of the remarks to pair, sure or not
    agreeing: int  # remarks whose signatures agree
    with_clues: int  # remarks where either side carries a clue, and remarks left unpaired
    reason: str


def compare(first, second):
    """Align two briefings' remark signatures (each a list, in order) and say whether they are
    translations. Remarks of the same kinds in the same order are paired by order; otherwise an
    alignment keeping the order pairs those whose signatures agree best, the rest unpaired."""
    if not first or not second:
        return Verdict(False, [], 0, 0, "one of them has no remarks")
    in_order = [remark.kind for remark in first] == [remark.kind for remark in second]
    pairs = list(zip(range(len(first)), range(len(second)))) if in_order else _align(first, second)
    scores = [agreement(first[i], second[j]) for i, j in pairs]
    kept = pairs
    if not in_order:
        # Where one side lacks remarks or has them in another order, only remarks that agree
        # with each other better than with any other are paired; the rest are left unpaired.
        kept = [(i, j) for (i, j), score in zip(pairs, scores) if score is not None and score >= AGREE]
        kept = [(i, j) for i, j in kept if _best_of_both(first, second, i, j)]
    with_clues = sum(score is not None for score in scores)
    agreeing = sum(score is not None and score >= AGREE for score in scores)
    # Remarks left unpaired count as disagreeing.
    with_clues += max(len(first), len(second)) - len(pairs)
    shared = sum(len(first[i].clues & second[j].clues) for i, j in pairs)
    if shared < SURE_SHARED:
        return Verdict(
            False, kept, agreeing, with_clues, "too few outlets, countries or figures named on both sides to tell"
        )
    share = agreeing / with_clues
    if share < SURE_SHARE:
        return Verdict(
            False, kept, agreeing, with_clues,
            f"{agreeing} of {with_clues} remarks agree ({len(first)} and {len(second)} remarks)",
        )
    return Verdict(True, kept, agreeing, with_clues, f"{agreeing} of {with_clues} remarks agree")


def _best_of_both(first, second, i, j):
    score = agreement(first[i], second[j])
    return all((agreement(first[i], other) or 0.0) < score for k, other in enumerate(second) if k != j) and all(
        (agreement(other, second[j]) or 0.0) < score for k, other in enumerate(first) if k != i
    )


def _align(first, second):
    """The order-keeping alignment maximising the summed agreement (Needleman–Wunsch without gap
    costs). Each pair of remarks of one kind earns a little besides, so that of two alignments
    agreeing as much the one pairing more remarks in order wins (a follow-up question naming
    what the one before named agrees with either)."""
    rows, columns = len(first), len(second)

    def gain(i, j):
        if first[i].kind != second[j].kind:
            return 0.0
        return (agreement(first[i], second[j]) or 0.0) + IN_ORDER

    best = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(columns - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + gain(i, j))
    pairs, i, j = [], 0, 0
    while i < rows and j < columns:
        if gain(i, j) > 0 and best[i][j] == best[i + 1][j + 1] + gain(i, j):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
