"""The dates a briefing can have: from BRIEFING_FIRST_YEAR (1949 by default, the year the
ministry whose transcripts the site began with was founded) to the end of next year.

The model, the admin and the importer refuse any other (validate_briefing_date); the year
filter accepts only these years; the month histogram and the year facet show only these,
whatever is stored, so one mistyped date cannot make every page draw thousands of empty months.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError


def first_year() -> int:
    return settings.BRIEFING_FIRST_YEAR


def last_year() -> int:
    return datetime.date.today().year + 1


def plausible_year(year: int) -> bool:
    return first_year() <= year <= last_year()


def validate_briefing_date(value):
    if not plausible_year(value.year):
        raise ValidationError(
            f"{value:%Y-%m-%d} is not a briefing's date: briefings are dated {first_year()} to {last_year()}.",
            code="implausible_date",
        )
