"""Email alerts for any /remarks/ state: subscribe, double opt-in, one daily digest per
subscriber, one-click unsubscribe, and a send_alerts that never sends a remark twice."""

import datetime
import email
import email.policy
import re
import smtplib
import socket
from io import StringIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.db import connection
from django.utils import timezone

from statements.models import Alert, Briefing, Digest, Remark, SentRemark, Subscriber
from statements.roles import setup_roles

from concurrency import at_once
from rendered_forms import RenderedForm
from test_fuzz import FUZZ, raw_query

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def alert_settings(settings):
    """Every test subscribes from one address and runs several digests in a row; the tests of
    the limits set them again."""
    settings.SITE_URL = SITE
    settings.ALERTS_SUBSCRIBE_RATE_LIMIT = ""
    settings.ALERTS_CONFIRMATION_INTERVAL = 0
    settings.ALERTS_DIGEST_INTERVAL = 0
    settings.ALERTS_REMARKS_PER_ALERT = 10


@pytest.fixture
def archive(make_briefing, hua, wang, topics, entities):
    """What was published before anyone subscribed: never in a digest."""
    return make_briefing(
        spokesperson=hua,
        date=datetime.date(2021, 3, 1),
        remarks=[
            {"answer": "Old answer on trade and tariffs.", "topics": [topics["trade"]]},
            {"answer": "Old answer on Taiwan.", "topics": [topics["taiwan"]], "entities": [entities["us"]]},
        ],
    )


def send_alerts(*args):
    out = StringIO()
    call_command("send_alerts", *args, stdout=out)
    return out.getvalue()


def link(message, kind):
    """The path of the first `kind` link (confirm, manage, unsubscribe) in an email's text."""
    match = re.search(rf"{re.escape(SITE)}(/alerts/{kind}/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def html_of(message):
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html


def ask(client, state, address):
    """A reader fills the address into the form of /alerts/new/?<state> and sends it."""
    form = RenderedForm.open(client, f"/alerts/new/?{state}")
    form["email"] = address
    return form.submit(button=None)


def confirm(client, message):
    """The reader follows the email's link and presses Confirm."""
    form = RenderedForm.open(client, link(message, "confirm"))
    return form.submit(button=None)


@pytest.fixture
def follow(db, client, mailoutbox):
    """follow(state, address) -> the confirmed subscriber, through the pages and the email.
    (The database first: setting it up empties Django's outbox by making a new one.)"""

    def follow(state, address="reader@example.org"):
        sent = len(mailoutbox)
        response = ask(client, state, address)
        assert response.status_code == 200 and "Check your inbox" in response.text
        assert len(mailoutbox) == sent + 1
        assert confirm(client, mailoutbox[-1]).status_code == 303
        del mailoutbox[sent:]
        return Subscriber.objects.get(email=address)

    return follow


def test_the_alert_page_says_in_words_what_it_follows(client, archive, topics):
    response = client.get("/alerts/new/?topic=trade&spokesperson=hua-chunying&q=tariffs&page=3&sort=oldest")
    assert response.status_code == 200
    assert "Remarks on Trade by Hua Chunying matching “tariffs”" in response.text
    assert '<input id="email" type="email" name="email"' in response.text
    # The form posts the canonical state: no page or sort, values in a fixed order.
    assert 'action="/alerts/new/?q=tariffs&amp;topic=trade&amp;spokesperson=hua-chunying"' in response.text
    original = client.get("/alerts/new/?topic=trade&version=original")
    assert "Remarks on Trade, one version per exchange, the original" in original.text
    assert "All remarks" in client.get("/alerts/new/").text
    several = client.get("/alerts/new/?topic=trade&topic=taiwan&mentions=united-states&lang=zh&kind=qa&year=2021")
    assert "Questions and answers on Taiwan or Trade mentioning United States in Chinese of 2021" in several.text


def test_remark_list_and_subject_pages_link_to_an_alert_on_their_state(client, archive, topics, hua, entities):
    response = client.get("/remarks/?topic=trade&q=tariffs")
    assert 'href="/alerts/new/?topic=trade&amp;q=tariffs"' in response.text
    assert 'href="/alerts/new/?topic=trade"' in client.get("/topics/trade/").text
    assert 'href="/alerts/new/?spokesperson=hua-chunying"' in client.get("/spokespersons/hua-chunying/").text
    assert 'href="/alerts/new/?mentions=united-states"' in client.get("/entities/united-states/").text


def test_double_opt_in_nothing_is_sent_before_the_link_is_followed_and_pressed(client, archive, make_briefing, topics, mailoutbox):
    response = ask(client, "topic=trade", "reader@example.org")
    assert response.status_code == 200
    assert "Check your inbox" in response.text and "Remarks on Trade" in response.text
    message, = mailoutbox
    assert message.to == ["reader@example.org"]
    assert message.subject == "Confirm your email alert" and "Remarks on Trade" in message.body
    assert f"{SITE}/alerts/confirm/" in message.body and f"{SITE}/alerts/confirm/" in html_of(message)
    subscriber = Subscriber.objects.get()
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}/alerts/unsubscribe/{subscriber.token}/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<confirm-\d+-\d+@127\.0\.0\.1>", message.extra_headers["Message-ID"])

    make_briefing(remarks=[{"answer": "New trade answer.", "topics": [topics["trade"]]}])
    assert "Sent 0 digests" in send_alerts()

    # Following the link (a mail scanner does) only shows the button.
    page = client.get(link(message, "confirm"))
    assert page.status_code == 200 and "Remarks on Trade" in page.text and ">Confirm</button>" in page.text
    assert Subscriber.objects.get().confirmed_at is None
    assert confirm(client, message).status_code == 303
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None and subscriber.alerts.get().confirmed_at is not None
    manage = client.get(f"/alerts/manage/{subscriber.token}/?confirmed=1")
    assert "Confirmed." in manage.text and "Remarks on Trade" in manage.text

    # What was published before the confirmation is not news to this subscriber.
    mailoutbox.clear()
    assert "Sent 0 digests" in send_alerts()
    make_briefing(remarks=[{"answer": "Newest trade answer.", "topics": [topics["trade"]]}])
    send_alerts()
    digest, = mailoutbox
    assert "Newest trade answer." in digest.body and "New trade answer." not in digest.body


def test_one_email_per_subscriber_grouped_by_alert_each_remark_once(follow, archive, make_briefing, topics, entities, hua, mailoutbox):
    reader = follow("topic=trade")
    follow("mentions=united-states")  # the same address: a second alert
    other = follow("topic=taiwan", "other@example.org")
    briefing = make_briefing(
        spokesperson=hua,
        date=datetime.date(2022, 5, 6),
        remarks=[
            {"question": "On the tariffs?", "outlet": "Reuters", "answer": "Trade answer.", "topics": [topics["trade"]]},
            {"answer": "Taiwan and the US.", "topics": [topics["taiwan"]], "entities": [entities["us"]]},
            {"answer": "Trade with the US.", "topics": [topics["trade"]], "entities": [entities["us"]]},
            {"answer": "Nothing followed."},
        ],
    )
    trade, taiwan, both, _ = briefing.remarks.order_by("position")
    output = send_alerts()
    assert "Sent 2 digests with 4 remarks (2 new)" in output
    assert len(mailoutbox) == 2
    mine = next(message for message in mailoutbox if message.to == [reader.email])
    theirs = next(message for message in mailoutbox if message.to == [other.email])
    assert mine.subject == "3 new remarks for your 2 alerts"
    body = mine.body
    assert body.index("== Remarks on Trade ==") < body.index("== Remarks mentioning United States ==")
    for remark in (trade, taiwan, both):
        assert body.count(f"{SITE}/remarks/{remark.pk}/") == 1  # once, under its first alert
        assert f'href="{SITE}/remarks/{remark.pk}/"' in html_of(mine)
    assert body.index(f"/remarks/{both.pk}/") < body.index("== Remarks mentioning United States ==")
    assert "Hua Chunying, 6 May 2022 (Regular press conference, PRC MFA)" in body
    assert "Q (Reuters): On the tariffs?" in body
    assert f"Your alerts: {SITE}/alerts/manage/{reader.token}/" in body
    assert f"Unsubscribe from all: {SITE}/alerts/unsubscribe/{reader.token}/" in body
    assert mine.extra_headers["List-Unsubscribe"] == f"<{SITE}/alerts/unsubscribe/{reader.token}/>"
    assert mine.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    digest = Digest.objects.get(subscriber=reader)
    assert mine.extra_headers["Message-ID"] == f"<digest-{digest.pk}@127.0.0.1>"
    assert "Nothing followed." not in body
    assert theirs.subject == "1 new remark for your alert" and "Remarks on Taiwan" in theirs.body
    assert f"/remarks/{taiwan.pk}/" in theirs.body and f"/remarks/{trade.pk}/" not in theirs.body


def test_drafts_are_never_sent_and_a_backfilled_briefing_is_sent_when_published(follow, archive, make_briefing, topics, mailoutbox):
    follow("topic=trade")
    draft = make_briefing(
        status=Briefing.Status.DRAFT,
        date=datetime.date(2018, 4, 2),  # back-filled: the date is old, the publication new
        remarks=[{"answer": "A 2018 answer on trade.", "topics": [topics["trade"]]}],
    )
    assert "Sent 0 digests" in send_alerts() and mailoutbox == []
    draft.publish()
    draft.save()
    send_alerts()
    message, = mailoutbox
    assert "A 2018 answer on trade." in message.body and "2 April 2018" in message.body
    assert "Old answer" not in message.body  # the archive was published before the subscription


def test_a_remark_added_to_a_published_briefing_is_news_too(follow, archive, topics, mailoutbox):
    follow("topic=trade")
    late = Remark.objects.create(briefing=archive, position=3, answer="Added later on trade.")
    late.topics.set([topics["trade"]])
    send_alerts()
    message, = mailoutbox
    assert f"/remarks/{late.pk}/" in message.body


def test_running_again_sends_nothing_new(follow, archive, make_briefing, topics, mailoutbox):
    follow("topic=trade")
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [topics["trade"]]}])
    assert "Sent 1 digest with 1 remark (1 new)" in send_alerts()
    assert "Sent 0 digests with 0 remarks (0 new)" in send_alerts()
    assert len(mailoutbox) == 1
    make_briefing(remarks=[{"answer": "Next trade answer.", "topics": [topics["trade"]]}])
    send_alerts()
    assert len(mailoutbox) == 2 and "Next trade answer." in mailoutbox[1].body and "Trade answer." not in mailoutbox[1].body


def test_a_subscriber_gets_at_most_one_digest_per_interval(follow, archive, make_briefing, topics, mailoutbox, settings):
    settings.ALERTS_DIGEST_INTERVAL = 20
    follow("topic=trade")
    make_briefing(remarks=[{"answer": "Morning answer.", "topics": [topics["trade"]]}])
    send_alerts()
    make_briefing(remarks=[{"answer": "Afternoon answer.", "topics": [topics["trade"]]}])
    send_alerts()  # the timer fired twice: the afternoon's waits
    assert len(mailoutbox) == 1
    Digest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=21))
    send_alerts()
    assert len(mailoutbox) == 2 and "Afternoon answer." in mailoutbox[1].body


def test_an_interrupted_run_sends_what_it_wrote_next_time_and_nothing_twice(follow, archive, make_briefing, topics, mailoutbox, monkeypatch):
    reader = follow("topic=trade")
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [topics["trade"]]}])

    def crash(message, *args, **kwargs):
        raise RuntimeError("killed after the digest was written")

    with monkeypatch.context() as patched:
        patched.setattr(mail.EmailMultiAlternatives, "send", crash)
        with pytest.raises(RuntimeError):
            send_alerts()
    digest = Digest.objects.get()
    assert digest.sent_at is None and SentRemark.objects.filter(subscriber=reader).count() == 1
    make_briefing(remarks=[{"answer": "Published meanwhile.", "topics": [topics["trade"]]}])
    output = send_alerts()
    assert "Sent 2 digests" in output  # the written one first, then the next
    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == f"<digest-{digest.pk}@127.0.0.1>"
    assert "Trade answer." in first.body and "Published meanwhile." not in first.body
    assert "Published meanwhile." in second.body and "Trade answer." not in second.body
    assert "Sent 0 digests" in send_alerts()
    assert len(mailoutbox) == 2


def test_a_digest_the_server_refused_is_retried_with_only_what_is_still_public(follow, archive, make_briefing, topics, mailoutbox, monkeypatch):
    follow("topic=trade")
    briefing = make_briefing(remarks=[
        {"answer": "Kept answer.", "topics": [topics["trade"]]},
        {"answer": "Withdrawn answer.", "topics": [topics["trade"]]},
    ])
    kept, withdrawn = briefing.remarks.order_by("position")

    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patched:
        patched.setattr(mail.EmailMultiAlternatives, "send", refuse)
        with pytest.raises(CommandError, match="1 digest"):
            send_alerts()
    assert Digest.objects.get().last_error.startswith("SMTPServerDisconnected")
    withdrawn.withdraw("Duplicate of another remark.")
    send_alerts()
    message, = mailoutbox
    assert f"/remarks/{kept.pk}/" in message.body and f"/remarks/{withdrawn.pk}/" not in message.body


def test_an_alert_lists_a_few_remarks_and_links_to_the_rest_once(follow, archive, make_briefing, topics, mailoutbox, settings):
    settings.ALERTS_REMARKS_PER_ALERT = 2
    follow("topic=trade")
    make_briefing(date=datetime.date(2022, 1, 1), remarks=[{"answer": f"Trade {n}.", "topics": [topics["trade"]]} for n in range(5)])
    send_alerts()
    message, = mailoutbox
    assert message.subject == "5 new remarks for your alert" and "Remarks on Trade" in message.body
    assert message.body.count(f"{SITE}/remarks/") == 2 + 2  # two permalinks, the alert's page and its "more"
    assert f"… and 3 more: {SITE}/remarks/?topic=trade&sort=newest" in message.body
    assert "and 3 more</a>" in html_of(message)
    send_alerts()
    assert len(mailoutbox) == 1  # the three counted are not sent again


def test_one_click_unsubscribe_needs_no_session_or_csrf_token(follow, archive, make_briefing, topics, mailoutbox):
    reader = follow("topic=trade")
    follow("topic=taiwan")
    path = f"/alerts/unsubscribe/{reader.token}/"
    page = Client().get(path)  # what a mail scanner fetches changes nothing
    assert page.status_code == 200 and ">Unsubscribe from all</button>" in page.text
    assert Subscriber.objects.filter(pk=reader.pk).exists()
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert not Subscriber.objects.exists() and not Alert.objects.exists()
    assert mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    assert Client().get(path).status_code == 404
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [topics["trade"]]}])
    send_alerts()
    assert mailoutbox == []


def test_the_manage_page_lists_the_alerts_and_removes_them_one_by_one(client, follow, archive, make_briefing, topics):
    reader = follow("topic=trade")
    follow("topic=taiwan&q=visit")
    path = f"/alerts/manage/{reader.token}/"
    page = client.get(path)
    assert page.status_code == 200
    assert "reader@example.org" in page.text
    assert '<a href="/remarks/?topic=trade">Remarks on Trade</a>' in page.text
    assert '<a href="/remarks/?q=visit&amp;topic=taiwan">Remarks on Taiwan matching “visit”</a>' in page.text
    assert page["Cache-Control"].startswith("max-age=0") and page["X-Robots-Tag"] == "noindex"
    trade = reader.alerts.get(query="topic=trade")
    response = client.post(path, {"remove": trade.pk})
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert "The alert was removed." in page.text and "Remarks on Trade" not in page.text
    last = reader.alerts.get()
    response = client.post(path, {"remove": last.pk})
    assert "You are unsubscribed" in response.text and not Subscriber.objects.exists()
    # "Unsubscribe from all" on the page posts to the one-click address.
    again = follow("topic=trade")
    page = client.get(f"/alerts/manage/{again.token}/")
    assert f'action="/alerts/unsubscribe/{again.token}/"' in page.text


def test_the_same_answer_whether_or_not_the_address_is_subscribed(client, follow, archive, mailoutbox):
    follow("topic=trade", "known@example.org")
    known = ask(client, "topic=trade", "known@example.org")
    unknown = ask(client, "topic=trade", "unknown@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("known@", "") == unknown.text.replace("unknown@", "")


def test_asking_again_adds_the_alert_to_the_address_confirmed_only_after_a_click(client, follow, archive, make_briefing, topics, mailoutbox):
    reader = follow("topic=trade", "reader@example.org")
    ask(client, "topic=taiwan", "Reader@EXAMPLE.org")  # the same address, however written
    assert Subscriber.objects.count() == 1
    message, = mailoutbox
    assert message.to == ["reader@example.org"] and "Remarks on Taiwan" in message.body
    taiwan = reader.alerts.get(query="topic=taiwan")
    assert taiwan.confirmed_at is None
    make_briefing(remarks=[{"answer": "Taiwan answer.", "topics": [topics["taiwan"]]}])
    mailoutbox.clear()
    send_alerts()
    assert mailoutbox == []  # not confirmed yet
    confirm(client, message)
    make_briefing(remarks=[{"answer": "Later Taiwan answer.", "topics": [topics["taiwan"]]}])
    send_alerts()
    digest, = mailoutbox
    assert "Later Taiwan answer." in digest.body and "\nTaiwan answer." not in digest.body
    # Asking for an alert it already has sends a note with the manage link, and adds nothing.
    mailoutbox.clear()
    ask(client, "topic=taiwan", "reader@example.org")
    note, = mailoutbox
    assert "already receives" in note.body and f"/alerts/manage/{reader.token}/" in note.body
    assert reader.alerts.count() == 2


def test_one_confirmation_email_per_address_per_interval(client, archive, mailoutbox, settings):
    settings.ALERTS_CONFIRMATION_INTERVAL = 10
    first = ask(client, "topic=trade", "reader@example.org")
    second = ask(client, "topic=taiwan", "reader@example.org")
    assert first.status_code == second.status_code == 200
    assert len(mailoutbox) == 1
    # The link of the first email confirms the second alert too: its page lists both.
    page = client.get(link(mailoutbox[0], "confirm"))
    assert "Remarks on Trade" in page.text and "Remarks on Taiwan" in page.text
    confirm(client, mailoutbox[0])
    assert Alert.objects.filter(confirmed_at__isnull=True).count() == 0
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=11))
    ask(client, "topic=trade&q=tariffs", "reader@example.org")
    assert len(mailoutbox) == 2


def test_subscribing_is_rate_limited_per_address(archive, settings, monkeypatch):
    import time

    from django.core.cache import cache

    cache.clear()
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: now)  # one window for all
    settings.ALERTS_SUBSCRIBE_RATE_LIMIT = "2/h"
    reader = Client()
    statuses = [reader.post("/alerts/new/?topic=trade", {"email": f"r{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert reader.get("/alerts/new/?topic=trade").status_code == 200  # reading the page is not limited
    assert Client(REMOTE_ADDR="192.0.2.7").post("/alerts/new/?topic=trade", {"email": "s@example.org"}).status_code == 200


def test_a_bad_address_is_shown_again_with_a_message(client, archive, mailoutbox):
    response = client.post("/alerts/new/?topic=trade", {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text and 'aria-invalid="true"' in response.text
    assert 'value="not an address"' in response.text
    assert mailoutbox == [] and not Subscriber.objects.exists()


@pytest.mark.parametrize("state, message", [
    ("topic=no-such-topic", "There is no topic “no-such-topic”; an alert cannot follow it."),
    ("topic=trade&spokesperson=nobody", "There is no spokesperson “nobody”; an alert cannot follow it."),
    ("mentions=%00", "A country or organisation that is not a valid name cannot be followed."),
    ("year=abc", "“abc” is not a year."),
    ("date_from=2021-05-01&date_to=2021-01-01", "<code>date range</code>: The date range ends (2021-01-01) before it starts (2021-05-01)."),
])
def test_a_state_that_cannot_be_followed_is_refused_with_a_clear_message(client, archive, state, message, mailoutbox):
    for response in (client.get(f"/alerts/new/?{state}"), client.post(f"/alerts/new/?{state}", {"email": "r@example.org"})):
        assert response.status_code == 400
        assert message in response.text
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_an_alert_on_a_renamed_topic_keeps_working(client, follow, archive, make_briefing, topics, mailoutbox):
    reader = follow("topic=trade")
    trade = topics["trade"]
    trade.name, trade.slug = "World trade", "world-trade"
    trade.save()
    response = client.get("/alerts/new/?topic=trade")
    assert response.status_code == 301 and response["Location"] == "/alerts/new/?topic=world-trade"
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [trade]}])
    send_alerts()
    message, = mailoutbox
    assert message.subject == "1 new remark for your alert" and "Remarks on World trade" in message.body
    assert f"{SITE}/remarks/?topic=world-trade" in message.body
    alert = reader.alerts.get()
    assert (alert.query, alert.label) == ("topic=world-trade", "Remarks on World trade")


@pytest.mark.parametrize("path", [
    "/alerts/confirm/not-a-token/", "/alerts/manage/not-a-token/", "/alerts/unsubscribe/not-a-token/",
    "/alerts/manage/" + "x" * 5000 + "/", "/alerts/confirm/%00/", "/alerts/manage/a%2Fb/",
])
def test_a_garbage_token_is_a_404_never_a_500(client, archive, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"alert": "1"}).status_code in (404, 200)


def test_garbage_posted_to_the_pages_of_a_real_token_is_ignored(client, follow, archive):
    reader = follow("topic=trade")
    for field, value in (("alert", "x"), ("alert", "٣"), ("alert", "9" * 40), ("remove", "-1"), ("remove", "\x00")):
        path = "confirm" if field == "alert" else "manage"
        response = client.post(f"/alerts/{path}/{reader.token}/", {field: value})
        assert response.status_code == 303, (field, value)
    assert client.get(f"/alerts/manage/{reader.token}/?confirmed=%00").status_code == 200
    assert reader.alerts.count() == 1


def test_an_alert_whose_topic_was_deleted_sends_nothing_rather_than_everything(follow, archive, make_briefing, topics, mailoutbox):
    follow("topic=taiwan")
    Alert.objects.update(query="topic=no-longer-there")
    make_briefing(remarks=[{"answer": "Taiwan answer.", "topics": [topics["taiwan"]]}])
    assert "1 alert no longer valid" in send_alerts()
    assert mailoutbox == []


def test_the_dry_run_sends_and_writes_nothing(follow, archive, make_briefing, topics, mailoutbox):
    reader = follow("topic=trade")
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [topics["trade"]]}])
    before = Subscriber.objects.get().digested_until
    assert "Dry run: would send 1 digest with 1 remark (1 new); nothing was sent or written." in send_alerts("--dry-run")
    assert mailoutbox == [] and not Digest.objects.exists() and not SentRemark.objects.exists()
    assert Subscriber.objects.get(pk=reader.pk).digested_until == before
    send_alerts()
    assert len(mailoutbox) == 1


def test_addresses_never_confirmed_are_forgotten(client, archive, mailoutbox, settings):
    ask(client, "topic=trade", "never@example.org")
    Subscriber.objects.update(created_at=timezone.now() - datetime.timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS + 1))
    assert "1 unconfirmed address deleted" in send_alerts()
    assert not Subscriber.objects.exists() and not Alert.objects.exists()


def test_only_superusers_see_subscribers_in_the_admin(client, follow, archive, editor, publisher):
    follow("topic=trade")
    setup_roles()
    for group in Group.objects.all():
        assert not group.permissions.filter(content_type__model__in=["subscriber", "alert", "digest", "sentremark"]).exists()
    for user in (editor, publisher):
        staff = Client()
        staff.force_login(user)
        assert staff.get("/admin/statements/subscriber/").status_code == 403
        assert "Subscriber" not in staff.get("/admin/").text
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="a long root passphrase"))
    listing = admin.get("/admin/statements/subscriber/")
    assert listing.status_code == 200 and "reader@example.org" in listing.text
    detail = admin.get(f"/admin/statements/subscriber/{Subscriber.objects.get().pk}/change/")
    assert detail.status_code == 200 and "Remarks on Trade" in detail.text and 'name="email"' not in detail.text
    assert admin.get("/admin/statements/subscriber/add/").status_code == 403


def test_digests_go_through_a_real_smtp_server(client, archive, make_briefing, topics, settings):
    """Once through SMTP on 127.0.0.1 (aiosmtpd), as production sends: the confirmation and
    the digest arrive whole, multipart, with their headers."""
    from aiosmtpd.controller import Controller

    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:  # a free port: aiosmtpd 1.4 cannot be given port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(Inbox(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.DEFAULT_FROM_EMAIL = "Diplomatic statements <alerts@example.org>"
        assert ask(client, "topic=trade", "reader@example.org").status_code == 200
        confirmation, = received
        assert confirmation["To"] == "reader@example.org"
        confirm_path = re.search(r"/alerts/confirm/[\w-]+/", confirmation.get_body(("plain",)).get_content()).group(0)
        RenderedForm.open(client, confirm_path).submit(button=None)
        make_briefing(remarks=[{"answer": "Trade answer sent by SMTP: 贸易.", "topics": [topics["trade"]]}])
        assert "Sent 1 digest with 1 remark" in send_alerts()
    finally:
        server.stop()
    digest = received[1]
    reader = Subscriber.objects.get()
    assert digest["From"] == "Diplomatic statements <alerts@example.org>" and digest["To"] == "reader@example.org"
    assert digest["Subject"] == "1 new remark for your alert"
    assert digest["Message-ID"] == f"<digest-{Digest.objects.get().pk}@127.0.0.1>"
    # Folded onto a line of its own by Python's email package (RFC 5322 folding), hence strip().
    assert digest["List-Unsubscribe"].strip() == f"<{SITE}/alerts/unsubscribe/{reader.token}/>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest.get_content_type() == "multipart/alternative"
    text, html = (digest.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "Trade answer sent by SMTP: 贸易." in text and "Trade answer sent by SMTP: 贸易." in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two runs in two connections at once: PostgreSQL's row locks (CI runs it)")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_once(archive, make_briefing, topics, mailoutbox, monkeypatch):
    import time

    from statements import alerts

    now = timezone.now()
    for n in range(4):
        subscriber = Subscriber.objects.create(email=f"r{n}@example.org", confirmed_at=now, digested_until=now)
        Alert.objects.create(subscriber=subscriber, query="topic=trade", label="Remarks on Trade", confirmed_at=now)
    make_briefing(remarks=[{"answer": "Trade answer.", "topics": [topics["trade"]]}])
    send = mail.EmailMultiAlternatives.send

    def slow_send(message, *args, **kwargs):
        time.sleep(0.2)  # the other run catches up while this one holds its digest
        return send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", slow_send)
    summaries, errors = at_once(alerts.run)
    assert errors == []
    assert sorted(message.to[0] for message in mailoutbox) == [f"r{n}@example.org" for n in range(4)]
    assert sum(summary.sent for summary in summaries) == 4 and Digest.objects.count() == 4


@FUZZ
@given(query=raw_query, address=st.one_of(st.sampled_from(["r@example.org", "", "a@b", "\x00@x.org", "x" * 300]), st.text(max_size=40)))
def test_no_state_or_address_gets_a_server_error(client, archive, query, address):
    """The fuzzing of tests/test_fuzz.py (which GETs /alerts/new/ with the other routes), posting
    an address as the subscribe form does."""
    response = client.post(f"/alerts/new/?{query}", {"email": address})
    assert response.status_code < 500, f"/alerts/new/?{query} {address!r} -> {response.status_code}"


def test_a_confirmation_subject_is_fixed_text_whatever_the_state_asked(client, archive, mailoutbox):
    """Anyone may ask for an alert to any address: the subject a victim reads must carry no
    words of the asker's; the state is shown in the body only, cut."""
    bait = "Win a FREE iPhone at evil.example " + "x" * 400
    assert ask(client, f"q={bait.replace(' ', '+')}", "victim@example.org").status_code == 200
    message, = mailoutbox
    assert message.subject == "Confirm your email alert"
    assert "iPhone" not in message.subject and "evil" not in message.subject
    words = re.sub(r"https?://\S+", "", message.body)  # the links carry the whole state, as they must
    assert "Win a FREE iPhone" in words and "x" * 300 not in words


def test_one_address_gets_at_most_a_few_confirmations_a_day(archive, mailoutbox, settings):
    from statements import alerts

    settings.ALERTS_CONFIRMATIONS_PER_DAY = 3
    start = datetime.datetime(2026, 12, 7, 0, 5, tzinfo=datetime.timezone.utc)
    # Every 11 minutes for a day: past the interval each time, yet only three go out.
    for step in range(24 * 60 // 11):
        alerts.subscribe("target@example.org", f"q=word{step}", f"Remarks matching word{step}", now=start + datetime.timedelta(minutes=11 * step))
    assert len(mailoutbox) == 3
    alerts.subscribe("target@example.org", "q=next", "Remarks matching next", now=start + datetime.timedelta(days=1, minutes=10))
    assert len(mailoutbox) == 4
