"""The synthetic corpus generator at small N: right size, realistic, consistent, searchable."""

import io

import pytest
from django.core.management import call_command

from statements.models import Briefing, Remark
from statements.search import matching


@pytest.mark.django_db(transaction=True)
def test_seed_synthetic_builds_a_consistent_searchable_corpus():
    call_command("seed_synthetic", remarks=300, seed=5, workers=1, stdout=io.StringIO())
    assert Remark.objects.count() == 300
    assert set(Remark.objects.values_list("language", flat=True)) == {"en", "zh"}
    assert Briefing.objects.count() >= 300 // 35
    # The copies of briefing columns match what signals would have written.
    for remark in Remark.objects.select_related("briefing")[:50]:
        b = remark.briefing
        assert (remark.is_public, remark.date, remark.language, remark.ministry_id) == (
            b.status == "published", b.date, b.language, b.ministry_id)
        assert remark.year_month == b.date.year * 100 + b.date.month
    # And every derived column, as the project's own check recomputes it (raises on a difference).
    call_command("check_derived_data", stdout=io.StringIO())
    # Real vocabulary: the commonest words of the real remarks are common here too.
    assert matching(Remark.objects.all(), "china").count() > 60
    assert matching(Remark.objects.all(), "中国").count() > 5
    # Skewed tags: the first topic is used far more than the last.
    through = Remark.topics.through.objects
    assert through.filter(topic__slug="synthetic-topic-1").count() > 3 * through.filter(topic__slug="synthetic-topic-40").count()


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_text():
    call_command("seed_synthetic", remarks=40, seed=9, workers=1, stdout=io.StringIO())
    first = list(Remark.objects.order_by("pk").values_list("answer", flat=True))
    Remark.objects.all().delete()
    Briefing.objects.all().delete()
    call_command("seed_synthetic", remarks=40, seed=9, workers=1, stdout=io.StringIO())
    assert list(Remark.objects.order_by("pk").values_list("answer", flat=True)) == first


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [{}, {"after_change": True}, {"cold": True}])
def test_benchmark_runs_its_whole_page_mix(mode):
    """Not a timing: the command that checks the targets must itself keep working."""
    call_command("seed_synthetic", remarks=300, seed=5, workers=1, stdout=io.StringIO())
    out = io.StringIO()
    newest = Remark.objects.published().order_by("-date", "-pk").values_list("answer", flat=True).first()
    call_command("benchmark", runs=2, warmup=0, no_explain=True, stdout=out, **mode)
    names = ["permalink", "unfiltered", "common: china", "common: coop.", "rare:", "phrase", "three filters", "deep page", "briefings: china", "zh word", "zh char", "zh:", "zh stretch"]
    lines = out.getvalue().splitlines()
    for name in names:
        assert any(line.startswith(name) for line in lines), name
    # --after-change rolls its edits back.
    assert Remark.objects.published().order_by("-date", "-pk").values_list("answer", flat=True).first() == newest
