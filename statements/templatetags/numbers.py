"""Counts as readers read them: 12,428, not 12428 (the pages are in English, and Chinese
writes large numbers with the same comma)."""

from django import template

register = template.Library()


@register.filter
def thousands(value):
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
