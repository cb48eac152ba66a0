"""“Compare terms”: how often up to three searches match, month by month, on one line chart.

Frequencies are per 1,000 published remarks of the month, so a busy month of briefings does not
pass for a rise in interest. Each term is searched through the same FilterSet as /remarks/.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse

from .facets import cached_tally
from .filters import RemarkFilter
from .histogram import months_between
from .models import Remark
from .querystrings import with_values

MAX_TERMS = 3
WIDTH, HEIGHT = 720, 220
# Told apart by dash as well as by colour (WCAG 1.4.1: colour is not the only cue).
STYLES = [("#1d5fa8", ""), ("#c0392b", "6 4"), ("#2a7d46", "2 3")]


@dataclass
class Series:
    term: str
    counts: dict  # {first day of month: matching remarks}
    colour: str
    dash: str
    url: str  # the matching remarks on /remarks/
    path: str = ""  # the line's SVG path, filled in by build_chart

    @property
    def total(self):
        return sum(self.counts.values())


def filtersets(terms, params):
    """The FilterSet of the remarks compared against (every filter but the terms), and one per term."""
    extra = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in {"term", "q", "page", "sort"}:
            extra.setlist(key, values)
    per_term = []
    for term in terms:
        with_term = extra.copy()
        with_term["q"] = term
        per_term.append(RemarkFilter(with_term, queryset=Remark.objects.published()))
    return RemarkFilter(extra, queryset=Remark.objects.published()), per_term


def compare(base, per_term, version):
    """(series, totals per month) from valid filtersets (see filtersets())."""
    state = sorted(base.data.lists())
    totals = cached_tally("compare-base", state, base.qs, [], lambda counts: counts["months"], version)
    series = []
    for filterset, (colour, dash) in zip(per_term, STYLES):
        term = filterset.data["q"]
        counts = cached_tally("compare", (term, state), filterset.qs, [], lambda counts: counts["months"], version)
        url = reverse("remark_list") + with_values(base.data, q=term)
        series.append(Series(term, counts, colour, dash, url))
    return series, totals


def rate(count, total):
    return round(1000 * count / total, 1) if total else 0.0


def build_chart(series, totals):
    """Geometry of the chart and the rows of its table, or None with nothing to draw."""
    if not totals:
        return None
    months = list(months_between(min(totals), max(totals)))
    rates = {s.term: [rate(s.counts.get(m, 0), totals.get(m, 0)) for m in months] for s in series}
    peak = max((max(values) for values in rates.values()), default=0) or 1.0
    step = WIDTH / max(len(months) - 1, 1)
    for s in series:
        # A month without any remark is a gap in the line, not a fall to zero.
        segments, current = [], []
        for i, (month, value) in enumerate(zip(months, rates[s.term])):
            if totals.get(month):
                current.append(f"{round(i * step, 1)},{round(HEIGHT - HEIGHT * value / peak, 1)}")
            elif current:
                segments.append(current)
                current = []
        segments += [current] if current else []
        # A lone month is drawn as a dot: a zero-length line with round caps.
        s.path = " ".join(
            "M" + " L".join(points) if len(points) > 1 else f"M{points[0]} l0.01,0" for points in segments
        )
    rows = [
        (month, totals.get(month, 0), [(s.counts.get(month, 0), rates[s.term][i]) for s in series])
        for i, month in enumerate(months)
        if totals.get(month)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "peak": peak,
        "first": months[0],
        "last": months[-1],
        "rows": rows,
        # Horizontal guides at a quarter, half and three quarters of the peak.
        "guides": [(round(HEIGHT * (1 - f), 1), round(peak * f, 1)) for f in (0.25, 0.5, 0.75)],
    }
