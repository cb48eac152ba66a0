"""Control characters and implausible dates are refused by the model; stored text loses its
control characters (stored dates are left as they are: every page stays bounded whatever is
stored, statements/dates.py)."""

from django.db import migrations, models

import statements.dates
import statements.validators

# The text fields the model now checks (statements/validators.py), by model.
CHECKED_TEXT = {
    "Remark": ["question", "answer", "outlet"],
    "Briefing": ["title", "source_name"],
    "Topic": ["name", "description", "keywords"],
    "Entity": ["name", "aliases"],
    "Spokesperson": ["name", "native_name"],
}


def strip_control_characters(apps, schema_editor):
    """What was stored before the model refused control characters loses them: every surface
    (feeds above all) can then rely on clean text. History rows keep what was stored."""
    from statements.validators import CONTROL_CHARACTERS, strip_control_characters as strip

    pattern = CONTROL_CHARACTERS.pattern
    for name, fields in CHECKED_TEXT.items():
        model = apps.get_model("statements", name)
        for field in fields:
            for row in model.objects.filter(**{f"{field}__regex": pattern}).only("pk", field).iterator():
                model.objects.filter(pk=row.pk).update(**{field: strip(getattr(row, field))})


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0012_sync_sources_and_date_source'),
    ]

    operations = [
        migrations.AlterField(
            model_name='briefing',
            name='date',
            field=models.DateField(help_text='The day the briefing was held (not the day it was posted).', validators=[statements.dates.validate_briefing_date]),
        ),
        migrations.AlterField(
            model_name='briefing',
            name='source_name',
            field=models.CharField(blank=True, help_text='Publisher of the transcript, e.g. “Xinhua”.', max_length=200, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='briefing',
            name='title',
            field=models.CharField(help_text='Title as published by the source.', max_length=300, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='entity',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one per line: abbreviations, long forms, Chinese names (US, U.S., United States of America, 美国).', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='entity',
            name='name',
            field=models.CharField(help_text='Usual English name.', max_length=160, unique=True, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalbriefing',
            name='date',
            field=models.DateField(help_text='The day the briefing was held (not the day it was posted).', validators=[statements.dates.validate_briefing_date]),
        ),
        migrations.AlterField(
            model_name='historicalbriefing',
            name='source_name',
            field=models.CharField(blank=True, help_text='Publisher of the transcript, e.g. “Xinhua”.', max_length=200, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalbriefing',
            name='title',
            field=models.CharField(help_text='Title as published by the source.', max_length=300, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalentity',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one per line: abbreviations, long forms, Chinese names (US, U.S., United States of America, 美国).', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalentity',
            name='name',
            field=models.CharField(db_index=True, help_text='Usual English name.', max_length=160, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalremark',
            name='answer',
            field=models.TextField(help_text="The spokesperson's words: the announcement, or the answer to the question.", validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalremark',
            name='outlet',
            field=models.CharField(blank=True, help_text='The asking outlet when the transcript names it (Reuters, AFP, CCTV).', max_length=200, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalremark',
            name='question',
            field=models.TextField(blank=True, help_text='The question as asked; empty for announcements.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalspokesperson',
            name='name',
            field=models.CharField(help_text='Name in Latin script, e.g. “Wang Wenbin”.', max_length=120, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicalspokesperson',
            name='native_name',
            field=models.CharField(blank=True, help_text='Name in the native script, e.g. “汪文斌”.', max_length=120, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicaltopic',
            name='description',
            field=models.TextField(blank=True, help_text='One or two sentences for researchers.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicaltopic',
            name='keywords',
            field=models.TextField(blank=True, help_text='Words and phrases, one per line (English or Chinese), that suggest this topic when a transcript is imported.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='historicaltopic',
            name='name',
            field=models.CharField(db_index=True, max_length=120, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='remark',
            name='answer',
            field=models.TextField(help_text="The spokesperson's words: the announcement, or the answer to the question.", validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='remark',
            name='outlet',
            field=models.CharField(blank=True, help_text='The asking outlet when the transcript names it (Reuters, AFP, CCTV).', max_length=200, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='remark',
            name='question',
            field=models.TextField(blank=True, help_text='The question as asked; empty for announcements.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='spokesperson',
            name='name',
            field=models.CharField(help_text='Name in Latin script, e.g. “Wang Wenbin”.', max_length=120, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='spokesperson',
            name='native_name',
            field=models.CharField(blank=True, help_text='Name in the native script, e.g. “汪文斌”.', max_length=120, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='topic',
            name='description',
            field=models.TextField(blank=True, help_text='One or two sentences for researchers.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='topic',
            name='keywords',
            field=models.TextField(blank=True, help_text='Words and phrases, one per line (English or Chinese), that suggest this topic when a transcript is imported.', validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.AlterField(
            model_name='topic',
            name='name',
            field=models.CharField(max_length=120, unique=True, validators=[statements.validators.validate_no_control_characters]),
        ),
        migrations.RunPython(strip_control_characters, migrations.RunPython.noop),
    ]
