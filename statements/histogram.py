"""Remarks per month, drawn as a server-rendered SVG bar chart above the results.

Each bar links to the same search narrowed to that month, so the chart is also a filter.
"""

import calendar
import datetime
from dataclasses import dataclass

from .dates import plausible_year
from .querystrings import Variants

WIDTH, HEIGHT = 720, 90
MONTH_NAMES = list(calendar.month_name)  # read once: each lookup of calendar's formats a date


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
        return f"{self.month_name}: {self.count:,} {noun}"


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
    first, last = min(counts), max(counts)
    slots = (last.year - first.year) * 12 + last.month - first.month + 1
    peak = max(counts.values())
    slot = WIDTH / slots
    bars = []
    variants = Variants(params, "date_from", "date_to")
    # A bar for each month with remarks; the months between are empty slots (no bar, no link).
    for month in sorted(counts):
        count = counts[month]
        if not count:
            continue
        index = (month.year - first.year) * 12 + month.month - first.month
        height = round(HEIGHT * count / peak, 2)
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
                month_name=f"{MONTH_NAMES[month.month]} {month.year}",
            )
        )
    return {
        "bars": bars,
        "peak": peak,
        "first": first,
        "last": last,
        "width": WIDTH,
        "height": HEIGHT,
    }
