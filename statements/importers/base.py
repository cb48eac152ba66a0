"""What every transcript format shares: the parsed result, text cleaning, the cutting of
paragraphs into remarks, and reading the date, kind and host from a title.

A format module (mfa.py, plaintext.py) only turns its input into a title, an optional
publication date and a list of clean paragraphs; the rules of what a remark is live here, once.
The rules were read off the pages in ../shared/corpus/mfa (see docs/importing.md).
"""

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from statements.text.analysis import CJK_RE


class TranscriptError(Exception):
    """A transcript that cannot be imported truthfully; the message says why and what to do."""


class DateNeeded(TranscriptError):
    """A transcript that states no date, or dates that disagree: the editor gives it. `reason`
    says why; each interface says how (the admin's Date field, the command's --date)."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(f"{reason}; give the briefing's date (the Date field, or --date YYYY-MM-DD).")


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
    review: str = ""  # why an editor should check this remark (Remark.review_note); "" when sure


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
    # Where the date came from, as Briefing.date_source records it: "title", "page", "listing"
    # or "editor" (see find_date), or "report" (a news report's dateline: news.py).
    date_source: str = ""
    # A news report of the briefing (a secondary source, news.py), not the ministry's transcript.
    news_report: bool = False

    @property
    def exchange_count(self):
        return sum(1 for r in self.remarks if r.kind == "qa")

    @property
    def to_check(self):
        return sum(1 for r in self.remarks if r.review)


# --- Text ------------------------------------------------------------------------------------

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
    share = sum(1 for c in letters if CJK_RE.match(c)) / len(letters)
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


@dataclass(frozen=True)
class FoundDate:
    date: datetime.date
    source: str  # Briefing.date_source: "title", "page", "listing" or "editor"
    evidence: str  # what the preview shows: "from the title", …


def find_date(title, page_date=None, given=None, listing_date=None):
    """The event's date, where it came from and the evidence. Never guessed: refuse rather than
    be wrong.

    `page_date` is the publication date printed on the page, `given` the editor's --date,
    `listing_date` the date the ministry's listing gives the page (printed beside the link, or
    settled by the dated titles around it: statements/importers/listing.py).
    """
    stated = title_date(title)
    if stated and stated[0]:
        date = _make_date(*stated, title)
        if given and given != date:
            raise TranscriptError(
                f"The date given, {given}, contradicts the title's date {date} ({title!r})."
            )
        return FoundDate(date, "title", "title")
    if given:
        if stated and (given.month, given.day) != stated[1:]:
            raise TranscriptError(
                f"The date given, {given}, contradicts the title's day {stated[1]}/{stated[2]} ({title!r})."
            )
        return FoundDate(given, "editor", "date given")
    if stated:
        _, month, day = stated
        found = []
        if page_date:
            for year in (page_date.year, page_date.year - 1):
                candidate = _make_date(year, month, day, title)
                if datetime.timedelta(0) <= page_date - candidate <= MAX_POSTING_DELAY:
                    found.append(FoundDate(candidate, "page", f"title (year from the page's publication date {page_date})"))
                    break
        if listing_date and (listing_date.month, listing_date.day) == (month, day):
            found.append(FoundDate(listing_date, "listing", "title (year from the ministry's listing)"))
        if len({f.date for f in found}) > 1:
            raise DateNeeded(
                f"The title gives no year ({title!r}); the page's publication date says {found[0].date}, "
                f"the ministry's listing {found[1].date}"
            )
        if found:
            return found[0]
        raise DateNeeded(
            f"The title gives no year ({title!r}) and nothing in the page states it reliably"
        )
    if page_date and listing_date and page_date != listing_date:
        raise DateNeeded(
            f"No date in the title ({title!r}); the page says it was published on {page_date}, the "
            f"ministry's listing says {listing_date}"
        )
    if page_date:
        return FoundDate(page_date, "page", "page's publication date")
    if listing_date:
        return FoundDate(listing_date, "listing", "ministry's listing")
    raise DateNeeded(
        f"No date: the title ({title!r}) gives none and the page has no publication date"
    )


def resolve_date(title, page_date=None, given=None, listing_date=None):
    """(date, evidence) of find_date."""
    found = find_date(title, page_date, given, listing_date)
    return found.date, found.evidence


# The kinds of briefing, with the names people read: the one list the model's choices
# (models.Briefing.Kind), the title patterns below and plain transcripts' Kind line use.
BRIEFING_KINDS = {
    "press_conference": "Regular press conference",
    "online_briefing": "Online briefing",
    "remarks": "Remarks",
    "statement": "Statement",
    "interview": "Interview",
}

KIND_PATTERNS = [
    # In a title, a tie (two kinds named at one place) goes to the first listed; elsewhere
    # (kind_named) the first listed found anywhere wins.
    (
        "online_briefing",
        re.compile(r"online\s+(?:regular\s+)?(?:press\s+)?(?:briefing|press conference)|briefing\s+online|网上\w*?记者会|网上", re.I),
    ),
    ("press_conference", re.compile(r"press conference|press briefing|例行记者会|记者会", re.I)),
    ("interview", re.compile(r"interview|采访", re.I)),
    ("statement", re.compile(r"\bstatement\b|声明|谈话|表明立场", re.I)),
    ("remarks", re.compile(r"remarks|answers? to (?:a )?journalists?'? questions?|答记者问|表态|答问", re.I)),
]


def kind_named(text):
    """The kind of briefing a text that is not a title names (a news report's lead: "…made the
    remarks at a regular press briefing"): the first of KIND_PATTERNS found anywhere."""
    return next((kind for kind, pattern in KIND_PATTERNS if pattern.search(text)), None)


def title_kind(title):
    """The kind of briefing a title names, or None. A title may name other kinds in its subject
    ("…'s Remarks on the Speaker's Erroneous Remarks", "…就…有关声明答记者问": questions about a
    statement); its own kind is where the language's grammar puts it, the first named in English
    and the last in Chinese, whose titles end with the verb ("…就…答记者问", "…发表谈话")."""
    found = [
        (match, order, kind)
        for order, (kind, pattern) in enumerate(KIND_PATTERNS)
        for match in pattern.finditer(title)
    ]
    if not found:
        return None
    if detect_language(title) == "zh":
        return min(found, key=lambda item: (-item[0].end(), item[1]))[2]
    return min(found, key=lambda item: (item[0].start(), item[1]))[2]


EN_HOST = re.compile(r"Spokesperson\s+(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2})(?:'s|’s|\s)")
ZH_HOST = re.compile(r"发言人(?P<name>[\u4e00-\u9fff]{2,4}?)(?:主持|就|答|在|表示|发表|：)")


def title_host(title):
    match = EN_HOST.search(title) or ZH_HOST.search(title)
    return match["name"] if match else ""


def is_latin(name):
    """Whether a name is written in Latin script ("Zhao Lijian", "Le Drian"), not in a native
    script ("赵立坚"): a spokesperson's `name` is the one, `native_name` the other."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(c, "") for c in letters)


# --- Cutting paragraphs into remarks -------------------------------------------------------------
#
# The ministry's transcripts come in two formats (docs/importing.md):
# - older pages (to 2019) label every question "Q:"/"问：" and every answer "A:"/"答：";
# - current pages (since spring 2020) label a question with whoever asks ("The Australian:",
#   "总台央视记者提问：") and the answer with the host's name ("Geng Shuang:", "赵立坚：").
# No list of outlets can ever be complete, so a question is found by structure: a short label,
# not the host's, that the host's answer follows. Lists below only normalise outlet names.
#
# Every pattern here is anchored at a paragraph's start and bounded, or scans once: the cut is
# linear in the length of the text, whatever is pasted.

QUESTION = re.compile(r"^(?:Q|问|有记者问)\s*[:：]\s*")
ANSWER = re.compile(r"^(?:A|答|Spokesperson|发言人)\s*[:：]\s*")
# Follow-ups stay inside their exchange. "记者问：" is a follow-up where the English version of
# the same page says "Follow-up:" (2018-09-05); opening a transcript, it is a question.
FOLLOW_UP = re.compile(
    r"^(?:Follow-up(?: question)?|Journalist(?: clarifies)?|追问|记者问|记者)\s*[:：]\s*", re.I
)
# Questions put after the briefing and answered in the transcript: a remark of their own. The
# phrase either labels the question ("…was raised: can you…") or stands alone, the question
# following in the next paragraph ("The following question is raised after the press
# conference." then "Q: …", 2020-07-03).
AFTER_BRIEFING = re.compile(
    r"^(?:After the (?:regular )?press conference, the following questions? (?:is|are|was|were) raised"
    r"|The following questions? (?:is|are|was|were) raised(?: by (?:a )?journalists?)?"
    r" after the (?:regular )?press conference"
    r"|会后有记者问及|会后有记者问)(?:\s*[:：]\s*|\s*[.。]?\s*$)",
    re.I,
)

# A label: a few words, or a short run of Chinese, then a colon, at a paragraph's start. At most
# 60 characters are looked at, so finding one costs the same on any paragraph.
LABEL = re.compile(r"([^:：]{1,60})[:：]")
MAX_LABEL_WORDS = 6
MAX_CJK_LABEL = 20
# Sentence punctuation and quotation marks are never part of who speaks: "Second, as I said:",
# 'The white paper "Fighting Covid-19:' or "王毅国务委员强调，…：" are sentences reaching a colon.
NOT_IN_LABEL = re.compile(r"[,;!?\"“”，。；！？、]")
# A label that says a journalist asks ("路透社记者：", "总台央视记者提问：", "彭博社记者追问：",
# "Foreign Journalist:"). It opens an exchange even where the transcript left the answer
# without the host's label (zh 2020-06-19: "彭博社记者：…" answered by an unlabelled paragraph).
ASKER = re.compile(
    r"^(?P<outlet>.*?)\s*(?:记者(?:提问|追问|问)?|提问|追问|\b(?:reporter|journalist|correspondent))$", re.I
)
# The speaker's title before the name, in a label that has it ("Spokesperson Zhao Lijian:").
SPEAKER_TITLE = re.compile(r"^(?:(?:Foreign Ministry|MFA)\s+)?Spokesperson\s+|^(?:外交部)?发言人", re.I)
# What an asker's label says when it names no outlet ("Foreign Journalist:", "外国记者提问：").
UNNAMED_ASKERS = {"", "a", "foreign", "有", "外国", "境外", "外媒"}
# One name for an outlet that transcripts of the same language spell several ways (all seen in
# ../shared/corpus/mfa), so that a researcher finds every question an outlet asked. Any outlet
# not listed keeps the name it is given.
OUTLET_NAMES = {
    "Tass": "TASS",
    "Tass News Agency": "TASS",
    "TASS News Agency": "TASS",
    "CNS": "China News Service",
    "CNR": "China National Radio",
    "CRI": "China Radio International",
    "AP": "Associated Press",
    "The Associated Press": "Associated Press",
    "Yonhap": "Yonhap News Agency",
    "Yonhap News": "Yonhap News Agency",
    "China Review News": "China Review News Agency",
    "PTI": "Press Trust of India",
    "Xinhua": "Xinhua News Agency",
    "Kyodo": "Kyodo News",
    "央视": "总台央视",
    "中央电视台": "总台央视",
    "中央广播电视总台央视": "总台央视",
    "中央人民广播电台": "总台央广",
    "中央广播电视总台央广": "总台央广",
    "中国国际广播电台": "总台国广",
    "香港中评社": "中评社",
    "日本共同社": "共同社",
    "日本NHK电视台": "NHK",
    "美国有线电视新闻网": "CNN",
    "加拿大《环球邮报》": "环球邮报",
    "北京广播电台": "北京广播电视台",
}
# Announcements in an opening: Chinese items are numbered; English ones open with a formula.
ZH_ITEM = re.compile(r"^[一二三四五六七八九十]+\s*[、，,]\s*")
EN_ITEM = re.compile(r"^(?:At the invitation of|Upon the invitation of|On the invitation of|As agreed (?:by|between|upon))\b")
# Practical notices closing a briefing (a changed time, a recess); they are announcements. Each is
# what the notice is about, then what changes later in the same paragraph: two searches, not one
# pattern with ".*" between them, which would rescan the paragraph once per mention.
CLOSING_NOTICE = [
    (
        re.compile(
            r"regular press conference|press conference of the (?:Foreign Ministry|Ministry of Foreign Affairs)", re.I
        ),
        re.compile(r"\b(?:adjourn|resume|be held|start|begin|take place|cancel|suspend|postpone|move|reschedul)", re.I),
    ),
    (re.compile(r"例行记者会"), re.compile(r"休会|提前|推迟|暂停|恢复|取消|改至")),
]
CLOSING_PREFACE = re.compile(r"^(?:Last but not least|Before (?:we|I) (?:end|conclude|close)|最后)", re.I)


def _strip(pattern, paragraph):
    return pattern.sub("", paragraph, count=1).strip()


def outlet_name(name):
    """The outlet a label names, as a researcher would search for it: "《中国日报》" → "中国日报"."""
    name = name.strip()
    if name.startswith("《") and name.endswith("》") and name.count("《") == 1:
        name = name[1:-1]
    if name.casefold() in UNNAMED_ASKERS:
        return ""
    return OUTLET_NAMES.get(name, name)


def read_label(paragraph):
    """(label, text after it) when the paragraph opens with a short label, else None."""
    match = LABEL.match(paragraph)
    if not match:
        return None
    label = match[1].strip()
    if (
        not label
        or NOT_IN_LABEL.search(label)
        or len(label.split()) > MAX_LABEL_WORDS
        or (CJK_RE.search(label) and len(label) > MAX_CJK_LABEL)
    ):
        return None
    return label, paragraph[match.end() :].strip()


@dataclass(frozen=True)
class _Line:
    """A paragraph and what its label says it is."""

    role: str  # "question", "answer", "follow-up", "asker", "label", "preface", or "" (no label)
    raw: str  # the paragraph as given
    text: str  # the paragraph without its label
    outlet: str = ""
    who: str = ""  # who asks, to recognise the same asker again: the outlet, else the label
    named: bool = False  # an answer labelled with the speaker's name rather than "A:"


def _classify(paragraph, hosts):
    after = AFTER_BRIEFING.match(paragraph)
    if after:
        question = paragraph[after.end() :].strip()
        if not question:
            return _Line("preface", paragraph, "")
        # "…after the press conference: the US leaders said…" reads as a sentence once cut.
        return _Line("question", paragraph, question[:1].upper() + question[1:])
    if QUESTION.match(paragraph):
        return _Line("question", paragraph, _strip(QUESTION, paragraph))
    if ANSWER.match(paragraph):
        return _Line("answer", paragraph, _strip(ANSWER, paragraph))
    if FOLLOW_UP.match(paragraph):
        return _Line("follow-up", paragraph, _strip(FOLLOW_UP, paragraph))
    found = read_label(paragraph)
    if not found:
        return _Line("", paragraph, paragraph)
    label, text = found
    if SPEAKER_TITLE.sub("", label).casefold() in hosts:
        return _Line("answer", paragraph, text, named=True)
    asker = ASKER.match(label)
    outlet = outlet_name(asker["outlet"] if asker else label)
    return _Line("asker" if asker else "label", paragraph, text, outlet, outlet or label.casefold())


# A person's name as it labels an answer: two or three capitalised words ("Zhao Lijian") or two
# to four Chinese characters ("赵立坚").
NAME_LABEL = re.compile(r"^(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}|[\u4e00-\u9fff]{2,4})$")


def host_from_labels(paragraphs, known=()):
    """The host, for a transcript whose title names none, from the labels of its answers.

    The host answers every question, so the host's label is the one that most often follows
    someone else's label ("Reuters: …" then "Zhao Lijian: …"). A known spokesperson's name wins;
    otherwise a label that reads as a person's name and answers at least twice, strictly more
    often than any other (an outlet that asks every question is not mistaken for the host: it
    follows the host's label as often as the host follows it, and is rarely written as a name).
    """
    known = {name.strip().casefold() for name in known if name and name.strip()}
    labels = []
    for paragraph in paragraphs:
        found = read_label(paragraph)
        if not found or QUESTION.match(paragraph) or ANSWER.match(paragraph) or FOLLOW_UP.match(paragraph):
            labels.append(None)
            continue
        labels.append(SPEAKER_TITLE.sub("", found[0]).strip())
    answering = Counter(
        label for previous, label in zip(labels, labels[1:])
        if label and previous and previous != label and not ASKER.match(label)
    )
    for label, _ in answering.most_common():
        if label.casefold() in known:
            return label
    ranked = [(label, n) for label, n in answering.most_common() if NAME_LABEL.match(label)]
    if not ranked:
        return ""
    best, count = ranked[0]
    runner_up = max((n for label, n in answering.items() if label != best), default=0)
    return best if count >= 2 and count > runner_up else ""


def starts_with_label(line):
    """Whether a line opens with a label of any kind (for splitting plain text into paragraphs):
    "Q:", "A:", "追问：" and the speakers' names are labels too."""
    line = line.strip()
    return bool(read_label(line) or AFTER_BRIEFING.match(line))


class _Exchange:
    def __init__(self, line):
        self.question, self.answer = [line.text] if line.text else [], []
        self.outlet, self.who = line.outlet, line.who
        self.answering = False
        self.review = ""


# Where a question ends when the answer after it has no label: a paragraph ending as a question
# does ("？", "?"), then any aside of the journalist's wholly in parentheses ("（我只是问一下）").
QUESTION_MARKS = "?？"
CLOSING_MARKS = " \t\n\"'”’」）)"
# Words that report what the speaker said, after the speaker's name at an answer's start
# ("耿爽表示：", "华春莹说，", "Hua Chunying said").
SAYS = r"\s*(?:表示|说|指出|强调|回答|答复|介绍|(?:said|says|stated|noted|answered|responded|replied)\b)"


def _ends_a_question(paragraph):
    return paragraph.rstrip(CLOSING_MARKS)[-1:] in tuple(QUESTION_MARKS)


def _is_aside(paragraph):
    stripped = paragraph.strip()
    return stripped[:1] in ("（", "(") and stripped[-1:] in ("）", ")")


def _unlabelled_answer(paragraphs, hosts):
    """Where the answer starts among an exchange's paragraphs that no label divides: at a
    paragraph naming the speaker in the third person, else after the paragraph that ends the
    question (and its aside), else after the first. None for a single paragraph: nothing to
    take for an answer."""
    if len(paragraphs) < 2:
        return None
    names = sorted((re.escape(name) for name in hosts), key=len, reverse=True)
    if names:
        speaks = re.compile(rf"^(?:(?:外交部)?发言人|(?:the )?spokesperson\s+)?(?:{'|'.join(names)}){SAYS}", re.I)
        for index in range(1, len(paragraphs)):
            if speaks.match(paragraphs[index]):
                return index
    for index, paragraph in enumerate(paragraphs[:-1]):
        if _ends_a_question(paragraph):
            end = index + 1
            while end < len(paragraphs) - 1 and _is_aside(paragraphs[end]):
                end += 1
            return end
    return 1


def _answer_follows(lines):
    """For each line, whether the next labelled line is an answer, looking past unlabelled
    paragraphs, past labels no answer follows (they are only text), and past the same asker
    speaking again or a follow-up before the answer. One backward pass: the cut stays linear."""
    follows = [False] * len(lines)
    after = None  # index of the next line whose label counts
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if after is not None:
            upcoming = lines[after]
            same_question = upcoming.role == "follow-up" or (
                upcoming.role in ("asker", "label") and upcoming.who == line.who
            )
            follows[index] = upcoming.role == "answer" or (same_question and follows[after])
        if line.role and (line.role != "label" or follows[index]):
            after = index
    return follows


def cut_remarks(paragraphs, speaker_labels=()):
    """Paragraphs (labels intact) → (remarks in order, warnings for the editor).

    `speaker_labels` are names that label an answer ("Wang Wenbin:", "汪文斌：") in the current
    format: the host's from the title, and every known spokesperson's.
    """
    hosts = frozenset(name.strip().casefold() for name in speaker_labels if name and name.strip())
    lines = [_classify(paragraph, hosts) for paragraph in paragraphs]
    answer_follows = _answer_follows(lines)
    opening, exchanges, warnings = [], [], []
    question_announced = False  # a standalone "The following question is raised…" came before
    for line, answered in zip(lines, answer_follows):
        current = exchanges[-1] if exchanges else None
        if line.role == "preface":
            # No one's words: the original text keeps it, no remark needs it.
            question_announced = True
            continue
        awaiting_answer = current is not None and not current.answering
        opens = (
            line.role in ("question", "asker")
            # Any other short label asks only where the answer follows it, and not inside a
            # question still waiting for its answer (a quoted "Note:" there is the question's).
            or (line.role == "label" and answered and not awaiting_answer)
            # …and where it asks, though no answer follows it or the question before still
            # waits for its own: the page left an answer's label out (another asker's question
            # is never the one before's).
            or (line.role == "label" and _ends_a_question(line.text))
            or (line.role == "follow-up" and current is None)
            or (question_announced and line.role != "answer")
        )
        question_announced = False
        if awaiting_answer and line.role in ("asker", "label") and line.who == current.who:
            # The same asker again before the answer: still the one question.
            current.question.append(line.text)
        elif opens:
            exchanges.append(_Exchange(line))
        elif current is None:
            # The current format labels the opening with the speaker too ("Wang Wenbin: At the…").
            opening.append(line.text if line.named else line.raw)
        elif line.role == "answer":
            current.answering = True
            current.answer.append(line.text)
        elif line.role == "follow-up":
            # A follow-up keeps its label: the reader must see who speaks.
            current.answering = True
            current.answer.append(line.raw)
        elif current.answering:
            current.answer.append(line.raw)
        else:
            current.question.append(line.raw)

    # An exchange no answer label closes: the page left the label out (or the answer). Never
    # a reason to refuse the page: cut where the answer most likely starts, or keep the question
    # alone, and flag the remark for an editor.
    for exchange in exchanges:
        if exchange.answer:
            continue
        start = _unlabelled_answer(exchange.question, hosts)
        if start is None:
            exchange.review = "No answer was found after this question: check the original text."
        else:
            exchange.question, exchange.answer = exchange.question[:start], exchange.question[start:]
            exchange.review = (
                "The answer has no speaker's label; it is taken to be the paragraphs after the question: "
                "check where the question ends."
            )
        warnings.append(f"{exchange.review} (the question {join(exchange.question)[:80]!r})")

    closing = _split_closing(exchanges[-1]) if exchanges else []
    remarks = [ParsedRemark("announcement", answer=join(item)) for item in _opening_items(opening)]
    for exchange in exchanges:
        remarks.append(ParsedRemark(
            "qa", question=join(exchange.question), answer=join(exchange.answer), outlet=exchange.outlet,
            review=exchange.review,
        ))
    if closing:
        remarks.append(ParsedRemark("announcement", answer=join(closing)))
    return remarks, warnings


def _is_closing_notice(paragraph):
    for subject, change in CLOSING_NOTICE:
        found = subject.search(paragraph)
        if found and change.search(paragraph, found.end()):
            return True
    return False


def _split_closing(last):
    """Take a closing notice off the end of the last answer (never its first paragraph)."""
    for index in range(1, len(last.answer)):
        if _is_closing_notice(last.answer[index]):
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
    # The date the ministry's listing gives the page (statements/sync.py), evidence for a title
    # that lacks the year or the date.
    listing_date: datetime.date | None = None


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
    found = find_date(title, page_date, hints.date, hints.listing_date)
    kind = kind or title_kind(title)
    if kind is None:
        kind = "remarks"
        warnings.append(f"Kind not stated in the title; taken as remarks ({title!r}).")
    host = host if host is not None else title_host(title)
    if not host:
        host = host_from_labels(paragraphs, hints.speaker_labels)
        if host:
            warnings.append(f"The title names no host; taken to be {host!r}, whose name labels the answers.")
    labels = tuple(hints.speaker_labels) + ((host,) if host else ())
    remarks, cut_warnings = cut_remarks(paragraphs, labels)
    warnings.extend(cut_warnings)
    return ParsedBriefing(
        format=format,
        title=title,
        language=language,
        kind=kind,
        date=found.date,
        date_evidence=found.evidence,
        date_source=found.source,
        ministry=ministry,
        spokesperson_name=host,
        source_name=source_name,
        source_url=hints.source_url,
        original_text=join(paragraphs),
        remarks=remarks,
        warnings=warnings,
    )
