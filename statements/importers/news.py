"""News reports quoting a spokesperson: a secondary source, imported as the briefing it reports.

An agency's or broadcaster's report tells a briefing in its own words, not as a transcript:

    China calls for jointly ensuring safe, smooth flows of personnel     (title)
    January 10, 2023                                                    (publication line)
    BEIJING, Jan. 9 (Xinhua) -- China's Foreign Ministry on Monday …    (dateline and lead)
    Chinese Foreign Ministry spokesperson Wang Wenbin made the remarks … (background)
    According to reports, the WHO … said on the 17th that …             (context: the question)
    In this regard, Wang Wenbin said: "…"                               (the spokesperson: the answer)
    …, Wang said. / He said that … / "…," the spokesperson said.        (the answer goes on)

Read by structure, never by the values of one report:
- the date is the briefing's, not the article's: the dateline's day (or the publication line's),
  moved back to a relative day the report gives for the briefing ("on Monday", "on the 18th",
  "9日"); where it came from is the evidence the preview shows;
- the spokesperson is the person the report names as one ("Foreign Ministry spokesperson Wang
  Wenbin", "发言人汪文斌"); later "Wang", "the spokesperson", "he" are the same person;
- a paragraph is the spokesperson's when a sentence in it attributes words to the spokesperson
  ("Wang said: …", "…, the spokesperson said.", "汪文斌表示，…") or it goes on with a quotation the
  spokesperson began; a paragraph that reports what prompted the words ("According to reports, …",
  "A reporter asked …", "When asked about …", "据报道，…", "有记者问…") opens an exchange as its
  question, cut where the spokesperson's words begin in the same paragraph;
- every other paragraph (lead, background, closing) belongs to no remark; the original text
  keeps it. Quotations stay quotations and paraphrase stays in the report's reported speech
  ("Wang said that …"): the answer is the report's words, never rewritten as the spokesperson's.

A report is told from a transcript by having no transcript labels (Q:/A:, a speaker's name and a
colon opening paragraphs) and by a dateline or by reporting a spokesperson's words in the third
person. Header lines (Title:, Date:, Source:, Spokesperson:, Ministry:) work as in plaintext.py.
"""

import dataclasses
import datetime
import re

from statements.text import speech

from .base import (
    ANSWER,
    MONTHS,
    NAME_LABEL,
    SPEAKER_TITLE,
    DateNeeded,
    FoundDate,
    MinistryInfo,
    ParsedBriefing,
    ParsedRemark,
    TranscriptError,
    clean_text,
    detect_language,
    is_latin,
    join,
    read_label,
    kind_named,
)
from .plaintext import DEFAULT_MINISTRY_SLUG, read_text

# --- Dates ----------------------------------------------------------------------------------------

MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
# "BEIJING, Jan. 9 (Xinhua) --", "Beijing, 18 December (AFP) —", "BEIJING, Dec 18, 2020 (Reuters) -"
DATELINE_EN = re.compile(
    r"^(?P<place>[A-Z][A-Za-z .'-]{1,40}?),\s*"
    r"(?:(?P<month>" + MONTH_NAME + r")\s*(?P<day>\d{1,2})|(?P<day2>\d{1,2})\s+(?P<month2>" + MONTH_NAME + r"))"
    r"(?:,?\s*(?P<year>\d{4}))?\s*\((?P<agency>[^()]{2,60})\)\s*(?:[-–—]+|:)\s*"
)
# "CCB News, Beijing, December 18, according to …": the agency, the place, then the day.
DATELINE_EN_AGENCY_FIRST = re.compile(
    r"^(?P<agency>[A-Z][\w&.' -]{1,40}?),\s*(?P<place>[A-Z][A-Za-z .'-]{1,30}?),\s*"
    r"(?P<month>" + MONTH_NAME + r")\s*(?P<day>\d{1,2})(?:,?\s*(?P<year>\d{4}))?\s*[,:–—-]\s*"
)
# "新华社北京1月9日电", "中新网12月18日电", "中新社北京12月18日电（记者 …）"
DATELINE_ZH = re.compile(
    r"^(?P<agency>[\u4e00-\u9fffA-Za-z]{2,12}?(?:社|网|报|台|在线|客户端|News))"
    r"(?P<place>[\u4e00-\u9fff]{2,6}?)?(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:电|讯)"
    r"\s*(?:[（(][^（()）]{0,40}[)）])?\s*"
)
# A publication line: a date and at most a label or dashes ("January 10, 2023", "- Dec 19, 2020-",
# "date 2023-01-10", "Published: 2020-12-19 10:30", "2020年12月19日"). It may also stand at the
# start of the title line, as pages saved by some tools put it.
FULL_DATE = (
    r"(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<m1>" + MONTH_NAME + r")\s*(?P<d1>\d{1,2}),?\s*(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})\s+(?P<m2>" + MONTH_NAME + r"),?\s*(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})\s*年\s*(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日)"
)
FULL_DATE_RE = re.compile(FULL_DATE, re.I)
# A publication line is short, states a full date and is no sentence: "January 10, 2023",
# "- Dec 19, 2020-", "Source: Xinhua | 2018-08-03 19:47:12 | Editor: X", "2020年12月19日 18:30".
MAX_PUBLICATION_LINE = 120
SOURCE_IN_LINE = re.compile(r"(?:^|\|)\s*(?:Source|来源)\s*[:：]\s*(?P<source>[^|:：\d][^|]{0,60}?)\s*(?:\||$)", re.I)


def publication_line(paragraph):
    """(date, outlet or "") of a publication line, else None."""
    if len(paragraph) > MAX_PUBLICATION_LINE or paragraph.rstrip().endswith((".", "。", "!", "?", "！", "？")):
        return None
    found = FULL_DATE_RE.search(paragraph)
    if not found:
        return None
    date = _full_date(found)
    source = SOURCE_IN_LINE.search(paragraph)
    return (date, clean_text(source["source"]) if source else "") if date else None


TITLE_STAMP = re.compile(r"^(?:date|published|posted|updated)\s*[:：]?\s*" + FULL_DATE + r"\s+", re.I)
# Relative days that place the briefing before the dateline: "on Monday", "on the 18th",
# "on the afternoon of the 18th", "today", "9日", "当天", "今天".
RELATIVE_EN = re.compile(
    r"\b(?:on\s+(?:the\s+(?:morning|afternoon|evening)\s+of\s+)?(?:(?P<weekday>" + "|".join(WEEKDAYS) + r")"
    r"|the\s+(?P<day>\d{1,2})(?:st|nd|rd|th))|(?P<today>today))\b",
    re.I,
)
RELATIVE_ZH = re.compile(r"(?<![月\d])(?P<day>\d{1,2})日(?!电)|(?P<today>今天|今日|当天|当日)")
# How long after the briefing an article may be dated and still date it (as for transcripts).
MAX_REPORT_DELAY = datetime.timedelta(days=7)
# The words that say the briefing took place, to find the sentence whose relative day is its date.
BRIEFING_WORDS = re.compile(
    r"press (?:conference|briefing)|briefing|spokes(?:person|man|woman)|foreign ministry|ministry of foreign affairs"
    r"|记者会|发言人|外交部|表示|答问",
    re.I,
)


def _month(name):
    name = name.rstrip(".").lower()
    for full, number in MONTHS.items():
        if full.startswith(name[:3]):
            return number
    raise TranscriptError(f"Not a month: {name!r}.")


def _full_date(match):
    try:
        if match["iso"]:
            return datetime.date.fromisoformat("-".join(part.zfill(2) for part in match["iso"].split("-")))
        if match["m1"]:
            return datetime.date(int(match["y1"]), _month(match["m1"]), int(match["d1"]))
        if match["m2"]:
            return datetime.date(int(match["y2"]), _month(match["m2"]), int(match["d2"]))
        return datetime.date(int(match["y3"]), int(match["m3"]), int(match["d3"]))
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class Dateline:
    text: str  # as printed, for the evidence: "BEIJING, Jan. 9 (Xinhua)"
    agency: str
    month: int
    day: int
    year: int | None
    end: int  # where the lead's own words begin in its paragraph


def find_dateline(paragraph):
    for pattern in (DATELINE_EN, DATELINE_EN_AGENCY_FIRST, DATELINE_ZH):
        match = pattern.match(paragraph)
        if not match:
            continue
        month = match["month"] or match.groupdict().get("month2")
        day = match["day"] or match.groupdict().get("day2")
        month = int(month) if month.isdigit() else _month(month)
        text = paragraph[: match.end()].strip(" ,:-–—")
        return Dateline(text, clean_text(match["agency"]), month, int(day), int(match["year"]) if match["year"] else None, match.end())
    return None


def _latest(before, accept):
    """The latest day on or before `before`, within a week, that `accept` takes."""
    for back in range(MAX_REPORT_DELAY.days + 1):
        day = before - datetime.timedelta(days=back)
        if accept(day):
            return day
    return None


def _relative_day(text, anchor):
    """The day a relative expression in `text` names, counted back from `anchor`, with its words."""
    for pattern in (RELATIVE_EN, RELATIVE_ZH):
        for match in pattern.finditer(text):
            if match["today"]:
                return anchor, match[0]
            weekday = match.groupdict().get("weekday")
            if weekday:
                number = WEEKDAYS.index(weekday.lower())
                return _latest(anchor, lambda d: d.weekday() == number), match[0]
            if match["day"]:
                number = int(match["day"])
                return _latest(anchor, lambda d: d.day == number), match[0]
    return None


def _anchor(dateline, published):
    """The dateline's date (its year from itself or the publication line), else the publication date."""
    if dateline is None:
        return published
    if dateline.year:
        years = [dateline.year]
    elif published:
        years = [published.year, published.year - 1]
    else:
        return None
    for year in years:
        try:
            day = datetime.date(year, dateline.month, dateline.day)
        except ValueError:
            continue
        if published is None or datetime.timedelta(0) <= published - day <= MAX_REPORT_DELAY:
            return day
    return None


def find_report_date(dateline, published, lead_sentences, given):
    """The briefing's date: the dateline's day, or the publication line's, moved back to the
    relative day the report gives for the briefing. Refuses rather than guesses."""
    anchor = _anchor(dateline, published)
    found = None
    if anchor:
        evidence = f"report's dateline “{dateline.text}”" if dateline else f"report's publication date {published}"
        found = FoundDate(anchor, "report", evidence)
        for sentence in lead_sentences:
            relative = _relative_day(sentence, anchor) if BRIEFING_WORDS.search(sentence) else None
            if relative and relative[0]:
                found = FoundDate(relative[0], "report", f"{evidence} and “{relative[1]}”")
                break
    if given:
        if found and found.date != given:
            raise TranscriptError(
                f"The date given, {given}, contradicts the report, which dates the briefing {found.date} ({found.evidence})."
            )
        return found or FoundDate(given, "editor", "date given")
    if found:
        return found
    if dateline:
        raise DateNeeded(
            f"The dateline “{dateline.text}” gives no year and the report has no publication date within a "
            "week after it"
        )
    raise DateNeeded(
        "No date: the report has neither a dateline (“BEIJING, Jan. 9 (Xinhua) --”) nor a publication line"
    )


# --- Who speaks ---------------------------------------------------------------------------------

SPOKES = r"(?i:(?:deputy )?spokes(?:person|man|woman))"
NAME_EN = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
# Words that follow a name in wire copy without being part of it ("spokesperson Hua Chunying
# Tuesday said").
NOT_NAME = {day.capitalize() for day in WEEKDAYS} | {m.capitalize() for m in MONTHS} | {"On", "In", "At", "Said", "Says", "Told"}
# "Chinese Foreign Ministry spokesperson Wang Wenbin", "Spokesperson Wang Wenbin", "spokesman Zhao
# Lijian"; the words before "spokesperson" say whose ministry ("Russian Foreign Ministry").
SPOKESPERSON_EN = re.compile(
    r"(?P<whose>(?:(?:[A-Z][a-z]+|China's|[Tt]he)\s+)?(?:Foreign Ministry|Ministry of Foreign Affairs|[Ff]oreign [Mm]inistry|MFA)\s+)?"
    r"\b" + SPOKES + r"\s+(?P<name>" + NAME_EN + r")(?![A-Za-z])"
)
SPOKESPERSON_ZH = re.compile(
    r"(?P<whose>[\u4e00-\u9fff]{0,4}外交部)?发言人(?P<name>[\u4e00-\u9fff]{2,3}?)"
    r"(?=\d{1,2}日|在|表示|说|指出|强调|称|主持|回应|答|就|介绍|重申|呼吁|也|还|[，,：:（(])"
)
# Whose ministry a report names when it is not China's: the importer refuses rather than file a
# Russian spokeswoman under the PRC's ministry (a Ministry: line says which).
OWN_MINISTRY = re.compile(r"^(?:Chinese|China's|the|)\s*(?:Foreign Ministry|Ministry of Foreign Affairs|foreign ministry|MFA)?\s*$|^(?:中国)?外交部$", re.I)

SPEECH_VERBS_EN = (
    r"(?:said|says|noted|notes|stressed|stresses|added|adds|pointed out|points out|replied|replies|stated|states"
    r"|told|urged|urges|emphasi[sz]ed|reiterated|insisted|warned|remarked|explained|indicated|maintained|underlined"
    r"|underscored|highlighted|affirmed|asserted|declared|continued|responded|answered|expressed|called on|called for"
    r"|hoped|believes|believed|revealed|announced|confirmed|denied|dismissed|slammed|criticized|criticised)"
)
SPEECH_VERBS_ZH = r"(?:表示|说|指出|强调|称|介绍|回应|重申|呼吁|透露|回答|答问时说|宣布|证实|批评|敦促|认为|坦言|补充说|补充道)"
# What a report says prompted the words: the reported question or context.
CONTEXT_EN = re.compile(
    r"^(?:According to (?:media |press |news )?reports?|It (?:is|was|has been) reported|Reports? (?:say|said|have said)"
    r"|Media (?:reported|reports)|(?:A|One|Another) (?:reporter|journalist|correspondent) (?:asked|raised|inquired)"
    r"|(?:When|While|After being) (?:asked|questioned)|Asked (?:about|whether|if|how|why|what|for|to|on)"
    r"|In (?:response|reply|answer) to (?:a |the |another )?(?:question|query|queries|questions|reports?|a reporter)"
    r"|Responding to|Commenting on|Reacting to|Answering (?:a |the )?question)",
    re.I,
)
CONTEXT_ZH = re.compile(r"^(?:据(?:[^，。]{0,15})?报道|有(?:外国)?记者(?:问|提问|就|问及)|记者问|当被问及|被问及|在回答|针对|应询|问及)")


@dataclasses.dataclass(frozen=True)
class Speaker:
    """The spokesperson a report quotes, and the words that refer to them after the first time."""

    name: str
    attribution: re.Pattern  # a sentence that gives the speaker's words, before or after them
    cut: re.Pattern  # where the speaker's words begin inside a context sentence
    pronoun_attribution: re.Pattern  # the same, with "he"/"she"/"他" as the speaker


def _speaker(name, language):
    if language == "zh" or not is_latin(name):
        refs = [re.escape(name), r"(?:外交部)?发言人(?:" + re.escape(name) + r")?", r"该发言人"]
        ref = "(?:" + "|".join(refs) + ")"
        adverbs = r"(?:也|还|再次|进一步|同时|则|随后|当天|\d{1,2}日|在[^，。“]{0,30}?(?:上|时))*"
        verb = SPEECH_VERBS_ZH + r"(?:道|说)?\s*(?:[，,：:]|“|\")"
        attribution = r"(?:^|[。！？]\s*|对此[，,]?\s*|[，,]\s*)" + ref + adverbs + verb
        postposed = r"[，,]\s*[”\"]?\s*" + ref + r"(?:说|表示|指出|强调)[。.]?\s*$"
        cut = re.compile(r"[，,]\s*(?P<who>" + ref + adverbs + verb + ")")
        pronoun = re.compile(r"(?:^|[。！？]\s*)[他她]" + adverbs + verb)
        return Speaker(name, _either(attribution, postposed), cut, pronoun)
    parts = name.split()
    surnames = {parts[0], parts[-1]} if len(parts) > 1 else set(parts)
    refs = [re.escape(name)] + [re.escape(s) for s in sorted(surnames)] + [
        r"(?:[Tt]he |[Aa] )?(?:Chinese |China's )?(?:(?:[Ff]oreign [Mm]inistry|MFA) )?" + SPOKES + r"(?: " + re.escape(name) + ")?"
    ]
    ref = "(?:" + "|".join(refs) + ")"
    adverbs = r"(?:\s+(?:also|further|then|again|later|once again|additionally|separately|earlier|on \w+))*"
    verb = r"\s+" + SPEECH_VERBS_EN + r"\b"
    opening = r"(?:^|(?<=[.!?\"”])\s+)(?:(?:In this regard|In response|Regarding this|On this|To this|Meanwhile|However|Besides|Moreover|Furthermore|Still),\s*)?"
    preposed = opening + ref + adverbs + verb
    # "…, Wang said." "…," he said. "…, the spokesperson told a regular press briefing."
    postposed = (
        r"[,\"”]\s+(?:" + ref + r"|he|she)" + adverbs + verb + r"(?:\s+[^.\"“”]{0,80})?\s*\.[\"”’]?(?=\s|$)"
        r"|[,\"”]\s+(?:said|noted|added|stressed)\s+" + ref + r"(?:\s+[^.\"“”]{0,80})?\s*\.(?=\s|$)"
    )
    # "When asked about …, Wang said …": the words begin with the speaker inside the sentence.
    cut = re.compile(r",\s*(?P<who>" + ref + adverbs + verb + ")")
    pronoun = re.compile(opening + r"(?:He|She)" + adverbs + verb)
    return Speaker(name, _either(preposed, postposed), cut, pronoun)


def _either(before, after):
    """One pattern for a sentence that attributes words before them or after them."""
    return re.compile(f"(?:{before})|(?:{after})")


def find_spokesperson(paragraphs, known=()):
    """(name, whose ministry as written) of the first spokesperson the report names."""
    text = "\n".join(paragraphs)
    for name in known:
        # A known spokesperson, named as one ("spokesperson Wang Wenbin", "发言人汪文斌").
        if name and re.search(r"(?:spokes(?:person|man|woman)|发言人)\s*" + re.escape(name) + r"(?![A-Za-z])", text, re.I):
            return name, ""
    matches = [m for m in (SPOKESPERSON_EN.search(text), SPOKESPERSON_ZH.search(text)) if m]
    if not matches:
        return "", ""
    first = min(matches, key=lambda m: m.start())
    words = first["name"].split()
    while len(words) > 2 and words[-1] in NOT_NAME:
        words.pop()
    return " ".join(words), (first["whose"] or "").strip()


# --- Paragraphs into remarks ----------------------------------------------------------------------

OPEN_QUOTES = "“\"「"


class _Exchange:
    def __init__(self, question=()):
        self.question = [q for q in question if q]
        self.answer = []


def cut_report(paragraphs, speaker, language, lead=0):
    """The report's paragraphs → remarks: each exchange's context as the question, the
    spokesperson's words (the report's sentences, quotes and reported speech alike) as the answer."""
    context = CONTEXT_ZH if language == "zh" else CONTEXT_EN
    exchanges = []
    current = None
    in_answer = False  # the last paragraph was the spokesperson's
    quote_open = False  # …and left a quotation open
    for index, paragraph in enumerate(paragraphs):
        if index >= lead and context.match(paragraph):
            question, answer = _split_context(paragraph, speaker)
            current = _Exchange([question])
            exchanges.append(current)
            if answer:
                current.answer.append(answer)
            in_answer, quote_open = bool(answer), bool(answer) and speech.left_open(answer)
            continue
        speaks = (
            speaker.attribution.search(paragraph)
            or (in_answer and (quote_open or paragraph[:1] in OPEN_QUOTES or speaker.pronoun_attribution.search(paragraph)))
        )
        if speaks:
            if current is None or (current.answer and not in_answer):
                # Words after background that closed the last exchange: a new exchange whose
                # question the report does not give.
                current = _Exchange()
                exchanges.append(current)
            current.answer.append(paragraph)
            in_answer, quote_open = True, speech.left_open(paragraph, quote_open)
        elif current is not None and not current.answer:
            # More of what prompted the words, before they come.
            current.question.append(paragraph)
        else:
            # Lead, background or closing: the report's own words, kept in the original text only.
            in_answer, quote_open = False, False
    remarks = []
    for exchange in exchanges:
        if not exchange.answer:
            continue
        remarks.append(ParsedRemark("qa", question=join(exchange.question), answer=join(exchange.answer)))
    return remarks


def _split_context(paragraph, speaker):
    """(question, answer) of a paragraph that opens with context and may go on with the
    spokesperson's words: a later sentence that gives them ("According to reports, … . In this
    regard, Wang said: …"), or a clause ("When asked about …, Wang said …")."""
    cuts = [start for start in _sentence_starts(paragraph) if speaker.attribution.search(paragraph[start:_next_stop(paragraph, start)])]
    clause = speaker.cut.search(paragraph)
    if clause:
        cuts.append(clause.start("who"))
    if not cuts:
        return paragraph, ""
    at = min(cuts)
    question, answer = paragraph[:at].rstrip(" ,，"), paragraph[at:].strip()
    if question and question[-1] not in ".?!。？！\"”":
        question += "。" if CONTEXT_ZH.match(question) else "."
    return question, answer[:1].upper() + answer[1:]


# Where a sentence ends: its mark, a closing quotation mark, then a space or (in Chinese) nothing.
SENTENCE_END = re.compile(r"[.!?。！？][\"”’]?(?:\s+|(?=[\u4e00-\u9fff“\"]))")


def _sentence_starts(paragraph):
    """Where each sentence after the first begins."""
    return [match.end() for match in SENTENCE_END.finditer(paragraph) if match.end() < len(paragraph)]


def _next_stop(paragraph, start):
    found = SENTENCE_END.search(paragraph, start)
    return found.end() if found else len(paragraph)


def _sentences(paragraph):
    starts = [0, *_sentence_starts(paragraph), len(paragraph)]
    return [paragraph[a:b] for a, b in zip(starts, starts[1:])]


def _lead_sentences(paragraphs):
    """The sentences that may say when the briefing was held: those of the first paragraphs,
    before the spokesperson's words."""
    for paragraph in paragraphs[:3]:
        yield from _sentences(paragraph)


# --- The format -----------------------------------------------------------------------------------

def _has_transcript_labels(paragraphs):
    """Whether answers are labelled as a transcript labels them ("A:", "答：", "Zhao Lijian:"); a
    report may print "有记者问：" or a time ("18:30"), never a label for the spokesperson's words."""
    labels = [found[0] for found in map(read_label, paragraphs) if found and not re.search(r"\d", found[0])]
    answers = [label for label in labels if ANSWER.match(label + ":") or NAME_LABEL.match(SPEAKER_TITLE.sub("", label))]
    return len(labels) >= 2 and bool(answers)


def looks_like(text, filename=""):
    if "<html" in text[:2000].lower():
        return False
    try:
        header, paragraphs = read_text(text)
    except TranscriptError:
        return False
    if "kind" in header or _has_transcript_labels(paragraphs):
        return False
    if any(find_dateline(p) for p in paragraphs[:4]):
        return True
    name, _ = find_spokesperson(paragraphs[:6])
    if not name:
        return False
    speaker = _speaker(name, detect_language(" ".join(paragraphs)) or "en")
    return any(speaker.attribution.search(p) for p in paragraphs)


def parse(text, hints):
    header, paragraphs = read_text(text)
    title = clean_text(header["title"])
    published = None
    stamp = TITLE_STAMP.match(title)
    if stamp:
        published, title = _full_date(stamp), title[stamp.end() :].strip()
    if header.get("date"):
        try:
            hints = dataclasses.replace(hints, date=hints.date or datetime.date.fromisoformat(header["date"]))
        except ValueError:
            raise TranscriptError(f"Date: {header['date']!r} is not a date in the form YYYY-MM-DD.") from None
    language = hints.language or header.get("language", "").lower() or detect_language(" ".join(paragraphs)) or "en"
    # The publication line and the dateline, among the first paragraphs.
    body = []
    dateline = dateline_at = None
    line_source = ""
    for index, paragraph in enumerate(paragraphs):
        if dateline is None and len(body) < 3:
            dateline = find_dateline(paragraph)
            if dateline:
                # The lead's own words, without the dateline: a lead may quote the spokesperson.
                dateline_at, paragraph = len(body), paragraph[dateline.end :]
        line = publication_line(paragraph) if index < 4 and dateline_at is None else None
        if line:
            published, line_source = published or line[0], line_source or line[1]
            continue
        body.append(paragraph)
    lead = list(_lead_sentences(body))
    found = find_report_date(dateline, published, lead, hints.date)

    name = header.get("spokesperson", "")
    whose = ""
    if not name:
        name, whose = find_spokesperson(body, hints.speaker_labels)
    if not name:
        raise TranscriptError(
            "The report names no spokesperson (“Foreign Ministry spokesperson Wang Wenbin said …”); "
            "add a line “Spokesperson: <name>” at the top."
        )
    slug = header.get("ministry", "")
    if not slug and whose and not OWN_MINISTRY.match(whose):
        raise TranscriptError(
            f"The report quotes the spokesperson of “{whose}”, not the PRC's Foreign Ministry; "
            "add a line “Ministry: <slug>” at the top to say which ministry's briefing it reports."
        )
    speaker = _speaker(name, language)
    # Up to the dateline's paragraph the report sets the scene: only the spokesperson's own words
    # there count, never a context ("according to the broadcaster's report, …").
    remarks = cut_report(body, speaker, language, lead=0 if dateline_at is None else dateline_at + 1)
    if not remarks:
        raise TranscriptError(
            f"The report names spokesperson {name} but gives no words of theirs (“{name} said …”): "
            "nothing to import as remarks."
        )
    source_name = header.get("source") or line_source or (dateline.agency if dateline else "")
    warnings = [f"A news report{' by ' + source_name if source_name else ''}: a secondary source, imported as the briefing it reports."]
    if not source_name:
        warnings.append("The report names no outlet; say who published it in the Source field.")
    return ParsedBriefing(
        format="news report",
        title=title,
        language=language,
        # What was reported: a report names the briefing ("regular press briefing", "例行记者会").
        kind=kind_named(" ".join(lead)) or "press_conference",
        date=found.date,
        date_evidence=found.evidence,
        date_source=found.source,
        ministry=MinistryInfo(name="", short_name="", slug=slug or DEFAULT_MINISTRY_SLUG, country=""),
        spokesperson_name=name,
        source_name=source_name,
        source_url=hints.source_url,
        original_text=join(paragraphs),
        remarks=remarks,
        warnings=warnings,
        news_report=True,
    )
