"""Which database this is: a token written once and never moved (models.DATABASE). The search
engine's index and the cached counts note it with the months' tokens, so an index or a cache
built from another database (a copy that went its own way, another server's backup) is never
taken for this one's. And a token for every month that holds remarks, so that a month without
one is a month this database does not hold (search/engine.py drops it from its index)."""

import uuid

from django.db import migrations

DATABASE = 2
NO_MONTH = 0


def create_rows(apps, schema_editor):
    MonthVersion = apps.get_model("statements", "MonthVersion")
    Remark = apps.get_model("statements", "Remark")
    MonthVersion.objects.get_or_create(month=DATABASE, defaults={"token": uuid.uuid4().hex})
    token = uuid.uuid4().hex
    months = {month or NO_MONTH for month in Remark.objects.order_by().values_list("year_month", flat=True).distinct()}
    have = set(MonthVersion.objects.values_list("month", flat=True))
    MonthVersion.objects.bulk_create(MonthVersion(month=month, token=token) for month in months - have)


class Migration(migrations.Migration):
    dependencies = [("statements", "0022_confirmation_cap")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
