"""“Compare terms”: how often up to three searches match, month by month, on one line chart.

Frequencies are per 1,000 published remarks of the month, so a busy month of briefings does not
pass for a rise in interest. Each term is searched through the same FilterSet as /remarks/.

The denominator counts remarks in one language, by default the language of the terms: an English
word can only match English remarks, so counting the Chinese ones too would halve every rate.
A month with fewer than MIN_REMARKS remarks is not drawn: three remarks, one of them
matching, make a "peak" of 333 per 1,000 that flattens every other month.
"""

import math
from dataclasses import dataclass, field

from django.http import QueryDict
from django.urls import reverse

from .facets import month_counts
from .filters import RemarkFilter
from .histogram import months_between
from .models import Briefing, Remark
from .querystrings import encoded, with_values
from .text.analysis import CJK_RE

MAX_TERMS = 3
# Below this many remarks in a month, one remark more or less moves the rate by over 100 per
# 1,000: such a month is a gap in the lines (its figures stay in the table). A regular press
# conference has 10 to 30 remarks, so a month with at least one whole briefing is drawn.
MIN_REMARKS = 10

# Parameters of this page itself; every other one is a filter of /remarks/, kept for every term.
OWN_PARAMETERS = {"term", "q", "page", "sort", "lang"}
ALL_LANGUAGES = "all"
LANGUAGES = {**dict(Briefing.Language.choices), ALL_LANGUAGES: "All languages"}
# What the rates are "per 1,000" of, in the page's sentences.
COUNTED = {Briefing.Language.ENGLISH: "English remarks", Briefing.Language.CHINESE: "Chinese remarks", ALL_LANGUAGES: "remarks"}

# Pairs a researcher of foreign-ministry briefings might compare, each a staple of the MFA's
# regular press conferences (and of the demo data), in both languages.
EXAMPLES = [
    ("trade", "tariffs"),
    ("DPRK", "Iran"),
    ("Taiwan", "Hong Kong", "Xinjiang"),
    ("美国", "俄罗斯"),
]

# The chart's own units (viewBox): it is stretched to the page's width, and its strokes and markers
# do not scale (vector-effect), so PAD keeps a marker at either end inside the picture.
WIDTH, HEIGHT = 720, 220
PAD_X, PAD_TOP, PAD_BOTTOM = 12, 10, 6
# Told apart by dash and marker shape as well as by colour (WCAG 1.4.1: colour is not the only cue).
STYLES = [("#1d5fa8", "", "dot"), ("#c0392b", "6 4", "square"), ("#2a7d46", "2 3", "ring")]
# Every month gets a marker while they are far enough apart to read; beyond, only lone months.
MARK_EVERY_MONTH_UP_TO = 36


@dataclass
class Series:
    term: str
    counts: dict  # {first day of month: matching remarks}
    colour: str
    dash: str
    url: str  # the matching remarks on /remarks/
    marker: str = "dot"
    path: str = ""  # the line's SVG path, filled in by build_chart
    markers: list = field(default_factory=list)  # (x, y, label) of the months marked

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def marker_cap(self):
        """Markers are zero-length strokes: a round cap draws a dot (and a ring), a square cap a square."""
        return "square" if self.marker == "square" else "round"

    @property
    def marker_size(self):
        return {"dot": 8, "square": 7, "ring": 10}[self.marker]

    @property
    def lang(self):
        """The `lang` attribute of the term wherever it is shown."""
        return term_lang(self.term)


def term_lang(term):
    return Briefing.Language.CHINESE if CJK_RE.search(term) else Briefing.Language.ENGLISH


def terms_language(terms):
    """The language the terms are written in: Chinese for a term with Chinese characters, English
    otherwise; all languages when the terms are of both kinds (or there are none)."""
    found = {term_lang(term) for term in terms}
    return found.pop() if len(found) == 1 else ALL_LANGUAGES


def language(terms, chosen):
    """(language counted, language of the terms) from the `lang` values of the request.

    Raises ValueError for anything but one of LANGUAGES."""
    detected = terms_language(terms)
    values = set(chosen)
    if not values:
        return detected, detected
    if len(values) > 1 or not values <= LANGUAGES.keys():
        options = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise ValueError(f"Choose one language to count remarks in: {options}.")
    return values.pop(), detected


def filtersets(terms, params, lang=ALL_LANGUAGES):
    """The FilterSet of the remarks compared against (every filter but the terms), and one per term.

    The language is part of the filter data, so of the state the counts are cached under."""
    extra = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in OWN_PARAMETERS:
            extra.setlist(key, values)
    if lang != ALL_LANGUAGES:
        extra.setlist("lang", [lang])
    per_term = []
    for term in terms:
        with_term = extra.copy()
        with_term["q"] = term
        per_term.append(RemarkFilter(with_term, queryset=Remark.objects.published()))
    return RemarkFilter(extra, queryset=Remark.objects.published()), per_term


def compare(base, per_term, version):
    """(series, totals per month) from valid filtersets (see filtersets())."""
    totals = month_counts(base, version)
    series = []
    for filterset, (colour, dash, marker) in zip(per_term, STYLES):
        term = filterset.data["q"]
        counts = month_counts(filterset, version)
        url = reverse("remark_list") + with_values(base.data, q=term)
        series.append(Series(term, counts, colour, dash, url, marker))
    return series, totals


def example_links(params=None):
    """(label, URL, lang) of each example, keeping the other filters of the page."""
    links = []
    for terms in EXAMPLES:
        query = QueryDict(mutable=True)
        for key, values in (params or QueryDict()).lists():
            if key not in OWN_PARAMETERS:
                query.setlist(key, values)
        query.setlist("term", list(terms))
        links.append((" · ".join(terms), reverse("compare_terms") + encoded(query), terms_language(terms)))
    return links


def rate(count, total):
    return round(1000 * count / total, 1) if total else 0.0


def nice_ticks(peak):
    """0 and about four round steps (1, 2, 2.5 or 5 times a power of ten) reaching `peak`."""
    peak = peak or 1.0
    rough = peak / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    count = math.ceil(round(peak / step, 9))
    return [round(step * i, 6) for i in range(count + 1)]


def tick_label(value):
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def month_ticks(months):
    """(index into months, label) of the x-axis: years, or months for a span of a year or so."""
    if len(months) > 18:
        januaries = [(i, m) for i, m in enumerate(months) if m.month == 1]
        every = next(k for k in (1, 2, 5, 10, 20, 50, 100) if len([m for _, m in januaries if m.year % k == 0]) <= 6)
        return [(i, str(m.year)) for i, m in januaries if m.year % every == 0]
    every = next(k for k in (1, 2, 3, 6) if math.ceil(len(months) / k) <= 5)
    return [
        (i, f"{m:%b %Y}" if i == 0 or m.month == 1 else f"{m:%b}")
        for i, m in enumerate(months)
        if i % every == 0
    ]


def build_chart(series, totals):
    """Geometry of the chart, its axes and the rows of its table, or None with no remark at all.

    Only months with at least MIN_REMARKS remarks are drawn, and the chart spans the first to
    the last of them ("drawn" is False when there is none); the table has every month."""
    if not any(totals.values()):
        return None
    months = list(months_between(min(totals), max(totals)))
    rates = {
        s.term: [rate(s.counts.get(m, 0), totals.get(m, 0)) if totals.get(m, 0) >= MIN_REMARKS else None for m in months]
        for s in series
    }
    rows = [
        (month, totals[month], [(s.counts.get(month, 0), rates[s.term][i]) for s in series])
        for i, month in enumerate(months)
        if totals.get(month)
    ]
    chart = {
        "rows": rows,
        "min_remarks": MIN_REMARKS,
        "skipped": [month for month in months if 0 < totals.get(month, 0) < MIN_REMARKS],
        "drawn": False,
    }
    shown = [i for i, month in enumerate(months) if totals.get(month, 0) >= MIN_REMARKS]
    if not shown:
        return chart
    first, last = shown[0], shown[-1]
    months = months[first:last + 1]
    rates = {term: values[first:last + 1] for term, values in rates.items()}
    peak = max((v for values in rates.values() for v in values if v is not None), default=0.0)
    ticks = nice_ticks(peak)
    top = ticks[-1]

    def x(i):
        if len(months) == 1:
            return WIDTH / 2
        return round(PAD_X + i * (WIDTH - 2 * PAD_X) / (len(months) - 1), 1)

    def y(value):
        return round(HEIGHT - PAD_BOTTOM - (HEIGHT - PAD_TOP - PAD_BOTTOM) * value / top, 1)

    for s in series:
        segments, current = [], []
        for i, value in enumerate(rates[s.term]):
            if value is not None:
                current.append(i)
            elif current:
                segments.append(current)
                current = []
        segments += [current] if current else []
        s.path = " ".join("M" + " L".join(f"{x(i)},{y(rates[s.term][i])}" for i in points) for points in segments if len(points) > 1)
        # A month between two gaps has no line to be seen on: it always gets a marker.
        marked = [i for points in segments for i in points if len(months) <= MARK_EVERY_MONTH_UP_TO or len(points) == 1]
        s.markers = [(x(i), y(rates[s.term][i]), f"{months[i]:%B %Y}: {rates[s.term][i]} per 1,000") for i in marked]

    best = max(
        ((v, s.term, months[i]) for s in series for i, v in enumerate(rates[s.term]) if v is not None),
        key=lambda found: found[0],
        default=None,
    )
    chart.update({
        "drawn": True,
        "width": WIDTH,
        "height": HEIGHT,
        "first": months[0],
        "last": months[-1],
        "peak": best,
        # Axis labels are HTML over the stretched picture, placed in per cent of its size.
        "y_ticks": [(y(value), tick_label(value), round(100 * y(value) / HEIGHT, 2)) for value in ticks],
        "x_ticks": [
            (x(i), label, round(100 * x(i) / WIDTH, 2), "start" if x(i) < 0.06 * WIDTH else "end" if x(i) > 0.94 * WIDTH else "")
            for i, label in month_ticks(months)
        ],
    })
    return chart
