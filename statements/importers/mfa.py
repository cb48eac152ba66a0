"""Pages of the PRC Ministry of Foreign Affairs (fmprc.gov.cn / mfa.gov.cn), English and Chinese.

What a page gives: the title (<title>), a publication date (the element with id
News_Body_Time, filled on Chinese pages, empty on English ones) and the transcript, the
paragraphs inside the element whose class is "content". Everything else (navigation, styles,
scripts, images, the "Appendix" block) is page furniture.
"""

import datetime
import posixpath
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

from .base import MinistryInfo, TranscriptError, build_briefing, clean_paragraphs, clean_text
from .listing import read_links

MINISTRY = MinistryInfo(
    name="Ministry of Foreign Affairs of the People's Republic of China",
    short_name="PRC MFA",
    slug="prc-mfa",
    country="China",
    website="https://www.fmprc.gov.cn/mfa_eng/",
)
SITE_SUFFIX = re.compile(r"\s*[—–_|-]+\s*(?:中华人民共和国外交部|Ministry of Foreign Affairs[\w\s']*)$")
SOURCE_NAME = "Ministry of Foreign Affairs of the PRC"

# Elements that end a paragraph, and elements whose text is never transcript.
BLOCKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote"}
INVISIBLE = {"script", "style", "noscript", "iframe", "object", "select", "textarea", "template"}
# Void elements never get an end tag, so they must not count towards nesting depth.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.page_date_text = [], []
        self.paragraphs, self._current = [], []
        self.content_found = False
        self._stack = []  # open tags, each (tag, role) with role in {None, "content", "time", "title"}
        # How many of each tag and role are open: kept beside the stack so that a piece of text
        # or a stray end tag costs the same however deep the (crafted) nesting is.
        self._open_tags, self._open_roles = Counter(), Counter()
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS:
            self._break()
        if tag in VOID:
            return
        role = None
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "content" in classes and not self.content_found and not self._open_roles["content"]:
            role, self.content_found = "content", True
        elif attrs.get("id") == "News_Body_Time":
            role = "time"
        elif tag == "title":
            role = "title"
        if tag in INVISIBLE:
            self._hidden += 1
        self._stack.append((tag, role))
        self._open_tags[tag] += 1
        self._open_roles[role] += 1

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._break()
        if tag in VOID or not self._open_tags[tag]:
            return
        # Close up to the matching open tag; old MFA markup leaves tags unclosed. Each open tag is
        # closed once, so this costs no more than the opening did.
        while True:
            closed, role = self._stack.pop()
            self._open_tags[closed] -= 1
            self._open_roles[role] -= 1
            if closed in INVISIBLE:
                self._hidden -= 1
            if closed == tag:
                return

    def handle_data(self, data):
        if self._hidden:
            return
        if self._open_roles["title"]:
            self.title.append(data)
        if self._open_roles["time"]:
            self.page_date_text.append(data)
        if self._open_roles["content"]:
            self._current.append(data)

    def _break(self):
        if self._current:
            self.paragraphs.append("".join(self._current))
            self._current = []

    def close(self):
        super().close()
        self._break()


# Python's HTMLParser, given a construct that never ends, searches the rest of the page for its end,
# gives up, and starts again at the next "<" or ">": on a crafted page ("<!--x>" repeated with no
# "-->" after them, or "<a b='" repeated with no ">" after them) that is quadratic time. So before
# parsing, in one pass each, a "<!--" after the last comment end and any "<" after the last ">" are
# made text (a browser would hide an unclosed comment's rest; for a transcript, showing it is the
# safer mistake). HTML5 ends "<![…" at the next ">" like "<?…" (a bogus comment), whereas
# HTMLParser searches for "]]>" and raises on an unknown keyword, so it is written as "<?".
COMMENT_END = re.compile(r"--\s*>")


def _defuse(text):
    """The page, with the constructs that can never end made text (see above)."""
    last_comment_end = max((m.end() for m in COMMENT_END.finditer(text)), default=0)
    text = text[:last_comment_end] + text[last_comment_end:].replace("<!--", "&lt;!--")
    text = text.replace("<![", "<?[")
    last_tag_end = text.rfind(">") + 1
    return text[:last_tag_end] + text[last_tag_end:].replace("<", "&lt;")


def looks_like(text, filename=""):
    return "<html" in text[:2000].lower() and ("fmprc.gov.cn" in text or "mfa.gov.cn" in text or "News_Body" in text)


def read_page(text):
    """(title, publication date or None, clean paragraphs) of an MFA page."""
    parser = _PageParser()
    parser.feed(_defuse(text))
    parser.close()
    # Chinese pages append the site's name to <title>: "…主持例行记者会 — 中华人民共和国外交部".
    title = SITE_SUFFIX.sub("", clean_text("".join(parser.title)))
    if not title:
        raise TranscriptError("The page has no <title>: it is not an MFA transcript page.")
    if not parser.content_found:
        raise TranscriptError(
            "No transcript found: the page has no element of class \"content\" (is it an index "
            "page or a different site?)."
        )
    page_date = None
    match = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", "".join(parser.page_date_text))
    if match:
        try:
            page_date = datetime.date(*map(int, match.groups()))
        except ValueError:
            page_date = None
    # A trailing "Appendix:" label sits inside the content block on English pages.
    paragraphs = [p for p in clean_paragraphs(parser.paragraphs) if p not in ("Appendix:", "附件：")]
    return title, page_date, paragraphs


def parse(text, hints):
    title, page_date, paragraphs = read_page(text)
    return build_briefing(
        format="MFA page",
        title=title,
        page_date=page_date,
        paragraphs=paragraphs,
        hints=hints,
        ministry=MINISTRY,
        source_name=SOURCE_NAME,
    )


# --- Listing pages, for the sync (statements/sync.py) ----------------------------------------------
#
# The ministry's site (a TRS content system) pages every listing the same way: the listing's
# address ends in "default.shtml", its next pages are "default_1.shtml", "default_2.shtml", … and
# each page's script states how many there are ("var countPage = 13"). Entries are the links into
# the listing's folder (statements/importers/listing.py); the Chinese listings print each one's
# date after it.

PAGE_COUNT = re.compile(r"\bcountPage\s*=\s*(\d+)")


def listing_page_url(listing_url, number):
    """The address of page `number` (0 is the listing itself) of a paged listing."""
    if number == 0:
        return listing_url
    parts = urlsplit(listing_url)
    folder, name = posixpath.split(parts.path)
    stem, dot, suffix = (name or "default.shtml").rpartition(".")
    return urlunsplit(parts._replace(path=posixpath.join(folder, f"{stem}_{number}{dot}{suffix}"), query=""))


def _paging(listing_url):
    """A pattern for the listing's own pages (default.shtml, default_7.shtml), which are not entries."""
    name = posixpath.basename(urlsplit(listing_url).path) or "default.shtml"
    stem, dot, suffix = name.rpartition(".")
    return re.compile(rf"/{re.escape(stem)}(?:_\d+)?{re.escape(dot + suffix)}$")


def read_listing(text, page_url, listing_url):
    """(entries newest first, number of pages or None) of one listing page."""
    paging = _paging(listing_url)
    entries = read_links(text, page_url, is_listing_page=lambda url: bool(paging.search(urlsplit(url).path)))
    count = PAGE_COUNT.search(text)
    return entries, int(count[1]) if count else None
