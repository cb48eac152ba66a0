"""Citations of one remark: Chicago, APA and MLA text, and BibTeX, RIS and CSL-JSON files.

Everything is built from one Reference, so the styles cannot disagree about who said what when.
The remark's permalink is the URL cited: it never changes, while a ministry's own page may
move. A remark's text can be corrected after publication (Remark.corrected_at), so a reference
carries the date of access and, once corrected, which version of the text it cites.
"""

import datetime
import json
from dataclasses import dataclass

# Spokespersons whose names are written family name first in Latin script (Wang Wenbin: family
# name Wang). Style guides keep such names uninverted (Chicago 17, 8.14; MLA 9, 2.76), and APA's
# "Family, G." then needs the first word, not the last.
FAMILY_NAME_FIRST_LANGUAGES = {"zh", "ja", "ko", "vi", "hu"}

MONTHS_MLA = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
MONTHS_FULL = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_first: bool

    @classmethod
    def from_spokesperson(cls, spokesperson):
        name, family = " ".join(spokesperson.name.split()), " ".join(spokesperson.family_name.split())
        if family and family != name and family in name:
            before, _, after = name.partition(family)
            return cls(family, " ".join((before + after).split()), not before.strip())
        words = name.split()
        if len(words) == 1:
            return cls(words[0], "", False)
        if spokesperson.native_language in FAMILY_NAME_FIRST_LANGUAGES:
            return cls(words[0], " ".join(words[1:]), True)
        return cls(words[-1], " ".join(words[:-1]), False)

    @property
    def display(self):
        """As written in running text: Wang Wenbin, Ned Price."""
        parts = [self.family, self.given] if self.family_first else [self.given, self.family]
        return " ".join(part for part in parts if part)

    @property
    def inverted(self):
        """First author of a bibliography entry: “Wang Wenbin” stays, “Price, Ned” inverts."""
        if self.family_first or not self.given:
            return self.display
        return f"{self.family}, {self.given}"

    @property
    def family_comma_given(self):
        """How BibTeX and RIS tell the family name, whatever the order in speech."""
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def apa(self):
        initials = " ".join(f"{part[0]}." for part in self.given.replace("-", " ").split())
        return f"{self.family}, {initials}" if initials else self.family


@dataclass(frozen=True)
class Reference:
    remark_id: int
    person: Person | None  # None: the ministry speaks as the author
    ministry: str
    title: str
    kind: str  # the briefing's kind, in words: "Regular press conference"
    date: object  # datetime.date
    language: str
    position: int
    total: int
    url: str
    accessed: datetime.date
    corrected: datetime.date | None = None
    # The outlet whose news report the remark comes from (a secondary source), else "".
    reported_by: str = ""

    @classmethod
    def for_remark(cls, remark, total, url, accessed=None):
        briefing = remark.briefing
        return cls(
            remark_id=remark.pk,
            person=Person.from_spokesperson(remark.speaker) if remark.speaker else None,
            ministry=briefing.ministry.name,
            title=briefing.title,
            kind=briefing.get_kind_display(),
            date=briefing.date,
            language=briefing.language,
            position=remark.position,
            total=total,
            url=url,
            accessed=accessed or today(),
            corrected=remark.corrected_at.date() if remark.corrected_at else None,
            reported_by=briefing.reported_by,
        )

    @property
    def part(self):
        if self.corrected:
            return f"remark {self.position} of {self.total}, {self.version}"
        return f"remark {self.position} of {self.total}"

    @property
    def as_reported(self):
        """", as reported by Xinhua" for a news report's remark, else ""."""
        return f", as reported by {self.reported_by}" if self.reported_by else ""

    @property
    def version(self):
        return f"text corrected {full_date(self.corrected)}" if self.corrected else "text as first published"


def today():
    return datetime.date.today()


def full_date(date):
    return f"{MONTHS_FULL[date.month - 1]} {date.day}, {date.year}"


def _capitalised(text):
    """The first letter in capitals and nothing else changed (str.capitalize would lower
    "December" and "Xinhua")."""
    return text[:1].upper() + text[1:]


def _sentence(title):
    """A title closed by a period, unless it already ends in a mark of its own."""
    return title if title.endswith((".", "?", "!", "。", "？", "！")) else f"{title}."


def chicago(ref):
    """Chicago 17th edition, bibliography entry."""
    author = ref.person.inverted if ref.person else ref.ministry
    date = f"{MONTHS_FULL[ref.date.month - 1]} {ref.date.day}, {ref.date.year}"
    return f"{author}. “{_sentence(ref.title)}” {ref.kind}, {ref.part}. {ref.ministry}, {date}{ref.as_reported}. Accessed {full_date(ref.accessed)}. {ref.url}."


def apa(ref):
    """APA 7th edition, reference list entry (the ministry as publisher unless it is the author)."""
    date = f"{ref.date.year}, {MONTHS_FULL[ref.date.month - 1]} {ref.date.day}"
    # A page that can change gets its retrieval date (APA 7, 9.16).
    retrieved = f"Retrieved {full_date(ref.accessed)}, from {ref.url}"
    if ref.person:
        return f"{ref.person.apa} ({date}). {ref.title} [{ref.kind}, {ref.part}{ref.as_reported}]. {ref.ministry}. {retrieved}"
    return f"{ref.ministry}. ({date}). {ref.title} [{ref.kind}, {ref.part}{ref.as_reported}]. {retrieved}"


def mla(ref):
    """MLA 9th edition, works-cited entry."""
    date = f"{ref.date.day} {MONTHS_MLA[ref.date.month - 1]} {ref.date.year}"
    url = ref.url.split("://", 1)[-1]  # MLA drops the scheme
    accessed = f"Accessed {ref.accessed.day} {MONTHS_MLA[ref.accessed.month - 1]} {ref.accessed.year}."
    if ref.person:
        return f"{ref.person.inverted}. “{_sentence(ref.title)}” {ref.kind}, {ref.part}, {ref.ministry}, {date}{ref.as_reported}, {url}. {accessed}"
    return f"“{_sentence(ref.title)}” {ref.kind}, {ref.part}, {ref.ministry}, {date}{ref.as_reported}, {url}. {accessed}"


STYLES = [("chicago", "Chicago", chicago), ("apa", "APA", apa), ("mla", "MLA", mla)]


def _bibtex_escape(text):
    replacements = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                    "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(replacements.get(char, char) for char in text)


def bibtex(ref):
    if ref.person:
        author = _bibtex_escape(ref.person.family_comma_given)
    else:
        author = "{" + _bibtex_escape(ref.ministry) + "}"  # braces: an organisation, not a person
    fields = [
        ("author", author),
        ("title", "{" + _bibtex_escape(ref.title) + "}"),
        ("howpublished", _bibtex_escape(f"{ref.kind}, {ref.part}{ref.as_reported}")),
        ("organization", _bibtex_escape(ref.ministry)),
        ("year", str(ref.date.year)),
        ("month", ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"][ref.date.month - 1]),
        ("date", ref.date.isoformat()),
        ("language", ref.language),
        ("url", ref.url),
        ("urldate", ref.accessed.isoformat()),
        ("version", _bibtex_escape(ref.version)),
    ]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
    )
    return f"@misc{{remark{ref.remark_id},\n{body}\n}}\n"


def ris(ref):
    lines = [
        ("TY", "GEN"),
        ("AU", ref.person.family_comma_given if ref.person else ref.ministry),
        ("TI", ref.title),
        ("T2", ref.kind),
        ("PB", ref.ministry),
        ("PY", str(ref.date.year)),
        ("DA", ref.date.strftime("%Y/%m/%d")),
        ("LA", ref.language),
        ("N1", _capitalised(ref.part + ref.as_reported)),
        ("UR", ref.url),
        ("Y2", ref.accessed.strftime("%Y/%m/%d")),  # access date
        ("ET", ref.version),
        ("ER", ""),
    ]
    # RIS: two-letter tag, two spaces, hyphen, space, value; the record ends with "ER  - ".
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def csl_json(ref):
    if ref.person:
        author = {"family": ref.person.family, "given": ref.person.given}
    else:
        author = {"literal": ref.ministry}
    item = {
        "id": f"remark-{ref.remark_id}",
        "type": "speech",
        "author": [author],
        "title": ref.title,
        "genre": ref.kind,
        "publisher": ref.ministry,
        "issued": {"date-parts": [[ref.date.year, ref.date.month, ref.date.day]]},
        "language": ref.language,
        "note": _capitalised(ref.part + ref.as_reported),
        "URL": ref.url,
        "accessed": {"date-parts": [[ref.accessed.year, ref.accessed.month, ref.accessed.day]]},
        "version": ref.version,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


DOWNLOADS = {
    # extension: (writer, content type, label)
    "bib": (bibtex, "application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": (csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}
