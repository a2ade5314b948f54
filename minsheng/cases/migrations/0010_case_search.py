"""Keyword search documents (cases.search) and their indexes.

PostgreSQL: a GIN index on each tsvector column; the two pg_trgm indexes of migration 0003
go (keyword search no longer reads the case texts, and every registration paid for them).
SQLite: an FTS5 index over the documents, kept in step by triggers (rowid = case id).

Cases registered before this migration have no document yet: `manage.py
search_documents_fill` writes the missing ones.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import minsheng.cases.models

FTS = "cases_casesearch_fts"
SQLITE_CREATE = [
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
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_{name}" for name in ("insert", "delete", "update")
] + [f"DROP TABLE IF EXISTS {FTS}"]
POSTGRESQL_CREATE = [
    "CREATE INDEX case_search_subject ON cases_casesearch USING gin (subject)",
    "CREATE INDEX case_search_text ON cases_casesearch USING gin (text)",
    "DROP INDEX IF EXISTS case_subject_trgm",
    "DROP INDEX IF EXISTS case_body_trgm",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS case_search_subject",
    "DROP INDEX IF EXISTS case_search_text",
    "CREATE INDEX IF NOT EXISTS case_subject_trgm ON cases_case "
    "USING gin (UPPER((subject)::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_body_trgm ON cases_case USING gin (UPPER(body) gin_trgm_ops)",
]


def _run(
    schema_editor: BaseDatabaseSchemaEditor, *, postgresql: list[str], sqlite: list[str]
) -> None:
    vendor = schema_editor.connection.vendor
    for statement in postgresql if vendor == "postgresql" else sqlite if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, postgresql=POSTGRESQL_CREATE, sqlite=SQLITE_CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, postgresql=POSTGRESQL_DROP, sqlite=SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_state_ended_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseSearch",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("subject", minsheng.cases.models.SearchDocumentField()),
                ("text", minsheng.cases.models.SearchDocumentField()),
            ],
            options={
                "verbose_name": "case search document",
                "verbose_name_plural": "case search documents",
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
