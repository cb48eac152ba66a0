"""Keeping the archive current: walk a source's listing on the ministry's site, newest first,
fetch each transcript the archive does not hold yet (and re-check recent ones), and import it
with the importer every other path uses (statements/import_store.py: store_briefing).

A run, per source (models.Source):

1. **Walk the listing** page by page (listing_page_url: default.shtml, default_1.shtml, …),
   each request conditional on what the last run saw (a 304 reuses the links stored with the
   page). The walk stops at the listing's end; before that, with --since, once the listing is
   older than --since; without it, once the listing has been read to its end in an earlier run
   and a whole page holds only pages the sync already knows (new transcripts appear at the top).
   It never stops right after an entry that no date settles yet: the entry after it is needed
   to date it.
2. **Date the entries** from the listing (importers/listing.py: date_entries) and record every
   new one as a pending SourcePage, all at once, before fetching any: an interrupted run leaves
   them pending, and the next run fetches them whether or not its walk reaches them again.
3. **Fetch and import** what is due, newest first: pending pages; failed ones again after a
   pause that doubles with each failure (an hour, two, four… at most a week; --retry-failed
   retries them now); imported ones when recent (RECHECK_DAYS) or when --since/--until names
   their range, with a conditional GET, so an unchanged page costs a 304 and writes nothing.
   Each page is imported in its own transaction with its SourcePage row, so a page is either
   done or still to do. A page that differs from a **published** briefing is not written
   (store.PublishedChanged): it is "changed upstream, needs review", counted and shown on the
   source's admin page, and checked again on every run until someone resolves it.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from .importers import DateNeeded, Hints, TranscriptError, decode, format_named, parse_transcript
from .importers.fetch import FetchError, Fetcher, allow_private_default
from .importers.listing import Entry, date_entries
from .import_store import PublishedChanged, known_speaker_labels, spokesperson_summary, store_briefing
from .models import Briefing, Source, SourcePage

# Transcripts are corrected soon after they are posted, if at all: recent ones are re-checked
# on every run (a conditional GET each), older ones only when a run names their dates.
RECHECK_DAYS = 7
MAX_RETRY_PAUSE = datetime.timedelta(days=7)
# A listing that never ends (a site answering every page number with the same page) stops here.
logger = logging.getLogger(__name__)

MAX_LISTING_PAGES = 5000
# The most entries one walk keeps (the ministry's English listing holds a few thousand): past it a
# listing is broken or hostile, and the walk stops as if interrupted (the next run goes on).
MAX_WALK_ENTRIES = 50_000


def mirror(url, base_url):
    """`url` on a mirror with the same paths: --base-url swaps the scheme and host, and puts its
    own path before the page's (a mirror under /copy/ serves /copy/mfa_eng/…)."""
    if not base_url:
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    return urlunsplit(parts._replace(scheme=base.scheme, netloc=base.netloc, path=base.path.rstrip("/") + parts.path))


def fetched_from(message, url, base_url):
    """A fetch's error `message` naming the address actually fetched when a mirror served it."""
    fetched = mirror(url, base_url)
    return message if fetched == url else f"{message} (fetched from {fetched})"


@dataclass
class Options:
    since: datetime.date | None = None
    until: datetime.date | None = None
    base_url: str = ""
    create_spokespersons: bool = False
    publish: bool = False
    dry_run: bool = False
    retry_failed: bool = False
    today: datetime.date | None = None

    @property
    def explicit_range(self):
        return self.since is not None or self.until is not None


@dataclass
class Tally:
    listing_pages: int = 0
    listing_not_modified: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    failed: int = 0
    needs_review: int = 0
    to_check: int = 0  # remarks imported with a review note (an answer without its label…)
    results: list = field(default_factory=list, repr=False)

    def add(self, other):
        for f in fields(self):
            if f.name != "results":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.results.extend(other.results)

    def counts(self):
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "results"}

    def summary(self):
        line = (
            f"{self.listing_pages} listing pages ({self.listing_not_modified} not modified), "
            f"{self.fetched} transcripts fetched: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.not_modified} not modified, {self.failed} failed, "
            f"{self.needs_review} changed upstream (need review); remarks to check: {self.to_check}"
        )
        spokespersons = spokesperson_summary(self.results)
        return f"{line}; {spokespersons}" if spokespersons else line


class SyncError(Exception):
    """A source that cannot be synced at all (its listing cannot be read)."""


def _retry_due(page, now):
    if page.attempted_at is None:
        return True
    pause = min(datetime.timedelta(hours=2 ** max(page.attempts - 1, 0)), MAX_RETRY_PAUSE)
    return page.attempted_at + pause <= now


class SourceSync:
    """One run over one source. `write` receives each line of progress."""

    def __init__(self, source, options, fetcher, write=print):
        self.source, self.options, self.fetcher, self.write = source, options, fetcher, write
        self.module = format_named(source.format)
        self.today = options.today or timezone.localdate()
        self.tally = Tally()
        self.walk_error = ""
        self.first_failure = ""
        self.crash = ""  # what broke the run, when something did

    # --- 1. the listing ---------------------------------------------------------------------------

    def walk(self):
        """(entries newest first, whether the walk reached the listing's end)."""
        source, options = self.source, self.options
        stored = {page.url: page for page in source.pages.filter(is_listing=True)}
        known = set(source.pages.filter(is_listing=False).values_list("url", flat=True))
        entries, seen, count = [], set(), None
        for number in range(MAX_LISTING_PAGES):
            if count is not None and number >= count:
                return entries, True
            url = self.module.listing_page_url(source.listing_url, number)
            page = stored.get(url)
            reuse = page is not None and bool(page.links)
            try:
                response = self.fetcher.get(
                    mirror(url, options.base_url),
                    etag=page.etag if reuse else "", last_modified=page.last_modified if reuse else "",
                )
            except FetchError as error:
                if number > 0 and error.status in (404, 410):
                    return entries, True  # past the last page
                self.walk_error = f"listing page {url} could not be read: {fetched_from(str(error), url, options.base_url)}"
                self.write(f"  {self.walk_error}")
                return entries, False
            self.tally.listing_pages += 1
            if response.not_modified:
                self.tally.listing_not_modified += 1
                links = [Entry(u, t, datetime.date.fromisoformat(d) if d else None) for u, t, d in page.links]
                pages = page.page_count
            else:
                links, pages = self.module.read_listing(decode(response.body), url, source.listing_url)
                self._remember_listing(page, url, response, links, pages)
            count = pages or count
            fresh = [entry for entry in links if entry.url not in seen]
            self.write(
                f"  listing page {number + 1}{f'/{count}' if count else ''}: {len(links)} links"
                + (" (not modified)" if response.not_modified else "")
            )
            if not links and number == 0:
                self.walk_error = f"listing page {url} links to no transcript: has the site changed its pages?"
                self.write(f"  {self.walk_error}")
                return entries, False
            if not fresh:
                return entries, True  # an empty page, or the same page again: the end
            seen.update(entry.url for entry in fresh)
            entries.extend(fresh)
            if len(entries) >= MAX_WALK_ENTRIES:
                self.write(f"  stopped after {len(entries)} links: more than a listing of transcripts holds")
                return entries, False
            if self._far_enough(entries, fresh, known):
                return entries, False
        return entries, False

    def _far_enough(self, entries, page_entries, known):
        last = entries[-1]
        if date_entries([last], today=self.today)[0].date is None:
            return False  # the next entry is needed to date this one
        dates = [d.date for d in date_entries(page_entries, today=self.today) if d.date]
        if self.options.since is not None:
            return bool(dates) and min(dates) < self.options.since
        return self.source.walked_to_end and all(entry.url in known for entry in page_entries)

    def _remember_listing(self, page, url, response, links, pages):
        if self.options.dry_run:
            return
        page = page or SourcePage(source=self.source, url=url, is_listing=True)
        page.etag, page.last_modified = response.etag, response.last_modified
        page.links = [[e.url, e.title, e.printed_date.isoformat() if e.printed_date else ""] for e in links]
        page.page_count = pages
        page.content_sha256 = hashlib.sha256(response.body).hexdigest()
        page.fetched_at = timezone.now()
        page.save()

    # --- 2. what the listing gives ----------------------------------------------------------------

    def record(self, entries, complete):
        """The SourcePage of every entry, new ones saved as pending (or as held, when a briefing
        already has the address), with the listing's date; returns them in listing order with
        whether this run covers them."""
        dated = date_entries(entries, today=self.today, complete=complete)
        existing = {page.url: page for page in self.source.pages.filter(is_listing=False).select_related("briefing")}
        unknown = [entry.url for entry in entries if entry.url not in existing]
        held = dict(Briefing.objects.filter(source_url__in=unknown).values_list("source_url", "pk")) if unknown else {}
        pages, new, changed = [], [], []
        for entry, listed in zip(entries, dated):
            values = {"title": entry.title[:300], "listing_date": listed.date, "listing_note": listed.note[:300]}
            page = existing.get(entry.url)
            if page is None:
                page = SourcePage(source=self.source, url=entry.url, **values)
                if entry.url in held:
                    page.state, page.briefing_id = SourcePage.State.IMPORTED, held[entry.url]
                new.append(page)
            elif any(getattr(page, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(page, name, value)
                changed.append(page)
            pages.append((page, self._covers(listed.earliest, listed.latest)))
        if not self.options.dry_run:
            with transaction.atomic():
                SourcePage.objects.bulk_create(new)
                SourcePage.objects.bulk_update(changed, ["title", "listing_date", "listing_note"])
                if complete and not self.source.walked_to_end:
                    self.source.walked_to_end = True
                    self.source.save(update_fields=["walked_to_end"])
        return pages

    def _covers(self, earliest, latest):
        """Whether a page dated somewhere in [earliest, latest] is in --since/--until."""
        since, until = self.options.since, self.options.until
        if since and latest is not None and latest < since:
            return False
        if until and earliest is not None and earliest > until:
            return False
        return True

    # --- 3. fetching and importing ----------------------------------------------------------------

    def due(self, page, now):
        state = SourcePage.State
        if page.state == state.PENDING or page.state == state.NEEDS_REVIEW:
            return True
        if page.state == state.FAILED:
            return self.options.retry_failed or _retry_due(page, now)
        if self.options.explicit_range:
            return True
        date = page.listing_date or (page.briefing.date if page.briefing_id and page.briefing else None)
        return date is not None and date >= self.today - datetime.timedelta(days=RECHECK_DAYS)

    def work(self, listed):
        """The pages to fetch: those of the walk in listing order, then any left pending or
        failed by earlier runs that this walk did not reach (an interrupted run's)."""
        now = timezone.now()
        todo = [page for page, covered in listed if covered and self.due(page, now)]
        walked = {page.url for page, _ in listed}
        leftovers = (
            self.source.pages.filter(is_listing=False, state__in=[SourcePage.State.PENDING, SourcePage.State.FAILED])
            .exclude(url__in=walked).select_related("briefing").order_by("-listing_date", "url")
        )
        todo += [page for page in leftovers if self._covers(page.listing_date, page.listing_date) and self.due(page, now)]
        return todo

    def fetch_and_import(self, pages):
        width = len(str(len(pages)))
        for number, page in enumerate(pages, start=1):
            filled = 20 * number // len(pages)
            prefix = f"  [{'#' * filled}{'.' * (20 - filled)}] {number:>{width}}/{len(pages)} {page.url.rsplit('/', 1)[-1]}: "
            self.write(prefix + self.one(page))

    def one(self, page):
        """Fetch and import one transcript page; a line saying what happened."""
        state = SourcePage.State
        conditional = page.state in (state.IMPORTED, state.NEEDS_REVIEW)
        try:
            response = self.fetcher.get(
                mirror(page.url, self.options.base_url),
                etag=page.etag if conditional else "", last_modified=page.last_modified if conditional else "",
            )
        except FetchError as error:
            return self._failed(page, fetched_from(str(error), page.url, self.options.base_url))
        if response.not_modified:
            self.tally.not_modified += 1
            return "not modified"
        self.tally.fetched += 1
        digest = hashlib.sha256(response.body).hexdigest()
        if page.state == state.IMPORTED and page.content_sha256 == digest:
            self.tally.unchanged += 1
            self._save(page, etag=response.etag, last_modified=response.last_modified)
            return "unchanged"
        hints = Hints(source_url=page.url, listing_date=page.listing_date, speaker_labels=known_speaker_labels())
        try:
            parsed = parse_transcript(response.body, hints, filename=page.url, formats=[self.module])
            ministry = self.source.ministry
            if ministry is not None and parsed.ministry.slug != ministry.slug:
                raise TranscriptError(f"The page is a transcript of {parsed.ministry.slug!r}, not of this source's ministry ({ministry.slug}).")
            with transaction.atomic():
                result = store_briefing(
                    parsed, publish=self.options.publish, dry_run=self.options.dry_run,
                    create_spokespersons=self.options.create_spokespersons,
                )
                created = result.status == "created"
                self._save(
                    page, state=state.IMPORTED, message="\n".join(result.notes), attempts=0, attempted_at=None,
                    briefing=None if self.options.dry_run else result.briefing,
                    etag=response.etag, last_modified=response.last_modified, content_sha256=digest,
                    fetched_at=timezone.now(), **({"imported_at": timezone.now()} if created else {}),
                )
        except PublishedChanged as error:
            self.tally.needs_review += 1
            # The validators stay those of the text last applied: the next run fetches the page again.
            self._save(page, state=state.NEEDS_REVIEW, message=str(error), fetched_at=timezone.now())
            return f"changed upstream, needs review: {error}"
        except TranscriptError as error:
            message = str(error)
            if page.listing_note and isinstance(error, DateNeeded):
                message += f" {page.listing_note[:1].upper()}{page.listing_note[1:]}."
            return self._failed(page, message)
        self.tally.results.append(result)
        setattr(self.tally, result.status, getattr(self.tally, result.status) + 1)
        self.tally.to_check += result.to_check
        line = result.summary() + ("" if self.options.dry_run else f" → briefing #{result.briefing.pk}")
        return "\n".join([line, *(f"      note: {note}" for note in result.notes)])

    def _failed(self, page, message):
        self.tally.failed += 1
        self.first_failure = self.first_failure or f"{page.url}: {message}"
        if page.state == SourcePage.State.IMPORTED:
            # The archive still holds what was imported; only this check failed.
            return f"failed to re-check: {message}"
        self._save(
            page, state=SourcePage.State.FAILED, message=message, attempts=page.attempts + 1,
            attempted_at=timezone.now(),
        )
        return f"failed: {message}"

    def _save(self, page, **values):
        """Write the page's row only when something in it changes (and never in a dry run)."""
        changed = [name for name, value in values.items() if getattr(page, name) != value]
        for name in changed:
            setattr(page, name, values[name])
        if changed and not self.options.dry_run:
            if page.pk:
                page.save(update_fields=changed)
            else:
                page.save()

    # --- the run ------------------------------------------------------------------------------------

    def run(self):
        started = timezone.now()
        self.write(f"{self.source.slug}: {self.source.listing_url}")
        interrupted = False
        try:
            entries, complete = self.walk()
            listed = self.record(entries, complete)
            pages = self.work(listed)
            self.write(f"  {len(entries)} links read, {len(pages)} transcript pages to fetch")
            if pages:
                self.fetch_and_import(pages)
        except KeyboardInterrupt:
            interrupted = True
            raise
        except Exception as error:  # noqa: BLE001 (any fault of one source is that source's failure)
            # Recorded as this source's failure, never as a success; the run goes on with the others.
            logger.exception("The sync of %s crashed", self.source.slug)
            self.crash = f"crashed: {type(error).__name__}: {str(error)[:300]}"
            self.write(f"  {self.crash}")
        finally:
            self._finish(started, interrupted)
        return self.tally

    def _finish(self, started, interrupted):
        source, tally = self.source, self.tally
        if interrupted:
            error = "Interrupted; the next run goes on from where this one stopped."
        elif self.crash:
            error = self.crash
        elif self.walk_error:
            error = self.walk_error
        elif tally.failed:
            error = f"{tally.failed} page(s) failed; the first: {self.first_failure}"
        else:
            error = ""
        summary = f"{source.slug}: {tally.summary()}" + (" (interrupted)" if interrupted else "")
        self.write(summary)
        if self.options.dry_run:
            return
        source.last_run_at = started
        if not interrupted and not self.walk_error and not self.crash:
            source.last_success_at = timezone.now()
        source.last_error = error
        source.last_counts = tally.counts()
        source.last_summary = summary[:300]
        if source.ministry_id is None:
            imported = next((r.briefing for r in tally.results if r.briefing.pk), None)
            source.ministry_id = imported.ministry_id if imported else None
        source.save()


def sources_named(slugs):
    """The sources a run covers: those named (enabled or not), or every enabled one."""
    if not slugs:
        return list(Source.objects.filter(enabled=True))
    found = {source.slug: source for source in Source.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        known = ", ".join(Source.objects.values_list("slug", flat=True)) or "none"
        raise SyncError(f"No source called {', '.join(missing)} (sources: {known}).")
    return [found[slug] for slug in slugs]


def new_fetcher(delay, timeout, base_url=""):
    """The sync's client: robots.txt honoured. Private addresses only where an operator's
    --base-url names one (a mirror on the local network) or settings allow them."""
    return Fetcher(delay=delay, timeout=timeout, robots=True, allow_private=bool(base_url) or allow_private_default())
