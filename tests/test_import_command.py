"""`manage.py import_transcripts` as an operator runs it."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from statements.models import Briefing, Remark

DATA = Path(__file__).parent / "data" / "mfa"


def run(*args):
    out = io.StringIO()
    try:
        call_command("import_transcripts", *map(str, args), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_folder_imports_every_page_and_reports_the_undated_one(mfa_spokespersons):
    out, error = run(DATA)
    assert error is not None and error.returncode == 1 and "1 of 8 files failed" in str(error)
    assert "undated-remarks-t1686638.html: failed: No date" in out
    assert "8 files: 7 created, 0 updated, 0 unchanged, 1 failed" in out
    assert Briefing.objects.count() == 7
    assert not Briefing.objects.published().exists()
    # The folder's manifest.tsv gives each page its source URL.
    assert Briefing.objects.get(language="en", date="2018-08-03").source_url.endswith("/t1583054.shtml")


def test_running_it_again_updates_nothing_and_duplicates_nothing(mfa_spokespersons):
    run(DATA)
    ids = sorted(Remark.objects.values_list("pk", flat=True))
    out, _ = run(DATA)
    assert "8 files: 0 created, 0 updated, 7 unchanged, 1 failed" in out
    assert sorted(Remark.objects.values_list("pk", flat=True)) == ids


def test_one_file_with_date_source_url_and_publish(mfa_spokespersons):
    out, error = run(
        DATA / "en/undated-remarks-t1686638.html", "--date", "2019-08-07",
        "--source-url", "https://www.fmprc.gov.cn/mfa_eng/t1686638.shtml", "--publish",
    )
    assert error is None, out
    briefing = Briefing.objects.get()
    assert (briefing.date.isoformat(), briefing.kind, briefing.is_published) == ("2019-08-07", "remarks", True)
    assert briefing.spokesperson.name == "Hua Chunying"
    assert "1 files: 1 created" in out


def test_dry_run_reports_and_writes_nothing(mfa_spokespersons):
    out, _ = run(DATA / "en", "--dry-run")
    assert "created" in out and "dry run: nothing written" in out
    assert not Briefing.objects.exists()


def test_an_unreadable_file_fails_alone(mfa_spokespersons, tmp_path):
    shutil.copy(DATA / "zh/undated-remarks-t1416955.html", tmp_path / "good.html")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01 not a transcript")
    out, error = run(tmp_path / "bad.txt", tmp_path / "good.html", tmp_path / "missing.html")
    assert error is not None
    assert "bad.txt: failed: The file is binary" in out
    assert "missing.html: failed: No such file or directory" in out
    assert "good.html: created" in out and Briefing.objects.count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2019-02-30"], "not a date"),
        (["--source-url", "https://example.org/a"], "exactly one file"),
    ],
)
def test_bad_options_are_refused_before_anything_is_read(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_transcripts", str(DATA), *args, stdout=io.StringIO())
