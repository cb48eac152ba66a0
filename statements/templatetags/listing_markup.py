"""The markup a list page repeats many times: facet options, the histogram's bars and rows,
result items. Written here rather than in templates because the template engine spent longer on
these few lines, repeated, than on the rest of the page (docs/benchmarks.md, "Measured
reasons"); every value is escaped. The templates around them (includes/_facets.html,
includes/_histogram.html, remark_list.html) keep the structure."""

import html
from urllib.parse import urlencode

from django import template
from django.utils.dateformat import format as format_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from statements.text import passages

register = template.Library()


def escape(value):
    """What django.utils.html.escape returns, as plain text: the same five characters
    replaced, without its check of every argument for a lazy string (str() evaluates one),
    which cost more than the escaping over a page's thousand-odd values."""
    return html.escape(str(value))


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
        f'  <span class="facet-count">{option.count:,}</span>\n'
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
            f'<tr><td><a href="{escape(bar.url)}">{bar.month_name}</a></td><td>{bar.count:,}</td></tr>'
            for bar in bars
            if bar.count
        )
    )


@register.simple_tag
def remark_items(remarks, query=""):
    """One <article> per remark of a result list (Remark.objects.for_listing()): its date,
    ministry, speaker, kind and language, the question and answer (their highlighted passages,
    `question_html`/`answer_html`, where the view made them), its topics; the date and answer
    link to its permalink, carrying the search (`query`) so that a link shared from there
    quotes the sentence it matched (views.share_card)."""
    search = f"?{urlencode({'q': query})}" if query else ""
    return mark_safe("".join(_remark_item(remark, search) for remark in remarks))


def _remark_item(remark, search=""):
    url = escape(remark.get_absolute_url() + search)
    briefing = remark.briefing
    date = briefing.date
    meta = [escape(briefing.ministry.short_name)]
    if remark.speaker:
        meta.append(escape(remark.speaker.name))
    meta += [escape(remark.get_kind_display()), escape(briefing.get_language_display())]
    question = ""
    if remark.question:
        outlet = f" ({escape(remark.outlet)})" if remark.outlet else ""
        text = getattr(remark, "question_html", None) or escape(Truncator(remark.question).chars(220))
        question = f'  <p class="result-question"><span class="label" lang="en">Q{outlet}:</span> {text}</p>\n'
    answer = getattr(remark, "answer_html", None) or escape(Truncator(remark.answer).chars(360))
    topics = remark.topics.all()
    chips = ""
    if topics:
        chips = (
            '  <ul class="chips" aria-label="Topics" lang="en">\n    '
            + "".join(f'<li><a class="chip" href="{escape(t.get_absolute_url())}">{escape(t.name)}</a></li>' for t in topics)
            + "\n  </ul>\n"
        )
    return (
        f'<article class="result" lang="{escape(briefing.language)}">\n'
        f'  <p class="result-meta" lang="en">\n'
        f'    <a href="{url}"><time datetime="{date:%Y-%m-%d}">{format_date(date, "j M Y")}</time></a>\n'
        f'    · {" · ".join(meta)}\n'
        f"  </p>\n"
        f"{question}"
        f'  <p class="result-text"><a href="{url}">{answer}</a></p>\n'
        f"{chips}"
        f"</article>"
    )


@register.filter
def reported_speech(text):
    """A news report's answer as paragraphs, the reporter's words marked apart from the quoted
    ones (text/passages.render)."""
    return passages.render(text, reported_speech=True)[0]
