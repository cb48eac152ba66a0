"""A ministry's listing pages: which transcripts they link, and the date each one gets from them.

Read off the MFA's listings in ../shared/corpus/mfa/index (docs/importing.md, *Keeping
current*), but nothing here names that site: a listing is a page whose links to documents in its
own folder are its entries, newest first, each perhaps with a date printed beside it
("…主持例行记者会</a>(2020-07-03)"). Navigation, sidebars and the paging links point elsewhere
(other folders, other sites, the listing's own pages) and are left out by that one rule.
"""

import datetime
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .base import clean_text, title_date

# A date printed beside a link: 2020-07-03, 2020/7/3, 2020.07.03 or 2020年7月3日.
PRINTED_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# Elements that end one entry's text: the date printed after a link belongs to that link only up
# to the end of its list item, row or paragraph.
ITEM_ENDS = {"li", "tr", "p", "div", "dd", "dt", "table", "ul", "ol"}


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    printed_date: datetime.date | None = None


@dataclass(frozen=True)
class Dated:
    """What the listing says of an entry's date: the date, or why it cannot say."""

    date: datetime.date | None
    note: str = ""
    # The earliest and latest the date can be, for choosing what a --since/--until run covers.
    earliest: datetime.date | None = None
    latest: datetime.date | None = None


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []  # [href, text, text after the link up to the end of its item]
        self._link = None
        self._after = None  # the last link, still collecting the text after it

    def handle_starttag(self, tag, attrs):
        if tag in ITEM_ENDS:
            self._after = None
        if tag == "a":
            self._after = None
            href = dict(attrs).get("href")
            if href:
                self._link = [href, [], []]
                self.items.append(self._link)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._after, self._link = self._link, None
        elif tag in ITEM_ENDS:
            self._after = self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1].append(data)
        elif self._after is not None:
            self._after[2].append(data)


def _folder(url):
    path = urlsplit(url).path
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


# The longest address of an entry (SourcePage.url); a longer link is no transcript of a ministry's
# and cannot be stored, so it is no entry.
MAX_ADDRESS_LENGTH = 500
# The most entries read from one listing page (the ministry's hold 20 to 60): a page of 100,000
# links is a broken or hostile site, and only its first entries are taken.
MAX_ENTRIES_PER_PAGE = 1000


def read_links(text, page_url, is_listing_page=lambda url: False):
    """The entries of a listing page: links to documents in the listing's own folder (or below
    it), in page order, once each, with the date printed beside them if any.

    `page_url` is the page's address on the ministry's site (relative links resolve against it);
    `is_listing_page` recognises the listing's own paging links, which are not entries.
    """
    parser = _LinkParser()
    parser.feed(text)
    parser.close()
    base = urlsplit(page_url)
    folder = _folder(page_url)
    entries, seen = [], set()
    for href, words, after in parser.items:
        url = urljoin(page_url, href.strip()).split("#")[0]
        parts = urlsplit(url)
        title = clean_text("".join(words))
        if (
            not title
            or (parts.scheme, parts.netloc) != (base.scheme, base.netloc)
            or not parts.path.startswith(folder)
            or parts.path.endswith("/")
            or len(url) > MAX_ADDRESS_LENGTH
            or is_listing_page(url)
            or url in seen
        ):
            continue
        seen.add(url)
        entries.append(Entry(url, title[:300], _printed_date("".join(after))))
        if len(entries) >= MAX_ENTRIES_PER_PAGE:
            break
    return entries


def _printed_date(text):
    match = PRINTED_DATE.search(text)
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def _anchor(entry):
    """The date an entry states by itself: printed beside its link, or whole in its title."""
    if entry.printed_date:
        return entry.printed_date
    stated = title_date(entry.title)
    if stated and stated[0]:
        try:
            return datetime.date(*stated)
        except ValueError:
            return None
    return None


def date_entries(entries, today=None, complete=False):
    """The date the listing gives each entry (entries newest first, as listings are).

    A printed date or a whole date in the title settles an entry. Otherwise the entry lies
    between its dated neighbours: a title's day without a year ("…on September 10") takes the
    one year that puts it there, and a title without a date takes its neighbours' date when they
    agree. Anything else is left undated with a note saying why: dates are never guessed.
    `complete` says the entries run to the listing's end (only for the note); the newest entries
    are bounded by `today`.
    """
    today = today or datetime.date.today()
    anchors = [_anchor(entry) for entry in entries]
    newer, older = [None] * len(entries), [None] * len(entries)
    last = None
    for index, anchor in enumerate(anchors):
        newer[index] = last
        last = anchor or last
    last = None
    for index in range(len(entries) - 1, -1, -1):
        older[index] = last
        last = anchors[index] or last
    dated = []
    for entry, anchor, newer_date, low in zip(entries, anchors, newer, older):
        if anchor:
            dated.append(Dated(anchor, "", anchor, anchor))
            continue
        # The newest entries of a listing were posted by today at the latest.
        high = newer_date or today
        between = f"between {low} and {high}" if low else f"on or before {high}"
        if low is None:
            why = "nothing older in the listing bounds it" if complete else "the listing was not read far enough to date it"
            dated.append(Dated(None, f"{why} ({between})", None, high))
            continue
        stated = title_date(entry.title)
        if stated:
            _, month, day = stated
            candidates = []
            for year in range(low.year, high.year + 1):
                try:
                    candidate = datetime.date(year, month, day)
                except ValueError:
                    continue
                if low <= candidate <= high:
                    candidates.append(candidate)
            if len(candidates) == 1:
                dated.append(Dated(candidates[0], f"year from the listing ({between})", candidates[0], candidates[0]))
            else:
                dated.append(Dated(None, f"the listing places it {between}, which does not settle the year", low, high))
        elif low == newer_date:
            dated.append(Dated(low, f"the entries around it in the listing are all of {low}", low, low))
        else:
            dated.append(Dated(None, f"the listing places it {between}, which does not settle the day", low, high))
    return dated
