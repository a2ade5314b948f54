"""Keyword search documents move onto the case row (cases.search says why).

1. two document columns on the case (empty by default);
2. the documents copied from the search table (on a large database this rewrites every
   case row: plan for it, as for any table rewrite);
3. the indexes: GIN on each column on PostgreSQL; on SQLite an FTS5 index over the case's
   columns (written by `cases.search` with the documents, not by triggers);
4. the search table goes, with its indexes.

Reversible: going back recreates the search table, its indexes and rows.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import minsheng.cases.models

# No triggers: Django rebuilds a SQLite table to alter it, which would drop them; the one
# writer of the documents (cases.search) writes the index too.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE cases_case_fts USING fts5(search_subject, search_text, "
    "content='cases_case', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS cases_case_fts"]
# Migration 0010's index over the search table, for going back.
SQLITE_OLD_CREATE = [
    "CREATE VIRTUAL TABLE cases_casesearch_fts USING fts5(subject, text, "
    "content='cases_casesearch', content_rowid='case_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER cases_casesearch_fts_insert AFTER INSERT ON cases_casesearch BEGIN "
    "INSERT INTO cases_casesearch_fts(rowid, subject, text) "
    "VALUES (new.case_id, new.subject, new.text); END",
    "CREATE TRIGGER cases_casesearch_fts_delete AFTER DELETE ON cases_casesearch BEGIN "
    "INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, subject, text) "
    "VALUES ('delete', old.case_id, old.subject, old.text); END",
    "CREATE TRIGGER cases_casesearch_fts_update AFTER UPDATE ON cases_casesearch BEGIN "
    "INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, subject, text) "
    "VALUES ('delete', old.case_id, old.subject, old.text); "
    "INSERT INTO cases_casesearch_fts(rowid, subject, text) "
    "VALUES (new.case_id, new.subject, new.text); END",
]
SQLITE_OLD_DROP = [
    "DROP TRIGGER IF EXISTS cases_casesearch_fts_insert",
    "DROP TRIGGER IF EXISTS cases_casesearch_fts_delete",
    "DROP TRIGGER IF EXISTS cases_casesearch_fts_update",
    "DROP TABLE IF EXISTS cases_casesearch_fts",
]
POSTGRESQL_CREATE = [
    "CREATE INDEX case_search_subject_gin ON cases_case USING gin (search_subject)",
    "CREATE INDEX case_search_text_gin ON cases_case USING gin (search_text)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS case_search_subject_gin",
    "DROP INDEX IF EXISTS case_search_text_gin",
]
POSTGRESQL_OLD_CREATE = [
    "CREATE INDEX IF NOT EXISTS case_search_subject ON cases_casesearch USING gin (subject)",
    "CREATE INDEX IF NOT EXISTS case_search_text ON cases_casesearch USING gin (text)",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, **statements: list[str]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def documents_copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    copy = (
        "UPDATE cases_case SET search_subject = s.subject, search_text = s.text "
        "FROM cases_casesearch s WHERE s.case_id = cases_case.id"
    )
    _run(schema_editor, postgresql=[copy], sqlite=[copy])


def documents_copy_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    back = (
        "INSERT INTO cases_casesearch (case_id, subject, text) "
        "SELECT id, search_subject, search_text FROM cases_case"
    )
    _run(schema_editor, postgresql=[back], sqlite=[back])


def indexes_create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, postgresql=POSTGRESQL_CREATE, sqlite=SQLITE_OLD_DROP + SQLITE_CREATE)


def indexes_drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(
        schema_editor,
        postgresql=POSTGRESQL_DROP + POSTGRESQL_OLD_CREATE,
        sqlite=SQLITE_DROP + SQLITE_OLD_CREATE,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_clock_deadline_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_subject",
            field=minsheng.cases.models.SearchDocumentField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=minsheng.cases.models.SearchDocumentField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(documents_copy, documents_copy_back, elidable=False),
        migrations.RunPython(indexes_create, indexes_drop, elidable=False),
        migrations.DeleteModel(name="CaseSearch"),
    ]
