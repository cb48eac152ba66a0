"""What every transcript format shares: the parsed result, text cleaning, the cutting of
paragraphs into remarks, and reading the date, kind and host from a title.

A format module (mfa.py, plaintext.py) only turns its input into a title, an optional
publication date and a list of clean paragraphs; the rules of what a remark is live here, once.
The rules were read off the pages in ../shared/corpus/mfa (see docs/importing.md).
"""

import datetime
import re
from dataclasses import dataclass, field


class TranscriptError(Exception):
    """A transcript that cannot be imported truthfully; the message says why and what to do."""


@dataclass(frozen=True)
class MinistryInfo:
    name: str
    short_name: str
    slug: str
    country: str
    website: str = ""


@dataclass
class ParsedRemark:
    kind: str  # Remark.Kind values: "announcement" or "qa"
    question: str = ""
    answer: str = ""
    outlet: str = ""


@dataclass
class ParsedBriefing:
    format: str
    title: str
    language: str
    kind: str
    date: datetime.date
    date_evidence: str
    ministry: MinistryInfo
    spokesperson_name: str
    source_name: str
    source_url: str
    original_text: str
    remarks: list
    warnings: list = field(default_factory=list)

    @property
    def exchange_count(self):
        return sum(1 for r in self.remarks if r.kind == "qa")


# --- Text ------------------------------------------------------------------------------------

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A paragraph with no letter, digit or CJK character is debris (a lone "、" ends one MFA page).
MEANINGFUL = re.compile(r"[^\W_]", re.UNICODE)


def clean_text(text):
    """One paragraph: no-break and full-width spaces become spaces, runs of space collapse."""
    text = text.replace("\u3000", " ").replace("\xa0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def clean_paragraphs(paragraphs):
    cleaned = (clean_text(p) for p in paragraphs)
    return [p for p in cleaned if MEANINGFUL.search(p)]


def detect_language(text):
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    share = sum(1 for c in letters if CJK.match(c)) / len(letters)
    return "zh" if share > 0.3 else "en"


# --- Titles: date, kind, host ------------------------------------------------------------------

MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(),
        start=1,
    )
}
# Only a date that closes the title names the event ("…Press Conference on May 11, 2018");
# a date elsewhere in a title may name what the remark is about.
EN_TITLE_DATE = re.compile(
    r"\bon\s+(?P<month>[A-Za-z]+)\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(?P<year>\d{4}))?\s*$"
)
ZH_TITLE_DATE = re.compile(r"^(?:(?P<year>\d{4})\s*年)?\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")
# A transcript is posted on the day or within days; a page posted later than this after the
# date in its title is not evidence for the year.
MAX_POSTING_DELAY = datetime.timedelta(days=7)


def title_date(title):
    """(year or None, month, day) of the event as the title states it, or None."""
    match = EN_TITLE_DATE.search(title)
    if match and match["month"].lower() in MONTHS:
        month = MONTHS[match["month"].lower()]
    else:
        match = ZH_TITLE_DATE.search(title)
        if not match:
            return None
        month = int(match["month"])
    year = int(match["year"]) if match["year"] else None
    return year, month, int(match["day"])


def _make_date(year, month, day, title):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise TranscriptError(f"The title's date is not a real day: {title!r}.") from None


def resolve_date(title, page_date=None, given=None):
    """The event's date and the evidence for it. Never guessed: refuse rather than be wrong.

    `page_date` is the publication date printed on the page, `given` the editor's --date.
    """
    stated = title_date(title)
    if stated and stated[0]:
        date = _make_date(*stated, title)
        if given and given != date:
            raise TranscriptError(
                f"--date {given} contradicts the title's date {date} ({title!r})."
            )
        return date, "title"
    if given:
        if stated and (given.month, given.day) != stated[1:]:
            raise TranscriptError(
                f"--date {given} contradicts the title's day {stated[1]}/{stated[2]} ({title!r})."
            )
        return given, "date given"
    if stated:
        _, month, day = stated
        if page_date:
            for year in (page_date.year, page_date.year - 1):
                candidate = _make_date(year, month, day, title)
                if datetime.timedelta(0) <= page_date - candidate <= MAX_POSTING_DELAY:
                    return candidate, f"title (year from the page's publication date {page_date})"
        raise TranscriptError(
            f"The title gives no year ({title!r}) and nothing in the page states it reliably; "
            "pass --date YYYY-MM-DD."
        )
    if page_date:
        return page_date, "page's publication date"
    raise TranscriptError(
        f"No date: the title ({title!r}) gives none and the page has no publication date; "
        "pass --date YYYY-MM-DD."
    )


KIND_PATTERNS = [
    # Checked in order: the first match wins.
    ("online_briefing", re.compile(r"online\s+(?:regular\s+)?(?:press\s+)?(?:briefing|press conference)|网上", re.I)),
    ("press_conference", re.compile(r"press conference|press briefing|例行记者会|记者会", re.I)),
    ("interview", re.compile(r"interview|采访", re.I)),
    ("statement", re.compile(r"\bstatement\b|声明|谈话", re.I)),
    ("remarks", re.compile(r"remarks|answers? to (?:a )?journalists?'? questions?|答记者问|表态|答问", re.I)),
]


def title_kind(title):
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(title):
            return kind
    return None


EN_HOST = re.compile(r"Spokesperson\s+(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2})(?:'s|’s|\s)")
ZH_HOST = re.compile(r"发言人(?P<name>[\u4e00-\u9fff]{2,4}?)(?:主持|就|答|在|表示|发表|：)")


def title_host(title):
    match = EN_HOST.search(title) or ZH_HOST.search(title)
    return match["name"] if match else ""


# --- Cutting paragraphs into remarks -------------------------------------------------------------

# Labels as the MFA prints them, English and Chinese. Follow-ups stay inside their exchange.
QUESTION = re.compile(r"^(?:Q|问|有记者问)\s*[:：]\s*")
ANSWER = re.compile(r"^(?:A|答)\s*[:：]\s*")
# "记者问：" is a follow-up where the English version of the same page says "Follow-up:"
# (2018-09-05); opening a transcript, it is a question.
FOLLOW_UP = re.compile(r"^(?:Follow-up(?: question)?|Journalist|追问|记者问|记者)\s*[:：]\s*", re.I)
# Questions put after the briefing and answered in the transcript: a remark of their own.
AFTER_BRIEFING_QUESTION = re.compile(
    r"^(?:After the (?:regular )?press conference, the following question was raised"
    r"|The following questions? (?:was|were) raised(?: by (?:a )?journalists?)? after the (?:regular )?press conference"
    r"|会后有记者问及|会后有记者问)\s*[:：]\s*",
    re.I,
)
# Newer transcripts name the asking outlet instead of "Q:" ("Reuters:", "法新社记者：").
OUTLETS = [
    "Reuters", "AFP", "AP", "Associated Press", "Bloomberg", "CCTV", "CGTN", "China Daily",
    "Global Times", "Xinhua", "Xinhua News Agency", "China News Service", "People's Daily",
    "The Paper", "Phoenix TV", "Hubei Media Group", "Beijing Youth Daily", "Shenzhen TV",
    "Dragon TV", "China Review News", "Kyodo", "Kyodo News", "NHK", "Nikkei", "Asahi Shimbun",
    "Fuji TV", "TBS", "Yonhap", "Yonhap News Agency", "KBS", "TASS", "RIA Novosti", "Sputnik",
    "EFE", "ANSA", "DPA", "Al Jazeera", "BBC", "CNN", "Prasar Bharati", "PTI", "Press Trust of India",
    "Anadolu Agency", "Bernama", "Antara", "The Wall Street Journal", "The New York Times",
    "Financial Times", "NBC", "CBS", "ABC", "Sky News", "RTHK", "Ta Kung Pao", "Wen Wei Po",
    "路透社", "法新社", "美联社", "彭博社", "总台央视", "央视", "中央广播电视总台", "总台国广", "总台CGTN",
    "新华社", "中新社", "人民日报", "环球时报", "澎湃新闻", "凤凰卫视", "湖北广电", "北京青年报",
    "深圳卫视", "东方卫视", "中国日报", "中评社", "共同社", "日本广播协会", "日经新闻", "朝日新闻",
    "富士电视台", "韩联社", "韩国广播公司", "塔斯社", "俄新社", "卫星通讯社", "埃菲社", "安莎社",
    "德新社", "半岛电视台", "英国广播公司", "今日俄罗斯", "印度报业托拉斯", "阿纳多卢通讯社",
    "大公报", "文汇报", "香港电台",
]
OUTLET_LABEL = re.compile(
    r"^(?P<outlet>" + "|".join(re.escape(o) for o in sorted(OUTLETS, key=len, reverse=True)) + r")"
    r"(?:\s*记者|\s+(?:reporter|journalist|correspondent))?\s*[:：]\s*",
)
# Announcements in an opening: Chinese items are numbered; English ones open with a formula.
ZH_ITEM = re.compile(r"^[一二三四五六七八九十]+\s*[、，,]\s*")
EN_ITEM = re.compile(r"^(?:At the invitation of|Upon the invitation of|On the invitation of|As agreed (?:by|between|upon))\b")
# Practical notices closing a briefing (a changed time, a recess); they are announcements.
CLOSING_NOTICE = re.compile(
    r"(?:regular press conference|press conference of the (?:Foreign Ministry|Ministry of Foreign Affairs))"
    r".*\b(?:adjourn|resume|be held|start|begin|take place|cancel|suspend|postpone|move|reschedul)"
    r"|例行记者会.*(?:休会|提前|推迟|暂停|恢复|取消|改至)",
    re.I,
)
CLOSING_PREFACE = re.compile(r"^(?:Last but not least|Before (?:we|I) (?:end|conclude|close)|最后)", re.I)


def _strip(pattern, paragraph):
    return pattern.sub("", paragraph, count=1).strip()


class _Exchange:
    def __init__(self, first_line, outlet=""):
        self.question, self.answer, self.outlet = [first_line] if first_line else [], [], outlet
        self.answering = False


def question_start(paragraph):
    """(question text, outlet) when the paragraph opens a new exchange, else None."""
    if QUESTION.match(paragraph):
        return _strip(QUESTION, paragraph), ""
    if AFTER_BRIEFING_QUESTION.match(paragraph):
        # "…after the press conference: the US leaders said…" reads as a sentence once cut.
        question = _strip(AFTER_BRIEFING_QUESTION, paragraph)
        return question[:1].upper() + question[1:], ""
    match = OUTLET_LABEL.match(paragraph)
    if match:
        return paragraph[match.end() :].strip(), match["outlet"]
    return None


def starts_with_label(line):
    """Whether a line opens a question, an answer or a follow-up (for splitting plain text)."""
    line = line.strip()
    return bool(question_start(line) or ANSWER.match(line) or FOLLOW_UP.match(line))


def cut_remarks(paragraphs, speaker_labels=()):
    """Paragraphs (labels intact) → remarks in order.

    `speaker_labels` are names that label an answer ("Wang Wenbin:", "汪文斌：") in formats
    that name the speaker instead of writing "A:".
    """
    speaker = (
        re.compile(r"^(?:" + "|".join(re.escape(n) for n in speaker_labels if n) + r")\s*[:：]\s*")
        if any(speaker_labels)
        else None
    )
    opening, exchanges = [], []
    for paragraph in paragraphs:
        current = exchanges[-1] if exchanges else None
        started = question_start(paragraph)
        if current is None and not started and FOLLOW_UP.match(paragraph):
            started = _strip(FOLLOW_UP, paragraph), ""
        if started:
            exchanges.append(_Exchange(*started))
        elif current is None:
            # Newer transcripts label the opening with the speaker too ("Wang Wenbin: At the…").
            opening.append(_strip(speaker, paragraph) if speaker and speaker.match(paragraph) else paragraph)
        elif ANSWER.match(paragraph):
            current.answering = True
            current.answer.append(_strip(ANSWER, paragraph))
        elif speaker and speaker.match(paragraph):
            current.answering = True
            current.answer.append(_strip(speaker, paragraph))
        elif FOLLOW_UP.match(paragraph):
            # A follow-up keeps its label: the reader must see who speaks.
            current.answering = True
            current.answer.append(paragraph)
        elif current.answering:
            current.answer.append(paragraph)
        else:
            current.question.append(paragraph)

    closing = _split_closing(exchanges[-1]) if exchanges else []
    remarks = [ParsedRemark("announcement", answer=join(item)) for item in _opening_items(opening)]
    for exchange in exchanges:
        if not exchange.answer:
            raise TranscriptError(
                f"A question has no answer: {join(exchange.question)[:120]!r}."
            )
        remarks.append(
            ParsedRemark("qa", question=join(exchange.question), answer=join(exchange.answer), outlet=exchange.outlet)
        )
    if closing:
        remarks.append(ParsedRemark("announcement", answer=join(closing)))
    return remarks


def _split_closing(last):
    """Take a closing notice off the end of the last answer (never its first paragraph)."""
    for index in range(1, len(last.answer)):
        if CLOSING_NOTICE.search(last.answer[index]):
            if index > 1 and CLOSING_PREFACE.match(last.answer[index - 1]):
                index -= 1
            closing, last.answer = last.answer[index:], last.answer[:index]
            return closing
    return []


def _opening_items(opening):
    items = []
    for paragraph in opening:
        zh_item = ZH_ITEM.match(paragraph)
        if zh_item:
            items.append([paragraph[zh_item.end() :]])
        elif EN_ITEM.match(paragraph) or not items:
            items.append([paragraph])
        else:
            items[-1].append(paragraph)
    return items


def join(paragraphs):
    return "\n\n".join(p for p in paragraphs if p)


@dataclass
class Hints:
    """What the editor or operator states about a transcript (command options, admin form)."""

    source_url: str = ""
    date: datetime.date | None = None
    language: str | None = None
    speaker_labels: tuple = ()


def build_briefing(
    *, format, title, page_date, paragraphs, hints, ministry, source_name, kind=None, host=None, language=None
):
    """The format-independent half of every parser: date, language, kind, host and remarks."""
    if not paragraphs:
        raise TranscriptError("The transcript is empty: no paragraph of text was found.")
    detected = language or detect_language(" ".join(paragraphs))
    warnings = []
    if hints.language and detected and hints.language != detected:
        raise TranscriptError(
            f"--language {hints.language} contradicts the text, which is in {detected!r}."
        )
    language = hints.language or detected or "en"
    date, evidence = resolve_date(title, page_date, hints.date)
    kind = kind or title_kind(title)
    if kind is None:
        kind = "remarks"
        warnings.append(f"Kind not stated in the title; taken as remarks ({title!r}).")
    host = host if host is not None else title_host(title)
    labels = tuple(hints.speaker_labels) + ((host,) if host else ())
    remarks = cut_remarks(paragraphs, labels)
    return ParsedBriefing(
        format=format,
        title=title,
        language=language,
        kind=kind,
        date=date,
        date_evidence=evidence,
        ministry=ministry,
        spokesperson_name=host,
        source_name=source_name,
        source_url=hints.source_url,
        original_text=join(paragraphs),
        remarks=remarks,
        warnings=warnings,
    )
