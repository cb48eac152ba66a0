"""PostgreSQL's search vectors gain the words written in capitals as lexemes of their own
(statements/search/postgres.py), so that WHO is found apart from "who". Only remarks with two
capitals in a row can change; SQLite's index is unchanged (it checks capitals on the text)."""

from django.db import migrations

BATCH = 2000


def index_words_in_capitals(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from statements.search.postgres import tsvector_literal

    Remark = apps.get_model("statements", "Remark")
    capitals = r"[[:upper:]][[:upper:][:digit:]]|[[:digit:]][[:upper:]]"  # WHO, G20, 5G
    rows = (
        Remark.objects.filter(answer__regex=capitals) | Remark.objects.filter(question__regex=capitals)
    ).order_by("pk").values_list("pk", "question", "answer")
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            cursor.execute(
                "UPDATE statements_remark AS r SET search_vector = v.vector::tsvector "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, vector) WHERE r.id = v.id",
                [[pk for pk, _, _ in batch], [tsvector_literal(q, a) for _, q, a in batch]],
            )
            last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("statements", "0013_clean_text_and_plausible_dates")]

    operations = [migrations.RunPython(index_words_in_capitals, migrations.RunPython.noop, elidable=True)]
