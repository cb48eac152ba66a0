"""Every public page, as a reader opens it on a desktop (1366 px) and a phone (390 px), on the
demo data: nothing sticks out sideways, on a phone the search box has most of its row, and axe
finds nothing serious or critical."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from statements.models import Briefing, Entity, Remark, Spokesperson, Topic

from .layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def public_pages():
    remark = Remark.objects.published().filter(kind="qa").order_by("pk").first()
    topic = Topic.objects.public().order_by("pk").first()
    return [
        "/", "/remarks/", "/remarks/?q=china", "/remarks/?topic=" + topic.slug, f"/remarks/{remark.pk}/",
        "/briefings/", "/briefings/?q=china", f"/briefings/{Briefing.objects.published().first().pk}/",
        "/topics/", f"/topics/{topic.slug}/", f"/topics/{topic.slug}/positions/",
        "/spokespersons/", f"/spokespersons/{Spokesperson.objects.public().first().slug}/",
        "/entities/", f"/entities/{Entity.objects.public().first().slug}/",
        "/compare/?term=china&term=cooperation", "/data/",
    ]


def serious_accessibility_violations(page):
    """axe-core's serious and critical findings on the page as shown: (rule, first element)."""
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["nodes"][0]["target"] if v["nodes"] else None)
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_every_public_page_fits_the_screen(page, viewport):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    page.set_viewport_size(VIEWPORTS[viewport])
    for path in public_pages():
        response = page.goto(path)
        assert response.status == 200, path
        assert overflowing(page) == [], path
        assert serious_accessibility_violations(page) == [], path
        if viewport == "phone" and (path.startswith(("/remarks/?", "/briefings/?")) or path in ("/remarks/", "/briefings/")):
            box = page.locator("input[type=search]").bounding_box()
            row = page.locator(".search-row").bounding_box()
            assert box["width"] >= 0.6 * row["width"], (path, box, row)
