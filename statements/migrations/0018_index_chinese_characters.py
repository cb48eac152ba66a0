"""Both databases' search indexes hold Chinese as characters and pairs of characters, not as
the words a segmenter cut (statements/text/analysis.py, analyze_cased): only remarks with
Chinese in them change. The content version moves when any did, so that no page or count kept
from before is served."""

from django.db import migrations

BATCH = 2000


def index_chinese_characters(apps, schema_editor):
    from statements.models import bump_content_version
    from statements.search import search_backend
    from statements.text.analysis import CJK_RE

    Remark = apps.get_model("statements", "Remark")
    chinese = Remark.objects.filter(answer__regex=CJK_RE.pattern) | Remark.objects.filter(question__regex=CJK_RE.pattern)
    rows = chinese.order_by("pk").only("pk", "question", "answer")
    backend, last = search_backend(), 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        backend.index(batch)
        last = batch[-1].pk
    if last:
        bump_content_version()


class Migration(migrations.Migration):
    dependencies = [("statements", "0017_content_version_rows")]

    operations = [migrations.RunPython(index_chinese_characters, migrations.RunPython.noop, elidable=True)]
