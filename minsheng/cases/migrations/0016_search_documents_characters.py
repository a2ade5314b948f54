"""Keyword search documents carry each character on its own (cases.search says why): every
case's documents are written again, in batches of 2,000 by id, each batch committed on its
own (the migration is not atomic), so the site keeps answering meanwhile; on SQLite the FTS5
index is rebuilt at the end.

Unlike other migrations this one calls app code (`cases.search.search_documents_fill`): the
documents must be in the format the running search asks for, and the tokeniser lives in one
place. Stopped half-way, it is simply run again (every case stays searchable: a document not
yet rewritten is found by every keyword of two or more characters, and by one character
where a run ends with it).

On PostgreSQL the two GIN indexes are updated row by row (kept, so keyword search keeps
working): about 590 cases a second here, so half an hour a million cases, leaving the
old row versions to autovacuum.

Nothing to undo: going back leaves documents the older search reads as well (it asks a
prefix, which the characters also match).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def documents_rewrite(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from minsheng.cases.search import search_documents_fill

    search_documents_fill(every=True, model=apps.get_model("cases", "Case"))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0015_search_documents_on_the_case"),
    ]

    operations = [
        migrations.RunPython(documents_rewrite, migrations.RunPython.noop, elidable=False),
    ]
