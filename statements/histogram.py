"""Remarks per month, drawn as a server-rendered SVG bar chart above the results.

Each bar links to the same search narrowed to that month, so the chart is also a filter.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .dates import plausible_year
from .querystrings import Variants

WIDTH, HEIGHT = 720, 90


@dataclass
class Bar:
    month: datetime.date
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str

    @property
    def month_name(self):
        return f"{self.month:%B %Y}"

    @property
    def label(self):
        noun = "remark" if self.count == 1 else "remarks"
        return f"{self.month_name}: {self.count} {noun}"


def svg_marks(bars):
    """The bars of the chart as SVG. Built here, not in the template: a page has up to 240
    bars of six values each, which took the template engine longer than the rest of the page
    (docs/benchmarks.md, "Measured reasons")."""
    return mark_safe(
        "".join(
            f'<a href="{escape(bar.url)}" tabindex="-1"><rect x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}"><title>{escape(bar.label)}</title></rect></a>'
            for bar in bars
            if bar.count
        )
    )


def months_between(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def build_histogram(counts, params, base=""):
    """Bars for {first day of month: count} (facets.combine).

    Each bar links to `base` (the current page when empty) with params narrowed to its month.
    """
    # Months no briefing can have (a mistyped 2999) are left out: bounded work on every page.
    counts = {month: n for month, n in counts.items() if plausible_year(month.year)}
    if not counts:
        return None
    months = list(months_between(min(counts), max(counts)))
    peak = max(counts.values())
    slot = WIDTH / len(months)
    bars = []
    variants = Variants(params, "date_from", "date_to")
    for index, month in enumerate(months):
        count = counts.get(month, 0)
        height = round(HEIGHT * count / peak, 2) if count else 0
        last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        bars.append(
            Bar(
                month=month,
                count=count,
                x=round(index * slot, 2),
                y=round(HEIGHT - height, 2),
                width=round(max(slot * 0.85, 0.5), 2),
                height=height,
                url=base + variants.url(date_from=[month.isoformat()], date_to=[last_day.isoformat()]),
            )
        )
    return {
        "bars": bars,
        "marks": svg_marks(bars),
        "nonzero": [bar for bar in bars if bar.count],
        "peak": peak,
        "first": months[0],
        "last": months[-1],
        "width": WIDTH,
        "height": HEIGHT,
    }
