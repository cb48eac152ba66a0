"""Remarks per month, drawn as a server-rendered SVG bar chart above the results.

Each bar links to the same search narrowed to that month, so the chart is also a filter.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from .querystrings import with_values

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
    def label(self):
        noun = "remark" if self.count == 1 else "remarks"
        return f"{self.month:%B %Y}: {self.count} {noun}"


def month_counts(queryset, date_field=None, month_field=None):
    """{first day of month: count}, from a stored YYYYMM column when there is one."""
    if month_field:
        rows = queryset.order_by().values(month_field).annotate(n=Count("pk"))
        return {
            datetime.date(row[month_field] // 100, row[month_field] % 100, 1): row["n"]
            for row in rows
            if row[month_field]
        }
    rows = queryset.order_by().annotate(month=TruncMonth(date_field)).values("month").annotate(n=Count("pk"))
    return {row["month"]: row["n"] for row in rows if row["month"]}


def months_between(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def build_histogram(queryset, params, date_field="date", month_field=None, counts=None):
    counts = counts if counts is not None else month_counts(queryset, date_field, month_field)
    if not counts:
        return None
    # TruncMonth gives dates on SQLite and PostgreSQL alike for a DateField.
    months = list(months_between(min(counts), max(counts)))
    peak = max(counts.values())
    slot = WIDTH / len(months)
    bars = []
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
                url=with_values(params, date_from=month.isoformat(), date_to=last_day.isoformat()),
            )
        )
    return {
        "bars": bars,
        "nonzero": [bar for bar in bars if bar.count],
        "peak": peak,
        "first": months[0],
        "last": months[-1],
        "width": WIDTH,
        "height": HEIGHT,
    }
