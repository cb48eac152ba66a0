"""The content version and the every-month token exist from the start: page views read them and
never write (a read replica can serve pages). Writers have always created them on first change."""

import uuid

from django.db import migrations

VERSION_ROW = 1
EVERY_MONTH = 1


def create_rows(apps, schema_editor):
    ContentVersion = apps.get_model("statements", "ContentVersion")
    MonthVersion = apps.get_model("statements", "MonthVersion")
    ContentVersion.objects.get_or_create(pk=VERSION_ROW, defaults={"token": uuid.uuid4().hex})
    MonthVersion.objects.get_or_create(month=EVERY_MONTH, defaults={"token": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [("statements", "0016_ministry_language")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
