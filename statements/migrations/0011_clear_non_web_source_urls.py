"""Source URLs that are not web addresses (a javascript: or data: link stored before the model
accepted only http and https) are cleared: no surface may hand them to a reader. Their history
rows keep what was stored."""

from django.db import migrations
from django.db.models import Q


def clear_non_web_source_urls(apps, schema_editor):
    Briefing = apps.get_model("statements", "Briefing")
    web = Q(source_url__istartswith="http://") | Q(source_url__istartswith="https://")
    Briefing.objects.exclude(source_url="").exclude(web).update(source_url="")


class Migration(migrations.Migration):
    dependencies = [("statements", "0010_reference_data_listed")]
    operations = [migrations.RunPython(clear_non_web_source_urls, migrations.RunPython.noop)]
