"""Email alerts: any /remarks/ state followed by email, one digest a day (docs/alerts.md).

A subscriber is an address and a secret token, no account: the token in an email's links
confirms, manages and unsubscribes. An alert is one /remarks/ state kept as its canonical query
string and read back through the page's own filterset (catalogue.remark_filterset), so renamed slugs
keep working and what an alert sends is what the page shows: Remark.objects.published() only.

`run` (manage.py send_alerts) never sends a remark twice to one subscriber. A digest is written,
with a SentRemark row for each remark it holds, in one transaction, and sent in a later one that
marks it sent; a run first sends what an earlier run wrote but did not send. The one repeat left
is a crash between the SMTP server accepting a digest and the run recording it: that digest is
sent again by the next run, with the same Message-ID (at least once, never lost).
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Lower
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from . import slugs
from .middleware import client_ip
from .models import Alert, Briefing, Digest, Remark, SentRemark, Subscriber
from .catalogue import VERSION_LABELS, remark_filterset

logger = logging.getLogger(__name__)

# A briefing's published_at is stamped when it is saved and seen by others only when its
# transaction commits, a moment later (an import, an admin save with its remarks). Each digest
# looks this far back before where the previous one stopped; SentRemark keeps the overlap from
# repeating anything.
OVERLAP = datetime.timedelta(hours=1)
# Alerts one address may have, confirmed or not: a stranger cannot bury anyone's inbox.
MAX_ALERTS = 50
# Tries at sending one digest (one per run) before it is given up and the next one is built.
MAX_ATTEMPTS = 5
# Sent digests and their SentRemark rows are kept this long: long past any digest's window.
DIGESTS_KEPT = datetime.timedelta(days=30)
# Why sending failed and may work next time: the server is down, refused or timed out.
MAIL_ERRORS = (smtplib.SMTPException, OSError)

KIND_NOUNS = {Remark.Kind.ANNOUNCEMENT: "Announcements", Remark.Kind.QUESTION_AND_ANSWER: "Questions and answers"}
SCOPE_WORDS = {"answers": " in answers", "questions": " in questions"}
VERSION_WORDS = {code: counted for code, _, counted in VERSION_LABELS if code}


class MailUnavailable(Exception):
    """The confirmation email could not be handed to the mail server."""


# The state an alert follows ---------------------------------------------------------------------


def filterset_for(query):
    """The /remarks/ filterset of a stored state, renamed slugs followed."""
    return remark_filterset(QueryDict(query))


def state_errors(params, filterset):
    """Why a state cannot be followed, per parameter, in words; {} when it can. An unknown slug
    is refused, not left out as the page does: the alert would follow more than was asked."""
    if filterset.is_valid():
        return {}
    errors = {name: list(messages) for name, messages in filterset.errors.items()}
    for name, model in slugs.SLUG_PARAMS.items():
        if name not in errors:
            continue
        values = params.getlist(name)
        known = slugs.existing(model, values)
        noun = slugs.NOUNS[model]
        errors[name] = [
            f"There is no {noun} “{value}”; an alert cannot follow it."
            if slugs.is_slug_shaped(value)
            else f"A {noun} that is not a valid name cannot be followed."
            for value in values
            if value not in known
        ] or errors[name]
    return errors


def canonical_query(filterset):
    """The state as a query string that is the same for the same filters: known parameters
    only, in declaration order, each one's values sorted, slugs of today, no page or sort.
    (countcache.canonical_state names objects by primary key, for a cache key; a link needs slugs.)"""
    cleaned = filterset.form.cleaned_data
    params = QueryDict(mutable=True)
    for name in filterset.filters:
        value = cleaned.get(name)
        items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "model") else [value]
        values = sorted(filter(None, (text(item) for item in items)))
        if name == "scope" and (not cleaned.get("q", "").strip() or value == "all"):
            continue  # a scope means nothing without a query, and "all" is the default
        if values:
            params.setlist(name, values)
    return params.urlencode()


def text(value):
    """One value of a filter as a URL holds it: a slug, an ISO date, plain text."""
    if hasattr(value, "slug"):
        return value.slug
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value if value is not None else "").split())


def either(items):
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe(filterset):
    """The state in words: “Remarks on Trade by Hua Chunying matching “tariffs””."""
    cleaned = filterset.form.cleaned_data
    kinds = cleaned.get("kind") or []
    parts = [KIND_NOUNS[kinds[0]] if len(kinds) == 1 else "Remarks"]
    for name, word, attribute in (
        ("topic", "on", "name"),
        ("spokesperson", "by", "name"),
        ("ministry", "from", "short_name"),
        ("mentions", "mentioning", "name"),
    ):
        if value := cleaned.get(name):
            parts.append(f"{word} {either(sorted(getattr(item, attribute) for item in value))}")
    if languages := cleaned.get("lang"):
        labels = dict(Briefing.Language.choices)
        parts.append(f"in {either(labels[code] for code in sorted(languages))}")
    if years := cleaned.get("year"):
        parts.append(f"of {either(years)}")
    if start := cleaned.get("date_from"):
        parts.append(f"from {start.day} {start:%B %Y}")
    if end := cleaned.get("date_to"):
        parts.append(f"until {end.day} {end:%B %Y}")
    if query := " ".join((cleaned.get("q") or "").split()):
        parts.append(f"matching “{query}”{SCOPE_WORDS.get(cleaned.get('scope'), '')}")
    described = "All remarks" if parts == ["Remarks"] else " ".join(parts)
    if version := cleaned.get("version"):
        described += f", {VERSION_WORDS[version]}"
    return described


def remarks_path(query, **extra):
    params = QueryDict(query, mutable=True)
    for name, value in extra.items():
        params[name] = value
    return reverse("remark_list") + (f"?{params.urlencode()}" if params else "")


# Links and messages -----------------------------------------------------------------------------


def absolute(path):
    return settings.SITE_URL + path


def links(subscriber):
    return {
        name: absolute(reverse(f"alert_{name}", args=[subscriber.token]))
        for name in ("confirm", "manage", "unsubscribe")
    }


def message_for(subscriber, subject, template, context, message_id):
    """An email to a subscriber in text and HTML, with the links and headers every one carries:
    List-Unsubscribe and List-Unsubscribe-Post for a mail client's one-click button (RFC 8058),
    and a Message-ID that is the same if the same message is ever sent again."""
    urls = links(subscriber)
    context = {**context, **urls, "site_url": settings.SITE_URL, "email": subscriber.email}
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = mail.EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"statements/email/{template}.txt", context),
        to=[subscriber.email],
        headers={
            "Message-ID": f"<{message_id}@{domain}>",
            "List-Unsubscribe": f"<{urls['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies, please
        },
    )
    message.attach_alternative(render_to_string(f"statements/email/{template}.html", context), "text/html")
    return message


# Subscribing ------------------------------------------------------------------------------------


def subscribe_limited(request):
    """Whether this client (its IP address) has posted the subscribe form too often; every post
    counts, valid or not."""
    rate = settings.ALERTS_SUBSCRIBE_RATE_LIMIT
    if not rate:
        return False
    return is_ratelimited(
        request, group="alerts-subscribe", key=lambda group, request: client_ip(request), rate=rate, increment=True
    )


def find_subscriber(email):
    return Subscriber.objects.alias(address=Lower("email")).filter(address=email.lower()).first()


def subscriber_for(email):
    if subscriber := find_subscriber(email):
        return subscriber
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email)
    except IntegrityError:  # the same address, subscribed at the same moment
        return find_subscriber(email)


def subscribe(email, query, label, now=None):
    """Adds the alert to the address, unconfirmed, and mails a confirmation link unless one went
    there in the last few minutes (that link confirms this alert too). The same whether the
    address is new, waiting for confirmation or confirmed: nothing tells the asker which."""
    email = BaseUserManager.normalize_email(email.strip())  # the domain in lower case
    with transaction.atomic():
        subscriber = subscriber_for(email)
        exists = subscriber.alerts.filter(query=query).exists()
        if not exists and subscriber.alerts.count() < MAX_ALERTS:
            try:
                with transaction.atomic():
                    Alert.objects.create(subscriber=subscriber, query=query, label=label)
            except IntegrityError:  # the same alert, asked for twice at once
                pass
    return send_confirmation(subscriber, now)


def send_confirmation(subscriber, now=None):
    """True if the confirmation email was sent; False if one went to this address less than
    ALERTS_CONFIRMATION_INTERVAL minutes ago. Raises MailUnavailable if the server refused it."""
    now = now or timezone.now()
    previous = subscriber.confirmation_sent_at
    cutoff = now - datetime.timedelta(minutes=settings.ALERTS_CONFIRMATION_INTERVAL)
    day = now.astimezone(datetime.timezone.utc).date()
    before = Subscriber.objects.filter(pk=subscriber.pk).values("confirmations_day", "confirmations_that_day").first()
    # Claimed in one UPDATE: two requests at once cannot both send, nor both pass the day's cap.
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=cutoff))
        .filter(~Q(confirmations_day=day) | Q(confirmations_that_day__lt=settings.ALERTS_CONFIRMATIONS_PER_DAY))
        .update(
            confirmation_sent_at=now,
            confirmations_that_day=Case(When(confirmations_day=day, then=F("confirmations_that_day") + 1), default=1),
            confirmations_day=day,
        )
    )
    if not claimed:
        return False
    pending = list(subscriber.alerts.filter(confirmed_at__isnull=True))
    for alert in pending:
        alert.url = absolute(remarks_path(alert.query))
    # Fixed words: anyone may ask for mail to any address, and the state asked for is theirs (a
    # search can say anything); it is shown in the body only, cut (templates/…/email).
    subject = "Confirm your email alert" if len(pending) == 1 else (
        f"Confirm your {len(pending)} email alerts" if pending else "Your email alerts on Diplomatic statements"
    )
    message = message_for(
        subscriber,
        subject[:150],
        "confirmation",
        {"pending": pending, "confirmed": subscriber.alerts.filter(confirmed_at__isnull=False).exists()},
        f"confirm-{subscriber.pk}-{now:%Y%m%d%H%M%S%f}",
    )
    try:
        message.send()
    except MAIL_ERRORS as error:
        Subscriber.objects.filter(pk=subscriber.pk, confirmation_sent_at=now).update(
            confirmation_sent_at=previous, **(before or {})
        )
        logger.warning("Confirmation email to subscriber %s not sent: %s", subscriber.pk, error)
        raise MailUnavailable() from error
    return True


def confirm(subscriber, alert_ids, now=None):
    """Confirms these of the subscriber's alerts (the ones its confirmation page showed); the
    first confirmation confirms the address. How many were confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        count = subscriber.alerts.filter(pk__in=alert_ids, confirmed_at__isnull=True).update(confirmed_at=now)
        if count:
            # A digest starts from here: nothing published before the address was confirmed.
            Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(confirmed_at=now, digested_until=now)
    return count


def remove_alert(subscriber, alert_id):
    """Removes one alert; the last one takes the address with it. True if the address is gone."""
    with transaction.atomic():
        subscriber.alerts.filter(pk=alert_id).delete()
        if not subscriber.alerts.exists():
            subscriber.delete()
            return True
    return False


def unsubscribe(token):
    """Deletes the address with its alerts, digests and their records: nothing of it is kept."""
    Subscriber.objects.filter(token=token).delete()


# Digests ----------------------------------------------------------------------------------------


def published_since(remarks, moment):
    """Remarks that became public after `moment`: their briefing was first published since (a
    back-filled briefing of 2018 published today is news today, as in the feeds) or they were
    added to a published briefing since."""
    return remarks.filter(Q(briefing__published_at__gt=moment) | Q(created_at__gt=moment))


def follow_rename(alert, filterset):
    """An alert whose slugs were renamed keeps today's, unless that makes it a duplicate."""
    query = canonical_query(filterset)
    if not alert.subscriber.alerts.exclude(pk=alert.pk).filter(query=query).exists():
        alert.query = query
        alert.save(update_fields=["query", "query_key"])


def build_digest(subscriber, now):
    """Writes the subscriber's next digest (None when its alerts matched nothing new) and moves
    its cursor to `now`. Returns (digest, alerts that no longer name a valid state)."""
    since = (subscriber.digested_until or subscriber.confirmed_at or now) - OVERLAP
    already = SentRemark.objects.filter(subscriber=subscriber).values("remark_id")
    per_alert = settings.ALERTS_REMARKS_PER_ALERT
    sections, listed, counted, invalid = [], [], [], 0
    for alert in subscriber.alerts.filter(confirmed_at__isnull=False):
        _, filterset = filterset_for(alert.query)
        if not filterset.is_valid():  # a topic deleted since, say: never widened to more
            logger.warning("Alert %s follows a state that is no longer valid: %s", alert.pk, dict(filterset.errors))
            invalid += 1
            continue
        if filterset.renamed:
            follow_rename(alert, filterset)
        new = published_since(filterset.qs, max(since, alert.confirmed_at)).exclude(pk__in=already)
        if listed:
            new = new.exclude(pk__in=listed)  # a remark shows once per email, under its first alert
        ids = list(new.newest_first().values_list("pk", flat=True)[:per_alert])
        if not ids:
            continue
        more = new.count() - len(ids) if len(ids) == per_alert else 0
        if more:
            # Counted, not listed: recorded where the next digest's window could meet them again.
            counted += published_since(new.exclude(pk__in=ids), now - OVERLAP).values_list("pk", flat=True)
        label = describe(filterset)
        if label != alert.label:
            Alert.objects.filter(pk=alert.pk).update(label=label)
        sections.append({"alert": alert.pk, "label": label, "query": alert.query, "remarks": ids, "more": more})
        listed += ids
    subscriber.digested_until = now
    subscriber.save(update_fields=["digested_until"])
    if not sections:
        return None, invalid
    digest = Digest.objects.create(subscriber=subscriber, created_at=now, sections=sections)
    SentRemark.objects.bulk_create(
        [SentRemark(subscriber=subscriber, remark_id=pk, digest=digest) for pk in dict.fromkeys(listed + counted)],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return digest, invalid


def digest_message(digest):
    """The email of a digest, with the remarks it holds that are still public; None if none is
    (all withdrawn since it was written). Returns (message, remarks listed)."""
    remarks = (
        Remark.objects.published()
        .select_related("briefing__ministry", "speaker")
        .in_bulk(digest.remark_ids())
    )
    sections = []
    for section in digest.sections:
        shown = [remarks[pk] for pk in section["remarks"] if pk in remarks]
        for remark in shown:
            remark.permalink = absolute(remark.get_absolute_url())
        if shown or section["more"]:
            sections.append({
                **section,
                "shown": shown,
                "url": absolute(remarks_path(section["query"])),
                "more_url": absolute(remarks_path(section["query"], sort="newest")),
            })
    listed = sum(len(section["shown"]) for section in sections)
    if not sections:
        return None, 0
    total = listed + sum(section["more"] for section in sections)
    new = f"{total} new remark{'s' if total != 1 else ''}"
    subject = f"{new} for your alert" if len(sections) == 1 else f"{new} for your {len(sections)} alerts"
    message = message_for(
        digest.subscriber,
        subject[:150],
        "digest",
        {"sections": sections, "total": total},
        f"digest-{digest.pk}",
    )
    return message, listed


def locked(queryset):
    """Rows another run holds are skipped (PostgreSQL). SQLite runs one write transaction at a
    time (BEGIN IMMEDIATE, config/settings.py), which serialises runs without it."""
    features = connection.features
    if not features.has_select_for_update_skip_locked:
        return queryset
    return queryset.select_for_update(skip_locked=True, **({"of": ("self",)} if features.has_select_for_update_of else {}))


@dataclass
class RunSummary:
    dry_run: bool = False
    built: int = 0
    sent: int = 0
    remarks: int = 0
    failed: int = 0
    invalid_alerts: int = 0
    forgotten: int = 0

    def __str__(self):
        if self.dry_run:
            return (
                f"Dry run: would send {self.sent} digest{'s' * (self.sent != 1)} with {self.remarks} "
                f"remark{'s' * (self.remarks != 1)} ({self.built} new); nothing was sent or written."
            )
        text = (
            f"Sent {self.sent} digest{'s' * (self.sent != 1)} with {self.remarks} remark{'s' * (self.remarks != 1)} "
            f"({self.built} new)"
        )
        if self.failed:
            text += f"; {self.failed} could not be sent and will be retried"
        if self.invalid_alerts:
            text += f"; {self.invalid_alerts} alert{'s' * (self.invalid_alerts != 1)} no longer valid"
        if self.forgotten:
            text += f"; {self.forgotten} unconfirmed address{'es' * (self.forgotten != 1)} deleted"
        return text + "."


def send_digest(pk, summary):
    """Sends one written digest unless it is sent or another run holds it."""
    with transaction.atomic():
        digest = (
            locked(Digest.objects.filter(pk=pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS))
            .select_related("subscriber")
            .first()
        )
        if digest is None:
            return
        message, listed = digest_message(digest)
        if summary.dry_run:
            summary.sent += message is not None
            summary.remarks += listed
            return
        digest.attempts += 1
        if message is not None:
            try:
                message.send()
            except MAIL_ERRORS as error:
                digest.last_error = f"{type(error).__name__}: {error}"[:2000]
                digest.save(update_fields=["attempts", "last_error"])
                logger.warning("Digest %s not sent (attempt %s): %s", digest.pk, digest.attempts, error)
                summary.failed += 1
                return
            summary.sent += 1
            summary.remarks += listed
        digest.sent_at = timezone.now()
        digest.save(update_fields=["attempts", "sent_at"])


def is_due(subscriber, now):
    """No digest of its own still waiting to be sent, and none written in the last
    ALERTS_DIGEST_INTERVAL hours."""
    digests = subscriber.digests.all()
    if digests.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).exists():
        return False
    last = digests.order_by("-created_at").values_list("created_at", flat=True).first()
    return last is None or now - last >= datetime.timedelta(hours=settings.ALERTS_DIGEST_INTERVAL)


def forget(now):
    """Deletes addresses and alerts never confirmed, and digests past keeping. Addresses deleted."""
    cutoff = now - datetime.timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS)
    _, deleted = Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    Alert.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    Digest.objects.filter(created_at__lt=now - DIGESTS_KEPT).exclude(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).delete()
    return deleted.get(Subscriber._meta.label, 0)


def run(now=None, dry_run=False, progress=None):
    """Sends the digests an earlier run wrote and did not send, then writes and sends each due
    subscriber's next one. With `dry_run`, counts what would be sent and writes nothing."""
    now = now or timezone.now()
    summary = RunSummary(dry_run=dry_run)
    pending = Digest.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        send_digest(pk, summary)
    subscribers = (
        Subscriber.objects.filter(confirmed_at__isnull=False, alerts__confirmed_at__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for n, pk in enumerate(subscribers, start=1):
        if progress and n % 100 == 0:
            progress(f"{n} subscribers looked at")
        with transaction.atomic():
            subscriber = locked(Subscriber.objects.filter(pk=pk)).first()
            if subscriber is None or not is_due(subscriber, now):
                continue
            digest, invalid = build_digest(subscriber, now)
            summary.invalid_alerts += invalid
            summary.built += digest is not None
            if dry_run:
                if digest is not None:
                    send_digest(digest.pk, summary)
                transaction.set_rollback(True)
                continue
        if digest is not None:
            send_digest(digest.pk, summary)
    if not dry_run:
        summary.forgotten = forget(now)
    return summary
