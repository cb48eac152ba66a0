"""What foreign ministries say, modelled the way researchers cite it.

A Briefing is one event (a press conference, a remarks session, a statement) as published in one
language; a Remark is the unit a researcher cites: an opening announcement, or one question with
the spokesperson's answer.

Visibility has one rule: a remark is public when its briefing is published and the remark is
neither withdrawn nor merged into another. The rule is computed in one place,
RemarkQuerySet.copy_from_briefing, into the remark's `is_public` column (with the briefing's
date, language and ministry copied beside it for the indexes); every read asks `published()`.
ARCHITECTURE.md lists the write paths that keep the copies right.
"""

import contextlib
import contextvars
import hashlib
import re
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .dates import validate_briefing_date
from .importers import TranscriptError, format_named
from .importers.base import BRIEFING_KINDS
from .importers.fetch import MAX_ETAG, MAX_LAST_MODIFIED
from .importers.listing import MAX_ADDRESS_LENGTH
from .validators import validate_no_control_characters as clean_text
from .validators import validate_web_address


class Versioned(models.Model):
    """A number that goes up with every save, so that a form opened on an older state can tell
    it is stale (statements/admin.py: StaleEditCheck) instead of overwriting someone's edit."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()
            self.version = (stored or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class Language(models.TextChoices):
    """The languages transcripts are published in (a briefing's, a ministry's own)."""

    ENGLISH = "en", "English"
    CHINESE = "zh", "Chinese"


class Ministry(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="Full official name, e.g. “Ministry of Foreign Affairs of the People's Republic of China”.",
    )
    short_name = models.CharField(
        max_length=60, help_text="Short form shown in lists and facets, e.g. “PRC MFA”."
    )
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in URLs and filters.")
    country = models.CharField(max_length=100, help_text="The state the ministry speaks for.")
    website = models.URLField(blank=True, help_text="Home page of the ministry's press releases.")
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=Language.choices,
        help_text="The language the ministry briefs in: its transcripts in other languages are "
        "translations. “One version per exchange” shows this one by default.",
    )

    class Meta:
        ordering = ["short_name"]
        verbose_name_plural = "ministries"

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("remark_list") + f"?ministry={self.slug}"


class ReferenceQuerySet(models.QuerySet):
    def public(self):
        """What the public site lists and shows: what a public remark refers to, or what a
        publisher listed. A topic, entity or spokesperson made while tagging a draft stays out
        of every public list, page, sitemap, feed and the API until then."""
        return self.filter(Q(listed=True) | self.model.used_publicly())


LISTED_HELP = (
    "Shown on the public site before any published remark refers to it (publishers only). "
    "Otherwise it appears with its first published remark."
)


class Spokesperson(models.Model):
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, related_name="spokespersons"
    )
    name = models.CharField(max_length=120, validators=[clean_text], help_text="Name in Latin script, e.g. “Wang Wenbin”.")
    native_name = models.CharField(
        max_length=120, blank=True, validators=[clean_text], help_text="Name in the native script, e.g. “汪文斌”."
    )
    native_language = models.CharField(
        max_length=10, default="zh", help_text="BCP 47 code of the native name, for screen readers."
    )
    family_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="Only when citations would get it wrong: the family name as part of the name "
        "above, e.g. “Le Drian”. Left empty, it is the first word for Chinese, Japanese, Korean and "
        "Vietnamese names and the last word otherwise.",
    )
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in URLs and filters.")
    term_start = models.DateField(null=True, blank=True, help_text="First day as spokesperson.")
    term_end = models.DateField(
        null=True, blank=True, help_text="Last day as spokesperson; empty while in office."
    )
    listed = models.BooleanField(default=False, help_text=LISTED_HELP)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "spokespersons"
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="spokesperson_term_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("spokesperson_detail", args=[self.slug])

    @staticmethod
    def used_publicly():
        return Q(Exists(Remark.objects.published().filter(speaker=OuterRef("pk")))) | Q(
            Exists(Briefing.objects.published().filter(spokesperson=OuterRef("pk")))
        )


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[clean_text])
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in URLs and filters.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="Broader topic this one belongs to, if any.",
    )
    description = models.TextField(blank=True, validators=[clean_text], help_text="One or two sentences for researchers.")
    keywords = models.TextField(
        blank=True,
        validators=[clean_text],
        help_text="Words and phrases, one per line (English or Chinese), that tag a remark with "
        "this topic when it is imported or re-tagged. A term with a capital letter is a name and "
        "matches as written (Taiwan); a term in lower case matches its words in any form and case "
        "(trade war: Trade wars).",
    )
    exclusions = models.TextField(
        blank=True,
        validators=[clean_text],
        help_text="Phrases, one per line, whose words do not count for this topic even though they "
        "hold a keyword (National Security Adviser, for National security).",
    )
    context_words = models.TextField(
        blank=True,
        validators=[clean_text],
        help_text="Names, one per line, that place an exchange near the topic without making it "
        "about it (DPRK, 朝鲜 for the Korean Peninsula): in the question, they tag the remark only "
        "when the answer holds a keyword too. In the answer they do not count.",
    )
    answer_matches = models.PositiveSmallIntegerField(
        default=2,
        help_text="A keyword in the question tags the remark. In the answer alone, how many times "
        "the answer must name the topic, unless it does so in its first sentence: one passing "
        "mention in a long answer about something else does not make a remark about the topic.",
    )
    tagged_from = models.DateField(
        null=True,
        blank=True,
        help_text="Remarks dated before this day are never tagged with the topic by its rule "
        "(COVID-19: December 2019, so the words of an earlier epidemic do not count).",
    )
    listed = models.BooleanField(default=False, help_text=LISTED_HELP)
    # What the reference loader last wrote (tagging/reference.py), to tell an editor's
    # changes from its own: a field an editor changed is never overwritten by a reload.
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic_detail", args=[self.slug])

    @staticmethod
    def used_publicly():
        # A broader topic is public with its subtopics' remarks too.
        published = Remark.objects.published()
        return Q(Exists(published.filter(topics=OuterRef("pk")))) | Q(
            Exists(published.filter(topics__parent=OuterRef("pk")))
        )


class Entity(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country or territory"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=160, unique=True, validators=[clean_text], help_text="Usual English name.")
    name_zh = models.CharField(
        "Chinese name", max_length=160, blank=True, validators=[clean_text], help_text="Usual name in simplified Chinese (美国)."
    )
    slug = models.SlugField(max_length=160, unique=True, help_text="Used in URLs and filters.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COUNTRY)
    iso_code = models.CharField(
        "ISO code",
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code of a country or territory (US, JP, HK); empty for organisations.",
    )
    reference_key = models.CharField(
        max_length=40,
        blank=True,
        editable=False,
        help_text="The organisation's key in the reference data the project ships.",
    )
    aliases = models.TextField(
        blank=True,
        validators=[clean_text],
        help_text="Other names, one per line, that tag a remark as mentioning it: abbreviations, "
        "long forms, adjectives, Chinese names (US, U.S., American, 美方). A name with a capital "
        "letter matches as written: US is not “us”.",
    )
    listed = models.BooleanField(default=False, help_text=LISTED_HELP)
    # What the reference loader last wrote (tagging/reference.py), as Topic.loaded_values.
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"], condition=~Q(iso_code=""), name="entity_iso_code_unique",
                violation_error_message="Another entity has this ISO code.",
            ),
            models.UniqueConstraint(
                fields=["reference_key"], condition=~Q(reference_key=""), name="entity_reference_key_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("entity_detail", args=[self.slug])

    @staticmethod
    def used_publicly():
        return Q(Exists(Remark.objects.published().filter(entities=OuterRef("pk"))))

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


# Words that say who in an outlet asked, not which outlet: "路透社记者" is Reuters, "NHK
# correspondent" NHK.
OUTLET_ROLE = re.compile(
    r"(?:驻华记者|特约记者|记者提问|记者|主持人)$|[\s'’]*(?:s\s+)?(?:reporter|correspondent|journalist)s?$", re.I
)


def outlet_key(label):
    """What an outlet's label and an alias are compared by: the role word dropped, case,
    spaces and punctuation ignored (“路透社记者：” and “Reuters” against “路透社”, “reuters”)."""
    label = OUTLET_ROLE.sub("", (label or "").strip().rstrip(":：").strip())
    return re.sub(r"[\W_]+", "", label.casefold())


class OutletQuerySet(ReferenceQuerySet):
    _keys = {}

    def resolve(self, label):
        """The outlet whose name or alias `label` is (its id), or None: read from a map of
        every outlet's names, built again only once the outlets changed."""
        key = outlet_key(label)
        if not key:
            return None
        fingerprint = (
            *Outlet.history.aggregate(models.Max("history_id"), models.Max("history_date")).values(),
            Outlet.objects.count(),
        )
        if OutletQuerySet._keys.get("fingerprint") != fingerprint:
            OutletQuerySet._keys = {"fingerprint": fingerprint, "map": outlet_map(Outlet.objects.all())}
        return OutletQuerySet._keys["map"].get(key)


def outlet_map(outlets):
    """{outlet_key: outlet id} of every name and alias; a key two outlets share maps to neither."""
    found = {}
    for outlet in outlets:
        for name in {outlet.name, outlet.name_zh, *outlet.alias_list} - {""}:
            found.setdefault(outlet_key(name), set()).add(outlet.pk)
    return {key: next(iter(ids)) for key, ids in found.items() if key and len(ids) == 1}


class Outlet(models.Model):
    """Who asked: a news organisation, as the transcripts label its journalists' questions."""

    name = models.CharField(max_length=160, unique=True, validators=[clean_text], help_text="Usual English name (Reuters).")
    name_zh = models.CharField(
        "Chinese name", max_length=160, blank=True, validators=[clean_text], help_text="Usual name in simplified Chinese (路透社)."
    )
    slug = models.SlugField(max_length=160, unique=True, help_text="Used in URLs and filters.")
    aliases = models.TextField(
        blank=True,
        validators=[clean_text],
        help_text="Other labels transcripts give it, one per line (总台央视, CCTV). Compared without "
        "the reporter's role (路透社记者 is 路透社), case, spaces or punctuation.",
    )
    listed = models.BooleanField(default=False, help_text=LISTED_HELP)
    reference_key = models.CharField(max_length=40, blank=True, editable=False)
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)
    history = HistoricalRecords()

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_key"], condition=~Q(reference_key=""), name="outlet_reference_key_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("remark_list") + f"?asked_by={self.slug}"

    @staticmethod
    def used_publicly():
        return Q(Exists(Remark.objects.published().filter(asked_by=OuterRef("pk"))))

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


def provenance_fields(*paths):
    """The briefing's fields kept for provenance (the transcript as received, the importer's
    values) for defer(), the briefing's own or at each lookup path ("briefing__" for a remark's):
    they can be long, and no public page shows them."""
    return [f"{path}{name}" for path in paths or [""] for name in ("original_text", "imported_values")]


class BriefingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Briefing.Status.PUBLISHED)

    def with_month(self):
        """Each briefing's YYYYMM month as `year_month`, the month its remarks count in
        (Remark.year_month): /briefings/ figures are kept month by month like theirs."""
        month = models.functions.ExtractYear("date") * 100 + models.functions.ExtractMonth("date")
        # A cast: PostgreSQL's EXTRACT gives numeric, which would come back as Decimal.
        return self.annotate(year_month=models.functions.Cast(month, models.IntegerField()))

    def public_months(self):
        """The months of these briefings that the public sees (for countcache)."""
        return set(self.published().with_month().order_by().values_list("year_month", flat=True).distinct())

    def update(self, **kwargs):
        """Bulk updates (publish/unpublish actions) keep the remarks' copies in step too, and
        change the content version (countcache.py) when a published briefing was touched."""
        with transaction.atomic():
            ids = list(self.values_list("pk", flat=True))
            touched = Briefing.objects.filter(pk__in=ids)
            months = touched.public_months()
            # A bulk change is a change: a form opened before it is stale (Versioned).
            count = super().update(**{"version": models.F("version") + 1, **kwargs})
            if DENORMALISED_FROM_BRIEFING & kwargs.keys():
                Remark.objects.filter(briefing_id__in=ids).copy_from_briefing()  # the remarks' months
            months |= touched.public_months()
            if months:
                bump_content_version(months)  # the briefings' own months, counted on /briefings/
        return count


class Briefing(Versioned):
    # Named in one place, with the parsers that recognise them (importers/base.py).
    Kind = models.TextChoices("Kind", [(value.upper(), (value, label)) for value, label in BRIEFING_KINDS.items()])

    Language = Language

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    ministry = models.ForeignKey(Ministry, on_delete=models.PROTECT, related_name="briefings")
    date = models.DateField(
        validators=[validate_briefing_date],
        help_text="The day the briefing was held (not the day it was posted).",
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.PRESS_CONFERENCE
    )
    language = models.CharField(
        max_length=5,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="Language of this transcript.",
    )
    title = models.CharField(max_length=300, validators=[clean_text], help_text="Title as published by the source.")
    spokesperson = models.ForeignKey(
        Spokesperson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="briefings",
        help_text="The spokesperson who hosted the briefing.",
    )
    source_name = models.CharField(
        max_length=200, blank=True, validators=[clean_text], help_text="Publisher of the transcript, e.g. “Xinhua”."
    )
    source_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[validate_web_address],
        help_text="Where the transcript was published (http or https). One source URL identifies one briefing.",
    )
    news_report = models.BooleanField(
        "news report",
        default=False,
        help_text="The text is a news report of the briefing (a secondary source, published by the Source "
        "above), not the ministry's transcript: its remarks are cited “as reported by” the Source.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published briefings and their remarks are visible to the public.",
    )
    original_text = models.TextField(
        blank=True, help_text="The transcript as received, kept unchanged for provenance."
    )
    translation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The same briefing in the other language. The link is kept on both sides.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The values the last import gave (title, date, kind, language, spokesperson), so that a
    # re-import changes only what no editor has changed since (statements/import_store.py).
    imported_values = models.JSONField(default=dict, blank=True, editable=False)
    # Where the date came from (statements/importers/base.py: find_date); dates are never guessed.
    date_source = models.CharField(
        max_length=10,
        blank=True,
        editable=False,
        choices=[
            ("title", "The title"),
            ("page", "The page's publication date"),
            ("listing", "The ministry's listing"),
            ("editor", "An editor"),
            ("report", "A news report's dateline"),
        ],
        help_text="Where the date came from: the title, the page's publication date, the ministry's "
        "listing that links the page, a news report's dateline and words, or an editor. Empty when not recorded (typed in the admin, "
        "or imported before this was recorded).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Every change is kept and can be restored from the admin (django-simple-history).
    history = HistoricalRecords(excluded_fields=["imported_values"])

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [("publish_briefing", "Can publish and unpublish briefings")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="briefing_source_url_unique",
                violation_error_message="Another briefing already has this source URL.",
            ),
            models.CheckConstraint(
                condition=~Q(translation=models.F("id")),
                name="briefing_not_its_own_translation",
            ),
        ]
        indexes = [
            # /briefings/ and the home page: published briefings, newest first.
            models.Index(fields=["status", "-date"], name="briefing_status_date_idx"),
            # date range and year filters on /remarks/ join through the briefing's date.
            models.Index(fields=["date"], name="briefing_date_idx"),
            # lang and kind facets on /briefings/.
            models.Index(fields=["language"], name="briefing_language_idx"),
            models.Index(fields=["kind"], name="briefing_kind_idx"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("briefing_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def source_link(self):
        """The source URL when it is a web address to follow; never a javascript: or data: link,
        whatever an import or a script stored."""
        return self.source_url if self.source_url.lower().startswith(("http://", "https://")) else ""

    @property
    def reported_by(self):
        """Who reported the briefing, for a news report ("Xinhua"); empty for a transcript."""
        if not self.news_report:
            return ""
        return self.source_name or "a news report"

    def publish(self):
        self.status = self.Status.PUBLISHED

    def save(self, *args, **kwargs):
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()  # the first publication, however it is made
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        with transaction.atomic():
            stored = (
                Briefing.objects.filter(pk=self.pk).values("translation", "spokesperson").first()
                if self.pk
                else None
            ) or {"translation": None, "spokesperson": None}
            super().save(*args, **kwargs)
            self._mirror_translation(stored["translation"])
            if stored["spokesperson"] != self.spokesperson_id:
                self._remarks_follow_host(stored["spokesperson"])

    def _remarks_follow_host(self, previous_host):
        """A remark's speaker is the host unless it names someone else: remarks that had no
        speaker or the previous host now have the new one (an import may set the host later)."""
        Remark.objects.filter(briefing=self).filter(
            Q(speaker__isnull=True) | Q(speaker=previous_host) if previous_host else Q(speaker__isnull=True)
        ).exclude(speaker=self.spokesperson_id).update(speaker=self.spokesperson_id)

    def _mirror_translation(self, previous_partner):
        """Keep the translation link symmetric: A ↔ B, never A → B → C."""
        others = Briefing.objects.exclude(pk=self.pk)
        if previous_partner and previous_partner != self.translation_id:
            others.filter(pk=previous_partner, translation=self.pk).update(translation=None)
        if self.translation_id:
            # Whoever pointed at our new partner, or at us, loses that link.
            others.filter(translation=self.translation_id).update(translation=None)
            others.filter(translation=self.pk).exclude(pk=self.translation_id).update(
                translation=None
            )
            others.filter(pk=self.translation_id).update(translation=self.pk)


# Remark columns copied from its briefing so the remark pages filter, facet and sort on one
# table (see Remark.Meta.indexes). Kept in step by copy_from_briefing(), called from
# statements/signals.py on every save and from BriefingQuerySet.update().
DENORMALISED_FROM_BRIEFING = {"status", "date", "language", "ministry", "ministry_id"}


# Remarks being renumbered are parked this far up first, so that no intermediate state of a
# reordering (the admin's, an import's) trips the (briefing, position) unique constraint.
POSITION_PARKING_OFFSET = 1_000_000


# What a bulk update of remarks may not write: the copied columns (derived from the briefing by
# copy_from_briefing) and the text (a change of published text is recorded as a correction by
# Remark.save). Fields that decide visibility or counts are re-derived after the update.
NOT_BULK_WRITABLE = {"is_public", "date", "year_month", "language", "ministry", "ministry_id",
                     "question", "answer", "outlet", "corrected_at", "correction"}
NEUTRAL_FIELDS = {"position", "translation", "translation_id", "imported_fingerprint", "version", "updated_at"}


class RemarkQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Bulk updates keep derived data right: the version moves (a form opened before is
        stale); a change to what visibility or counts read (briefing, speaker, kind, withdrawal,
        merge) re-derives the copied columns and moves the months it touched (countcache.py)."""
        if refused := NOT_BULK_WRITABLE & kwargs.keys():
            raise TypeError(
                f"Remark {', '.join(sorted(refused))} cannot be bulk updated: the copied columns follow "
                "the briefing (copy_from_briefing) and text changes go through save()."
            )
        kwargs = {"version": models.F("version") + 1, **kwargs}
        if kwargs.keys() <= NEUTRAL_FIELDS:
            return super().update(**kwargs)
        with transaction.atomic():
            ids = list(self.values_list("pk", flat=True))
            months = Remark.objects.filter(pk__in=ids).public_months()
            count = super().update(**kwargs)
            Remark.objects.filter(pk__in=ids).copy_from_briefing()  # moves the months after
            if months:
                bump_content_version(months)
        return count

    def published(self):
        # "IN (true)", not the bare boolean column Django writes for is_public=True: SQLite seeks
        # an index only on a comparison it can see (docs/benchmarks.md, "Measured reasons"). PostgreSQL plans both alike.
        return self.filter(is_public__in=[True])

    def one_version_per_exchange(self, language=None):
        """One remark per exchange published in two languages: the version in `language`, or
        in its ministry's own language (the original) when `language` is None. An exchange
        whose other version is not public, or a ministry whose language is not known, keeps
        what it has."""
        single = Q(translation__isnull=True) | Q(translation__is_public=False)
        if language is None:
            return self.filter(single | Q(language=models.F("ministry__language")) | Q(ministry__language=""))
        return self.filter(single | Q(language=language) | ~Q(translation__language=language))

    def copy_from_briefing(self):
        """Refresh the copied briefing columns of these remarks in one UPDATE.

        Called after every save of a remark or its briefing, so it is also where the content
        version changes (countcache.py) when a public remark changed or visibility did.
        """
        public_months = self.public_months()
        briefing = Briefing.objects.filter(pk=models.OuterRef("briefing_id"))
        count = super().update(
            # Without a speaker of its own a remark is the host's.
            speaker=models.functions.Coalesce("speaker", models.Subquery(briefing.values("spokesperson")[:1])),
            is_public=models.Case(
                models.When(
                    models.Exists(briefing.filter(status=Briefing.Status.PUBLISHED))
                    & Q(withdrawn_at__isnull=True, merged_into__isnull=True),
                    then=True,
                ),
                default=False,
            ),
            date=models.Subquery(briefing.values("date")[:1]),
            year_month=models.Subquery(
                briefing.annotate(
                    ym=models.functions.ExtractYear("date") * 100 + models.functions.ExtractMonth("date")
                ).values("ym")[:1]
            ),
            language=models.Subquery(briefing.values("language")[:1]),
            ministry=models.Subquery(briefing.values("ministry")[:1]),
        )
        # The months these remarks counted in before, and count in now.
        public_months |= self.public_months()
        if public_months:
            bump_content_version(public_months)
        return count

    def public_months(self):
        """The YYYYMM months of these remarks that the public sees (for countcache)."""
        return set(self.filter(is_public=True).order_by().values_list("year_month", flat=True).distinct())

    def taken_off(self, pk):
        """A remark of a published briefing that left the site — withdrawn, or merged into
        another (its merged_into_id says which) — or None: its permalink answers 410 or 301;
        any other non-public id is a 404."""
        return (
            self.select_related("briefing")
            .filter(pk=pk, briefing__status=Briefing.Status.PUBLISHED)
            .filter(Q(withdrawn_at__isnull=False) | Q(merged_into__isnull=False))
            .first()
        )

    def newest_first(self):
        return self.order_by("-date", "-briefing_id", "position")

    def oldest_first(self):
        return self.order_by("date", "briefing_id", "position")

    def for_listing(self):
        """Everything a result list shows (templatetags/listing_markup.remark_items: its
        topics, not the entities it mentions), fetched in a fixed number of queries."""
        return (
            self.select_related("briefing__ministry", "briefing__spokesperson", "speaker")
            .defer(*provenance_fields("briefing__"))
            .prefetch_related("topics")
        )


class Remark(Versioned):
    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        QUESTION_AND_ANSWER = "qa", "Question and answer"

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="remarks")
    position = models.PositiveIntegerField(
        help_text="Order within the briefing: 1 is the first remark."
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.QUESTION_AND_ANSWER,
        help_text="An opening announcement, or a question and its answer.",
    )
    question = models.TextField(
        blank=True, validators=[clean_text], help_text="The question as asked; empty for announcements."
    )
    outlet = models.CharField(
        max_length=200,
        blank=True,
        validators=[clean_text],
        help_text="The asking outlet when the transcript names it (Reuters, AFP, CCTV).",
    )
    asked_by = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="remarks",
        help_text="The outlet named, as reference data: found from the outlet as written.",
    )
    answer = models.TextField(
        validators=[clean_text],
        help_text="The spokesperson's words: the announcement, or the answer to the question.",
    )
    review_note = models.CharField(
        max_length=300, blank=True, validators=[clean_text], verbose_name="check",
        help_text="Why the import asks an editor to check this remark (an answer the page left "
        "without its label, a question with no answer found). Empty it once checked.",
    )
    speaker = models.ForeignKey(
        Spokesperson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remarks",
        help_text="Who spoke. Left empty, it is the briefing's host.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="remarks")
    entities = models.ManyToManyField(
        Entity,
        blank=True,
        related_name="remarks",
        verbose_name="mentions",
        help_text="Countries and organisations the remark mentions.",
    )
    translation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The same remark in the briefing's translation.",
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a publisher withdrew the remark; its permalink then answers 410 Gone.",
    )
    withdrawal_note = models.TextField(
        blank=True, editable=False, help_text="Why it was withdrawn, shown on its permalink."
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_remarks",
        help_text="The remark this duplicate was merged into; its permalink redirects there.",
    )
    corrected_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the text last changed after publication; shown on the permalink.",
    )
    correction = models.CharField(
        max_length=200, blank=True, editable=False,
        help_text="What the corrections after publication changed, e.g. “wording of the answer”.",
    )
    # Fingerprint of the text as last imported; differs from text_fingerprint() once an editor
    # has changed the remark, and a re-import then leaves it alone. Empty for typed remarks.
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Copies of the briefing's columns (DENORMALISED_FROM_BRIEFING); never edited by hand.
    # is_public: the briefing is published and the remark neither withdrawn nor merged.
    is_public = models.BooleanField(default=False, editable=False)
    date = models.DateField(null=True, editable=False)
    year_month = models.PositiveIntegerField(null=True, editable=False, help_text="YYYYMM")
    language = models.CharField(max_length=5, blank=True, editable=False)
    ministry = models.ForeignKey(
        Ministry, null=True, on_delete=models.PROTECT, editable=False, related_name="+"
    )

    history = HistoricalRecords(
        m2m_fields=[topics, entities],
        # The copies of the briefing's columns are derived, not edited: no history of their own.
        excluded_fields=["is_public", "date", "year_month", "language", "ministry", "asked_by"],
    )

    objects = RemarkQuerySet.as_manager()

    class Meta:
        ordering = ["briefing", "position"]
        permissions = [
            ("withdraw_remark", "Can withdraw remarks and restore them"),
            ("merge_remark", "Can merge duplicate remarks"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "position"],
                name="remark_position_unique_in_briefing",
                violation_error_message="Two remarks of one briefing cannot share a position.",
            ),
        ]
        indexes = [
            # /remarks/ newest first (the default order) and the date range filters.
            models.Index(
                fields=["is_public", "-date", "-briefing", "position"], name="remark_public_newest_idx"
            ),
            # Facets and filters on /remarks/: one index per filtered column, public rows first.
            models.Index(fields=["is_public", "speaker"], name="remark_public_speaker_idx"),
            models.Index(fields=["is_public", "ministry"], name="remark_public_ministry_idx"),
            models.Index(fields=["is_public", "language"], name="remark_public_language_idx"),
            models.Index(fields=["is_public", "kind"], name="remark_public_kind_idx"),
            models.Index(fields=["is_public", "year_month"], name="remark_public_month_idx"),
            models.Index(fields=["is_public", "asked_by"], name="remark_public_asked_by_idx"),
        ]

    def __str__(self):
        return f"{self.briefing.date:%Y-%m-%d} #{self.position}: {self.excerpt}"

    def speaker_label(self, native=False):
        """Who spoke, as a heading or a card names them: the speaker (in their own script with
        `native`, where the archive has it), else the ministry's short name."""
        if self.speaker is None:
            return self.briefing.ministry.short_name
        return (native and self.speaker.native_name) or self.speaker.name

    def get_absolute_url(self):
        return reverse("remark_detail", args=[self.pk])

    def text_fingerprint(self):
        return text_fingerprint(self.kind, self.question, self.answer, self.outlet)

    @property
    def edited_since_import(self):
        return self.imported_fingerprint != self.text_fingerprint()

    def opening(self, limit=320):
        """The answer's first sentences, whole, up to about `limit` characters."""
        text = " ".join(self.answer.split())
        if len(text) <= limit:
            return text
        ends = [m.end() for m in SENTENCE_END.finditer(text, 0, limit)]
        if ends and ends[-1] >= limit // 3:
            return text[: ends[-1]].strip() + " …"
        return text[: limit - 1].rsplit(" ", 1)[0] + "…"

    @property
    def excerpt(self):
        text = " ".join(self.answer.split())
        return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "…"

    def save(self, *args, **kwargs):
        if self.speaker_id is None and self.kind and self.briefing_id:
            self.speaker_id = self.briefing.spokesperson_id
        if kwargs.get("update_fields") is None:
            self.asked_by_id = Outlet.objects.resolve(self.outlet)
        if self.pk and not self._state.adding and self._note_correction():
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "corrected_at", "correction"}
        super().save(*args, **kwargs)

    def _note_correction(self):
        """A change of public text is a correction, said on the permalink. Spacing alone is not."""
        stored = Remark.objects.filter(pk=self.pk, is_public=True).values(*CORRECTIONS).first()
        if stored is None:
            return False
        changed = [
            label for name, label in CORRECTIONS.items()
            if " ".join(str(stored[name]).split()) != " ".join(str(getattr(self, name)).split())
        ]
        if not changed:
            return False
        earlier = [part for part in self.correction.split("; ") if part]
        self.corrected_at = timezone.now()
        self.correction = "; ".join(label for label in CORRECTIONS.values() if label in {*earlier, *changed})[:200]
        return True

    def withdraw(self, note):
        """Take the remark off the site; its permalink answers 410 Gone with the note."""
        self.withdrawn_at, self.withdrawal_note = timezone.now(), note
        self.save(update_fields=["withdrawn_at", "withdrawal_note", "updated_at"])

    def restore(self):
        self.withdrawn_at, self.withdrawal_note = None, ""
        self.save(update_fields=["withdrawn_at", "withdrawal_note", "updated_at"])

    def merge_into(self, survivor):
        """Make this remark a duplicate of `survivor`: its topics and mentions move there and its
        permalink redirects (301) there, as do the permalinks of remarks merged into it before."""
        if survivor.pk == self.pk:
            raise ValidationError("A remark cannot be merged into itself.")
        if survivor.merged_into_id or survivor.withdrawn_at:
            raise ValidationError(f"Remark {survivor.pk} is itself merged or withdrawn; choose another survivor.")
        if self.merged_into_id:
            raise ValidationError(f"Remark {self.pk} is already merged into remark {self.merged_into_id}.")
        public = set(Remark.objects.filter(pk__in=[self.pk, survivor.pk], is_public=True).values_list("pk", flat=True))
        if self.pk in public and survivor.pk not in public:
            raise ValidationError(
                f"Remark {survivor.pk} is not on the public site (its briefing is a draft): a public "
                "remark can only be merged into a public one, or its permalink would lead nowhere."
            )
        with transaction.atomic():
            survivor.topics.add(*self.topics.all())
            survivor.entities.add(*self.entities.all())
            # Chains stay one hop long: whatever pointed here now points to the survivor.
            for earlier in Remark.objects.filter(merged_into=self):
                earlier.merged_into = survivor
                earlier.save(update_fields=["merged_into", "updated_at"])
            self.merged_into = survivor
            self.save(update_fields=["merged_into", "updated_at"])

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class AutoTag(models.Model):
    """A topic or mention the tagger put on a remark (statements/tagging/), and what an editor
    decided about it. While pending, the tag is on the remark and public with it; accepted, it
    stays whatever the rules later say; rejected, it is off the remark and re-tagging never puts
    it back. A tag on a remark with no AutoTag is an editor's own, and re-tagging leaves it."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not reviewed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    remark = models.ForeignKey(Remark, on_delete=models.CASCADE, related_name="auto_tags")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="auto_tags")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="auto_tags")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    matched = models.CharField(max_length=300, blank=True, help_text="The words of the remark that matched the rule.")
    tagged_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "automatic tag"
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=True, entity__isnull=False) | Q(topic__isnull=False, entity__isnull=True),
                name="autotag_topic_or_entity",
            ),
            models.UniqueConstraint(fields=["remark", "topic"], condition=Q(topic__isnull=False), name="autotag_remark_topic_unique"),
            models.UniqueConstraint(fields=["remark", "entity"], condition=Q(entity__isnull=False), name="autotag_remark_entity_unique"),
        ]
        indexes = [
            # The review queue: pending tags of one topic or entity, newest remarks first.
            models.Index(fields=["decision", "topic", "-remark"], name="autotag_queue_topic_idx"),
            models.Index(fields=["decision", "entity", "-remark"], name="autotag_queue_entity_idx"),
        ]

    def __str__(self):
        return f"{self.tag} on remark {self.remark_id} ({self.get_decision_display().lower()})"

    @property
    def tag(self):
        return self.topic or self.entity


# The fields whose change after publication is a correction, and how the permalink names it.
CORRECTIONS = {
    "answer": "wording of the answer",
    "question": "wording of the question",
    "outlet": "asking outlet",
    "kind": "kind of remark",
}

# The end of a sentence in English or Chinese text, for Remark.opening().
SENTENCE_END = re.compile(r"[.!?](?=\s)|[。！？]")


def text_fingerprint(kind, question, answer, outlet):
    """What identifies a remark's text across imports (statements/import_store.py)."""
    return hashlib.sha256("\x1f".join([kind, question, answer, outlet]).encode()).hexdigest()


class ContentVersion(models.Model):
    """A single row whose token changes in the same transaction as every change to the content.

    Cached counts are keyed by it (statements/countcache.py). A fresh random token per change,
    not a counter: a rolled-back change must never leave a token that a later one reuses.
    """

    token = models.CharField(max_length=32)


class MonthVersion(models.Model):
    """A token per month of remark dates, changed with the content version whenever a public
    remark of that month changes: cached counts kept month by month (countcache.py) recount only
    the months whose token moved. Month 0 stands for remarks without a date; month 1 for every
    month, moved by changes that cannot say which months they touched; month 2 for the database
    itself, never moved."""

    month = models.PositiveIntegerField(primary_key=True, help_text="YYYYMM")
    token = models.CharField(max_length=32)


# Content versions -------------------------------------------------------------------------------
# Every change to public content moves these tokens in its own transaction; counts are cached
# under them (statements/countcache.py). Writers move them; readers never write (a read replica
# serves pages): migration 0017 creates the rows.

VERSION_ROW = 1
# MonthVersion rows that are not months: remarks without a date, a token that moves when a
# change cannot say which months it touched, and which database this is (written once by
# migration 0023: what is derived from another database is never taken for this one's).
NO_MONTH = 0
EVERY_MONTH = 1
DATABASE = 2
NOT_MONTHS = {EVERY_MONTH, DATABASE}


# What a page is being computed under (pinned_content_version), per thread and request.
_pinned = contextvars.ContextVar("pinned_versions", default=None)


def content_version():
    """The token of the content as it stands. Without its row (a database emptied since it was
    migrated), a token for this read alone: nothing cached under it is ever read again."""
    pinned = _pinned.get()
    if pinned is not None and "version" in pinned:
        return pinned["version"]
    token = ContentVersion.objects.filter(pk=VERSION_ROW).values_list("token", flat=True).first()
    return token or uuid.uuid4().hex


@contextlib.contextmanager
def pinned_content_version():
    """Within it, content_version() is read once, and month_tokens() at most once: every part
    of a page (the page kept whole, its counts, its fragments, the search engine's look at the
    months) is computed under the same versions, for one query each."""
    reset = _pinned.set({"version": content_version()})
    try:
        yield _pinned.get()["version"]
    finally:
        _pinned.reset(reset)


def month_tokens():
    """{month: token}, with EVERY_MONTH's and the DATABASE's: months kept for another database
    (a copy, another server's backup, a test) sharing the cache or the index never match.
    Without their rows, as above."""
    pinned = _pinned.get()
    if pinned is not None and "months" in pinned:
        return dict(pinned["months"])
    tokens = dict(MonthVersion.objects.values_list("month", "token"))
    for row in NOT_MONTHS:
        tokens.setdefault(row, uuid.uuid4().hex)
    if pinned is not None:
        pinned["months"] = dict(tokens)
    return tokens


def month_filter(months):
    """The remarks of `months` (a set of YYYYMM, NO_MONTH for undated), as filter() arguments."""
    dated = [m for m in months if m != NO_MONTH]
    condition = Q(year_month__in=dated)
    if NO_MONTH in months:
        condition |= Q(year_month__isnull=True)
    return condition


def moved_months(kept, tokens):
    """The months whose token differs between `kept` and `tokens` ({month: token}, as
    month_tokens() gives them); None when EVERY_MONTH moved, or the DATABASE is another (or
    nothing was kept): everything."""
    if kept is None or any(kept.get(row) != tokens.get(row) for row in NOT_MONTHS):
        return None
    return {m for m in kept.keys() | tokens.keys() if kept.get(m) != tokens.get(m)} - NOT_MONTHS


def bump_content_version(months=None):
    """Mark the public content changed. `months`: the YYYYMM months of remark dates whose counts
    the change can have moved (an empty collection when no count can move, e.g. a briefing's
    title); None, the safe default, when the caller cannot tell: every count is then redone."""
    _move({EVERY_MONTH} if months is None else {month or NO_MONTH for month in months})
    return _new_version()


def _new_version():
    token = uuid.uuid4().hex
    if not ContentVersion.objects.filter(pk=VERSION_ROW).update(token=token):
        try:
            with transaction.atomic():
                ContentVersion.objects.create(pk=VERSION_ROW, token=token)
        except IntegrityError:  # another writer created it first
            ContentVersion.objects.filter(pk=VERSION_ROW).update(token=token)
    return token


def _move(months):
    token = uuid.uuid4().hex
    if months:
        MonthVersion.objects.bulk_create(
            [MonthVersion(month=month, token=token) for month in months],
            update_conflicts=True,
            unique_fields=["month"],
            update_fields=["token"],
        )
    return token


def validate_source_format(value):
    """A sync source's format must be a transcript format that can read listings too."""
    try:
        module = format_named(value)
    except TranscriptError as error:
        raise ValidationError(str(error)) from None
    if not hasattr(module, "read_listing"):
        raise ValidationError(f"The {value!r} format reads transcripts but not listing pages.")


class Source(models.Model):
    """A listing of transcripts on a ministry's site that `manage.py sync_transcripts` keeps the
    archive in step with (statements/sync.py). Sources are data: the ministry moves its pages
    from time to time, and another ministry is another row (docs/importing.md)."""

    name = models.CharField(max_length=200, unique=True, help_text="What editors call it, e.g. “PRC MFA regular press conferences (English)”.")
    slug = models.SlugField(max_length=60, unique=True, help_text="Names the source on the command line: sync_transcripts SLUG.")
    listing_url = models.URLField(
        max_length=500,
        unique=True,
        validators=[validate_web_address],
        help_text="The first page of the listing, newest first, e.g. …/default.shtml; its next pages are "
        "found from it (…/default_1.shtml, …).",
    )
    language = models.CharField(max_length=5, choices=Briefing.Language.choices, help_text="Language of its transcripts.")
    ministry = models.ForeignKey(
        Ministry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="Whose transcripts these are. Left empty, it is set by the first import (the pages name their ministry).",
    )
    format = models.CharField(
        max_length=40,
        default="mfa",
        validators=[validate_source_format],
        help_text="The importer that reads its pages: a module of statements/importers (“mfa” for fmprc.gov.cn).",
    )
    enabled = models.BooleanField(default=True, help_text="Synced by a run that names no source (the daily sync).")
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The last run that read the listing and finished."
    )
    last_error = models.TextField(blank=True, editable=False, help_text="What went wrong in the last run, if anything.")
    last_summary = models.CharField(max_length=300, blank=True, editable=False)
    last_counts = models.JSONField(default=dict, blank=True, editable=False)
    # The listing has been read to its end once: later runs stop where they reach pages they know.
    walked_to_end = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class SourcePage(models.Model):
    """One page of a source as the sync last saw it: a listing page (with the links it gave) or
    a transcript (with what became of it). The validators make the next request conditional."""

    class State(models.TextChoices):
        PENDING = "pending", "Not fetched yet"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        NEEDS_REVIEW = "needs_review", "Changed upstream, needs review"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(max_length=MAX_ADDRESS_LENGTH, help_text="Its address on the ministry's site.")
    is_listing = models.BooleanField(default=False)
    title = models.CharField(max_length=300, blank=True, help_text="The link's text in the listing.")
    listing_date = models.DateField(null=True, blank=True, help_text="The date the listing gives it, if it settles one.")
    listing_note = models.CharField(max_length=300, blank=True, help_text="How the listing dates it, or why it cannot.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    message = models.TextField(blank=True, help_text="Why it failed or needs review; the import's notes.")
    briefing = models.ForeignKey(Briefing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    etag = models.CharField(max_length=MAX_ETAG, blank=True)
    last_modified = models.CharField(max_length=MAX_LAST_MODIFIED, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    links = models.JSONField(default=list, blank=True, help_text="A listing page's entries: [url, title, printed date].")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row.")
    attempted_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True, help_text="When the sync made its briefing.")

    class Meta:
        ordering = ["source", "-listing_date", "url"]
        constraints = [models.UniqueConstraint(fields=["source", "url"], name="source_page_unique_url")]
        indexes = [
            # A run's work list and the source's admin page: pages of a source by state.
            models.Index(fields=["source", "state"], name="source_page_state_idx"),
        ]

    def __str__(self):
        return self.title or self.url


# Email alerts (statements/alerts.py, docs/alerts.md) --------------------------------------------


def new_link_token():
    """The secret in a subscriber's links: whoever holds it manages the alerts, no account needed."""
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """An address that receives alerts. It is personal data: only superusers see it in the admin,
    unsubscribing deletes it with everything it follows, and an address that never confirms is
    deleted after a few days (send_alerts)."""

    email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True, default=new_link_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a confirmation link was first followed (double opt-in)."
    )
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The last confirmation email: at most one per ALERTS_CONFIRMATION_INTERVAL."
    )
    # Confirmations sent on one day (UTC): at most ALERTS_CONFIRMATIONS_PER_DAY, so that nobody can
    # use the form to send an address mail after mail.
    confirmations_day = models.DateField(null=True, blank=True, editable=False)
    confirmations_that_day = models.PositiveSmallIntegerField(default=0, editable=False)
    digested_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The last digest looked for remarks published up to here."
    )

    class Meta:
        constraints = [
            # One subscriber per address, whatever its case: the subscribe form finds it again.
            models.UniqueConstraint(models.functions.Lower("email"), name="subscriber_email_unique"),
        ]

    def __str__(self):
        return self.email


class Alert(models.Model):
    """One /remarks/ state a subscriber follows, sent only once its confirmation link was followed."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    query = models.TextField(
        blank=True, help_text="The /remarks/ state as a canonical query string without “?”; empty: every remark."
    )
    # A hash, so that the uniqueness below holds for a query of any length (an index entry cannot).
    query_key = models.CharField(max_length=64, editable=False)
    label = models.TextField(help_text="What it follows, in words: “Remarks on Trade by Hua Chunying”.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "query_key"], name="alert_unique_per_subscriber"),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.query_key = hashlib.sha256(self.query.encode()).hexdigest()
        super().save(*args, **kwargs)


class Digest(models.Model):
    """One email to one subscriber, written before it is sent: a run that stops after writing it
    sends it next time instead of building another (docs/alerts.md, "Idempotence")."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="digests")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # [{"alert": id, "label": …, "query": …, "remarks": [remark ids], "more": n}, …]: one section
    # per alert, each remark in one section only.
    sections = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # send_alerts: the digests still to send, and whether a subscriber has one.
            models.Index(fields=["subscriber"], condition=Q(sent_at__isnull=True), name="digest_pending_idx"),
        ]

    def __str__(self):
        return f"Digest {self.pk} of {self.created_at:%Y-%m-%d}"

    def remark_ids(self):
        return [pk for section in self.sections for pk in section["remarks"]]


class SentRemark(models.Model):
    """A remark a digest of this subscriber holds or counted: never put in another of them."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    # A record, not a dependency: deleting a remark need not visit every subscriber's history.
    remark = models.ForeignKey(Remark, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="sent_remarks")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "remark"], name="sent_remark_once_per_subscriber"),
        ]
