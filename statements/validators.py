"""Text is clean at the door: what the model, the admin, the importer and the search box refuse."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# A source to follow is a web address: never a javascript: or data: link (a reader clicks it).
validate_web_address = URLValidator(schemes=["http", "https"])

# C0 and C1 control characters but tab and line feed: they print as nothing, match nothing, break
# the XML of feeds, and reach text only by accident (a paste, a broken page, a script).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def validate_no_control_characters(value):
    found = sorted(set(CONTROL_CHARACTERS.findall(value or "")))
    if found:
        names = ", ".join(f"U+{ord(char):04X}" for char in found[:5])
        raise ValidationError(
            f"Control characters are not allowed ({names}).", code="control_characters"
        )


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value) if value else value
