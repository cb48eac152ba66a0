"""Email alerts (docs/alerts.md): subscribers, the /remarks/ states they follow, and the digests
written before they are sent, with what each holds (statements/alerts.py, docs/alerts.md)."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import statements.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0014_index_words_in_capitals'),
    ]

    operations = [
        migrations.CreateModel(
            name='Subscriber',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('token', models.CharField(default=statements.models.new_link_token, editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, editable=False, help_text='When a confirmation link was first followed (double opt-in).', null=True)),
                ('confirmation_sent_at', models.DateTimeField(blank=True, editable=False, help_text='The last confirmation email: at most one per ALERTS_CONFIRMATION_INTERVAL.', null=True)),
                ('digested_until', models.DateTimeField(blank=True, editable=False, help_text='The last digest looked for remarks published up to here.', null=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='subscriber_email_unique')],
            },
        ),
        migrations.CreateModel(
            name='Digest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('sections', models.JSONField(default=list)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digests', to='statements.subscriber')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.TextField(blank=True, help_text='The /remarks/ state as a canonical query string without “?”; empty: every remark.')),
                ('query_key', models.CharField(editable=False, max_length=64)),
                ('label', models.TextField(help_text='What it follows, in words: “Remarks on Trade by Hua Chunying”.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='statements.subscriber')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SentRemark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sent_remarks', to='statements.digest')),
                ('remark', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='statements.remark')),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='statements.subscriber')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('subscriber', 'remark'), name='sent_remark_once_per_subscriber')],
            },
        ),
        migrations.AddIndex(
            model_name='digest',
            index=models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['subscriber'], name='digest_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='alert',
            constraint=models.UniqueConstraint(fields=('subscriber', 'query_key'), name='alert_unique_per_subscriber'),
        ),
    ]
