"""The full-text index, which each database keeps its own way (statements/search/).

PostgreSQL: a tsvector column on the remark table with a GIN index.
SQLite: an FTS5 virtual table keyed by remark id.
Remarks that already exist are indexed by `manage.py rebuild_search_index`.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "ALTER TABLE statements_remark ADD COLUMN search_vector tsvector",
        # /remarks/?q=…: every full-text query goes through this index.
        "CREATE INDEX remark_search_vector_idx ON statements_remark USING GIN (search_vector)",
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE statements_remark_fts USING fts5(question, answer)",
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS remark_search_vector_idx",
        "ALTER TABLE statements_remark DROP COLUMN IF EXISTS search_vector",
    ],
    "sqlite": ["DROP TABLE IF EXISTS statements_remark_fts"],
}


def run(statements):
    def operation(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("statements", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
