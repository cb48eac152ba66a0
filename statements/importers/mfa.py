"""Pages of the PRC Ministry of Foreign Affairs (fmprc.gov.cn / mfa.gov.cn), English and Chinese.

What a page gives: the title (<title>), a publication date (the element with id
News_Body_Time, filled on Chinese pages, empty on English ones) and the transcript, the
paragraphs inside the element whose class is "content". Everything else (navigation, styles,
scripts, images, the "Appendix" block) is page furniture.
"""

import datetime
import re
from html.parser import HTMLParser

from .base import MinistryInfo, TranscriptError, build_briefing, clean_paragraphs, clean_text

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
        self._hidden = 0

    def _roles(self):
        return {role for _, role in self._stack if role}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS:
            self._break()
        if tag in VOID:
            return
        role = None
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "content" in classes and not self.content_found and "content" not in self._roles():
            role, self.content_found = "content", True
        elif attrs.get("id") == "News_Body_Time":
            role = "time"
        elif tag == "title":
            role = "title"
        if tag in INVISIBLE:
            self._hidden += 1
        self._stack.append((tag, role))

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._break()
        if tag in VOID:
            return
        # Close up to the matching open tag; old MFA markup leaves tags unclosed.
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                for closed, _ in self._stack[index:]:
                    if closed in INVISIBLE:
                        self._hidden -= 1
                del self._stack[index:]
                return

    def handle_data(self, data):
        if self._hidden:
            return
        roles = self._roles()
        if "title" in roles:
            self.title.append(data)
        if "time" in roles:
            self.page_date_text.append(data)
        if "content" in roles:
            self._current.append(data)

    def _break(self):
        if self._current:
            self.paragraphs.append("".join(self._current))
            self._current = []

    def close(self):
        super().close()
        self._break()


def looks_like(text, filename=""):
    return "<html" in text[:2000].lower() and ("fmprc.gov.cn" in text or "mfa.gov.cn" in text or "News_Body" in text)


def read_page(text):
    """(title, publication date or None, clean paragraphs) of an MFA page."""
    parser = _PageParser()
    parser.feed(text)
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
