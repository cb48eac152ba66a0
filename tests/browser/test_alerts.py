"""A reader follows a search by email: the link under the results, the address, the confirmation
link from the email, the Confirm button, and the next morning's digest."""

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from statements.models import Subscriber

from .layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def remarks(make_briefing, hua, topics):
    make_briefing(spokesperson=hua, date=datetime.date(2018, 6, 4), remarks=[
        {"question": "On tariffs?", "answer": "Trade wars have no winners.", "topics": [topics["trade"]]},
    ])


@pytest.fixture
def alert_settings(settings, live_server):
    settings.SITE_URL = live_server.url  # the email's links lead to this server
    settings.ALERTS_SUBSCRIBE_RATE_LIMIT = ""
    settings.ALERTS_DIGEST_INTERVAL = 0


def test_a_reader_subscribes_to_a_topic_confirms_and_gets_the_digest(page, remarks, alert_settings, make_briefing, topics, hua):
    mail.outbox.clear()
    page.goto("/remarks/?topic=trade")
    page.get_by_role("link", name="email alerts").click()
    expect(page.get_by_role("heading", name="Email alerts")).to_be_visible()
    expect(page.locator(".lede")).to_contain_text("Remarks on Trade")
    page.get_by_label("Your email address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    confirmation, = mail.outbox  # the live server runs in this process: Django's test outbox
    assert confirmation.to == ["reader@example.org"]
    link = re.search(r"http://\S+/alerts/confirm/[\w-]+/", confirmation.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your email alerts")).to_be_visible()
    expect(page.locator(".alert-list")).to_contain_text("Remarks on Trade")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your email alerts")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Confirmed.")
    assert Subscriber.objects.get().confirmed_at is not None

    make_briefing(spokesperson=hua, date=datetime.date(2018, 6, 5), remarks=[
        {"question": "On soybeans?", "answer": "Soybean trade continues.", "topics": [topics["trade"]]},
    ])
    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert "Sent 1 digest with 1 remark" in out.getvalue()
    digest = mail.outbox[1]
    assert digest.subject == "1 new remark for your alert" and "Remarks on Trade" in digest.body
    assert "Soybean trade continues." in digest.body and "Trade wars have no winners." not in digest.body
    permalink = re.search(r"http://\S+/remarks/\d+/", digest.body).group(0)
    page.goto(permalink)
    expect(page.locator("blockquote")).to_contain_text("Soybean trade continues.")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_the_alert_pages_fit_the_screen(page, remarks, alert_settings, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    long_search = "tariffs" + "x" * 120  # one long word: the label must wrap, not push the page wider
    page.goto(f"/alerts/new/?topic=trade&spokesperson=hua-chunying&q={long_search}")
    assert overflowing(page) == []
    page.get_by_label("Your email address").fill("reader" + "x" * 58 + "@example.org")  # and a long address
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert overflowing(page) == []
    token = Subscriber.objects.get().token
    for path in (f"/alerts/confirm/{token}/", f"/alerts/manage/{token}/", f"/alerts/unsubscribe/{token}/"):
        response = page.goto(path)
        assert response.status == 200, path
        assert overflowing(page) == [], path
    page.goto(f"/alerts/new/?topic=trade&q={long_search}")
    page.get_by_label("Your email address").fill("not an address@")
    page.get_by_role("button", name="Subscribe").click()  # the browser's own check stops it
    assert overflowing(page) == []
