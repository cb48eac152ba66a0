"""The demo data `make run` loads is real, rich enough to click through, and loads idempotently."""

import pytest
from django.core.management import call_command
from django.db import transaction

from statements.models import Briefing, Remark, Spokesperson

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module (seconds each time), in a transaction each test's own nests
    in, rolled back at the end: what Django's TestCase.setUpTestData does."""
    with django_db_blocker.unblock():
        loaded = transaction.atomic()
        loaded.__enter__()
        try:
            call_command("loaddata", "fixtures/demo.json", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            loaded.__exit__(None, None, None)


def test_demo_data_is_worth_clicking(demo):
    assert Briefing.objects.published().count() >= 10
    assert Remark.objects.published().count() >= 60
    assert Spokesperson.objects.filter(remarks__isnull=False).distinct().count() >= 2
    assert set(Briefing.objects.values_list("language", flat=True)) == {"en", "zh"}


def test_translations_are_linked_both_ways(demo):
    linked = Briefing.objects.filter(translation__isnull=False).select_related("translation")
    assert linked.exists()
    for briefing in linked:
        assert briefing.translation.translation_id == briefing.pk
        assert briefing.translation.language != briefing.language
        assert briefing.translation.date == briefing.date


def test_seed_reports_are_wang_wenbins_briefings_with_tagged_remarks(demo):
    seeds = Briefing.objects.filter(spokesperson__slug="wang-wenbin")
    assert {b.date.isoformat() for b in seeds} >= {"2020-12-18", "2023-01-09"}
    tagged_topics = set(
        Remark.objects.filter(briefing__in=seeds).values_list("topics__name", flat=True)
    )
    for topic in ["WHO cooperation", "COVID-19 origins tracing", "US sanctions on Chinese companies", "National security", "Trade"]:
        assert topic in tagged_topics
    mentioned = set(Remark.objects.filter(briefing__in=seeds).values_list("entities__name", flat=True))
    assert "United States" in mentioned


def test_no_markup_in_remark_text(demo):
    for remark in Remark.objects.all():
        for text in (remark.question, remark.answer):
            assert "<" not in text and "&nbsp;" not in text and "&amp;" not in text
            assert text == text.strip()


def test_loading_twice_changes_nothing(demo):
    counts = (Briefing.objects.count(), Remark.objects.count())
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    assert (Briefing.objects.count(), Remark.objects.count()) == counts


def test_every_demo_page_renders(demo, client):
    for path in ["/", "/remarks/", "/briefings/", "/topics/", "/spokespersons/", "/entities/"]:
        assert client.get(path).status_code == 200
    remark = Remark.objects.published().first()
    assert client.get(remark.get_absolute_url()).status_code == 200
    assert client.get(remark.briefing.get_absolute_url()).status_code == 200


def test_remarks_are_paired_with_their_translation(demo):
    paired = Remark.objects.filter(translation__isnull=False).select_related("translation", "briefing")
    assert paired.count() == 192
    for remark in paired:
        assert remark.translation.translation_id == remark.pk
        assert remark.translation.briefing_id == remark.briefing.translation_id
        assert (remark.translation.kind, remark.translation.position) == (remark.kind, remark.position)


def test_importing_a_demo_page_again_changes_nothing(demo):
    from pathlib import Path

    from statements.importers import Hints, parse_transcript
    from statements.import_store import store_briefing

    page = Path(__file__).parent / "data/mfa/zh/2018-10-19-briefing-t1605507.html"
    url = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1605507.shtml"
    briefing = Briefing.objects.get(source_url=url)
    ids = list(briefing.remarks.order_by("position").values_list("pk", flat=True))
    result = store_briefing(parse_transcript(page.read_bytes(), Hints(source_url=url)))
    assert (result.status, result.briefing.pk, result.kept) == ("unchanged", briefing.pk, len(ids))
    assert list(briefing.remarks.order_by("position").values_list("pk", flat=True)) == ids
