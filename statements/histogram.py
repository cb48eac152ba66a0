"""Remarks per month, drawn as a server-rendered SVG bar chart above the results.

Each bar links to the same search narrowed to that month, so the chart is also a filter.
"""

import calendar
import datetime
from dataclasses import dataclass

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
    month_name: str  # "March 2020"

    @property
    def label(self):
        noun = "remark" if self.count == 1 else "remarks"
        return f"{self.month_name}: {self.count} {noun}"


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
                month_name=f"{calendar.month_name[month.month]} {month.year}",
            )
        )
    return {
        "bars": bars,
        "peak": peak,
        "first": months[0],
        "last": months[-1],
        "width": WIDTH,
        "height": HEIGHT,
    }
