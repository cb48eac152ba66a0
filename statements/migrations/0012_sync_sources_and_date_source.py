"""Briefing.date_source (where a date came from), and the sync's sources with the pages it has
seen. The project ships with the two listings of the shared sample (../shared/corpus/mfa/index.tsv),
their addresses exactly as there; rows an admin has changed since are left as they are."""

import django.core.validators
import django.db.models.deletion
import statements.models
from django.db import migrations, models


SHIPPED_SOURCES = [
    {
        "slug": "prc-mfa-en",
        "name": "PRC MFA regular press conferences (English)",
        "listing_url": "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml",
        "language": "en",
    },
    {
        "slug": "prc-mfa-zh",
        "name": "PRC MFA spokesperson's press conferences and remarks (Chinese, 发言人表态)",
        "listing_url": "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml",
        "language": "zh",
    },
]


def add_shipped_sources(apps, schema_editor):
    """Idempotent: a source already there (by slug or address) is left alone."""
    Source = apps.get_model("statements", "Source")
    Ministry = apps.get_model("statements", "Ministry")
    ministry = Ministry.objects.filter(slug="prc-mfa").first()
    for values in SHIPPED_SOURCES:
        if Source.objects.filter(slug=values["slug"]).exists() or Source.objects.filter(listing_url=values["listing_url"]).exists():
            continue
        Source.objects.create(**values, format="mfa", enabled=True, ministry=ministry)


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0011_clear_non_web_source_urls'),
    ]

    operations = [
        migrations.AddField(
            model_name='briefing',
            name='date_source',
            field=models.CharField(blank=True, choices=[('title', 'The title'), ('page', "The page's publication date"), ('listing', "The ministry's listing"), ('editor', 'An editor')], editable=False, help_text="Where the date came from: the title, the page's publication date, the ministry's listing that links the page, or an editor. Empty when not recorded (typed in the admin, or imported before this was recorded).", max_length=10),
        ),
        migrations.AddField(
            model_name='historicalbriefing',
            name='date_source',
            field=models.CharField(blank=True, choices=[('title', 'The title'), ('page', "The page's publication date"), ('listing', "The ministry's listing"), ('editor', 'An editor')], editable=False, help_text="Where the date came from: the title, the page's publication date, the ministry's listing that links the page, or an editor. Empty when not recorded (typed in the admin, or imported before this was recorded).", max_length=10),
        ),
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='What editors call it, e.g. “PRC MFA regular press conferences (English)”.', max_length=200, unique=True)),
                ('slug', models.SlugField(help_text='Names the source on the command line: sync_transcripts SLUG.', max_length=60, unique=True)),
                ('listing_url', models.URLField(help_text='The first page of the listing, newest first, e.g. …/default.shtml; its next pages are found from it (…/default_1.shtml, …).', max_length=500, unique=True, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])])),
                ('language', models.CharField(choices=[('en', 'English'), ('zh', 'Chinese')], help_text='Language of its transcripts.', max_length=5)),
                ('format', models.CharField(default='mfa', help_text='The importer that reads its pages: a module of statements/importers (“mfa” for fmprc.gov.cn).', max_length=40, validators=[statements.models.validate_source_format])),
                ('enabled', models.BooleanField(default=True, help_text='Synced by a run that names no source (the daily sync).')),
                ('last_run_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_success_at', models.DateTimeField(blank=True, editable=False, help_text='The last run that read the listing and finished.', null=True)),
                ('last_error', models.TextField(blank=True, editable=False, help_text='What went wrong in the last run, if anything.')),
                ('last_summary', models.CharField(blank=True, editable=False, max_length=300)),
                ('last_counts', models.JSONField(blank=True, default=dict, editable=False)),
                ('walked_to_end', models.BooleanField(default=False, editable=False)),
                ('ministry', models.ForeignKey(blank=True, help_text='Whose transcripts these are. Left empty, it is set by the first import (the pages name their ministry).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sources', to='statements.ministry')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='SourcePage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(help_text="Its address on the ministry's site.", max_length=500)),
                ('is_listing', models.BooleanField(default=False)),
                ('title', models.CharField(blank=True, help_text="The link's text in the listing.", max_length=300)),
                ('listing_date', models.DateField(blank=True, help_text='The date the listing gives it, if it settles one.', null=True)),
                ('listing_note', models.CharField(blank=True, help_text='How the listing dates it, or why it cannot.', max_length=300)),
                ('state', models.CharField(choices=[('pending', 'Not fetched yet'), ('imported', 'Imported'), ('failed', 'Failed'), ('needs_review', 'Changed upstream, needs review')], default='pending', max_length=20)),
                ('message', models.TextField(blank=True, help_text="Why it failed or needs review; the import's notes.")),
                ('etag', models.CharField(blank=True, max_length=300)),
                ('last_modified', models.CharField(blank=True, max_length=100)),
                ('content_sha256', models.CharField(blank=True, max_length=64)),
                ('links', models.JSONField(blank=True, default=list, help_text="A listing page's entries: [url, title, printed date].")),
                ('page_count', models.PositiveIntegerField(blank=True, null=True)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Failed attempts in a row.')),
                ('attempted_at', models.DateTimeField(blank=True, null=True)),
                ('fetched_at', models.DateTimeField(blank=True, null=True)),
                ('imported_at', models.DateTimeField(blank=True, help_text='When the sync made its briefing.', null=True)),
                ('briefing', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='statements.briefing')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pages', to='statements.source')),
            ],
            options={
                'ordering': ['source', '-listing_date', 'url'],
                'indexes': [models.Index(fields=['source', 'state'], name='source_page_state_idx')],
                'constraints': [models.UniqueConstraint(fields=('source', 'url'), name='source_page_unique_url')],
            },
        ),
        migrations.RunPython(add_shipped_sources, migrations.RunPython.noop),
    ]
