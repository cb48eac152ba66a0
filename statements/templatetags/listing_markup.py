"""The markup a list page repeats hundreds of times: facet options and the histogram's bars
and rows. Written here rather than in templates because the template engine spent longer on
these few lines, repeated, than on the rest of the page (docs/benchmarks.md, "Measured
reasons"); every value is escaped. The templates around them (includes/_facets.html,
includes/_histogram.html) keep the structure."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def facet_options(options):
    """<li> links of facets.Option: a click toggles the value; the link's id brings the reader
    back to it on the page it opens."""
    return mark_safe("".join(_option(option) for option in options))


SELECTED = {
    True: (" is-selected", ' aria-current="true"', "✓", '<span class="visually-hidden"> (selected, click to remove)</span>'),
    False: ("", "", "", ""),
}


def _option(option):
    anchor = escape(option.anchor)
    is_selected, current, tick, spoken = SELECTED[bool(option.selected)]
    return (
        f'<li><a class="facet-option{is_selected}" id="{anchor}" href="{escape(option.url)}#{anchor}" rel="nofollow"{current}>\n'
        f'  <span class="facet-box" aria-hidden="true">{tick}</span>\n'
        f'  <span class="facet-label">{escape(option.label)}{spoken}</span>\n'
        f'  <span class="facet-count">{option.count}</span>\n'
        f"</a></li>"
    )


@register.simple_tag
def histogram_bars(bars):
    """The chart's bars as SVG, each a link to its month (for the mouse; the table below is
    the same links for keyboards and screen readers)."""
    return mark_safe(
        "".join(
            f'<a href="{escape(bar.url)}" tabindex="-1"><rect x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}"><title>{escape(bar.label)}</title></rect></a>'
            for bar in bars
            if bar.count
        )
    )


@register.simple_tag
def histogram_rows(bars):
    """The months with remarks as table rows, each linking to its month."""
    return mark_safe(
        "".join(
            f'<tr><td><a href="{escape(bar.url)}">{bar.month_name}</a></td><td>{bar.count}</td></tr>'
            for bar in bars
            if bar.count
        )
    )
