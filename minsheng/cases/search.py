"""Keyword search over the case texts: what is indexed, and how a keyword is asked for.

Chinese has no spaces between words and a keyword of one or two characters (噪音) is
common, so a case is indexed by character bigrams, not by words, in two documents on the
case row (`Case.search_subject`, `Case.search_text`) written when it is registered:

- the text is NFKC-normalised and case-folded (full-width letters and digits become
  ASCII), then cut into runs of letters and digits (spaces and punctuation end a run);
- each run gives its bigrams in order, then its last character alone: "噪音扰民" gives
  噪音 音扰 扰民 民. The lone character ends the run, so a phrase never spans two runs;
- after every run's tokens, each distinct character of the document once, in the order it
  first occurs ("噪音扰民" ends with 噪 音 扰 民): a keyword of one character is then one
  exact token wherever it stands in a run (the bigrams are other tokens, so no phrase
  reaches these characters);
- a keyword of two or more characters is the phrase of its bigrams (consecutive
  positions), so it matches exactly where the keyword occurs as written; a keyword of one
  character is that character's token; several words separated by spaces must all occur;
- two documents per case: the subject, and the text with the respondent unit and the
  place. A match in the subject ranks first (`keyword_sections`).

Personal data written into the subject or text (phone and ID numbers, e-mails, home
addresses: `lib.pii`) is masked before it is indexed, so nobody can find a case by it
here: who complained is searched only through the complainant filter (keyed hashes, for
the roles `access.can_search_by_complainant` names).

PostgreSQL keeps the documents as `tsvector` with a GIN index each and asks `@@ tsquery`
(`<->` for the phrase, `'噪'` for one character); SQLite keeps them as text with an FTS5
index beside the table (migration 0015) and asks `MATCH` with the same phrases and tokens.
A one-character keyword was a prefix (`'噪':*`, GIN's partial match over every bigram that
starts with it, 15-20x the cost of one token) until the characters were indexed on their own
(migration 0016 rewrote the documents: a change of this format needs such a re-index).

Why on the case row (migration 0015; they were in a table of their own before): a keyword in
1-3 % of a million cases matched 10,000-30,000 rows, each a visit to the search table and
then one to the case to filter and sort it (0.5-1 s). On the case row, the GIN index's
matches combine with the list's other indexes (department, state) before any row is read,
a count reads no row at all, and the newest matches are found by walking the list's own
index and testing the subject's document, which sits in the row (bench/case_list.md).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from minsheng.cases.models import Case
from minsheng.lib.pii import pii_mask

# Runs of letters and digits (what both databases' indexes take as one token's characters).
_SEPARATORS = re.compile(r"[\W_]+")
MAX_WORDS = 8  # of a keyword; more are ignored (each is one more index look-up)
FTS_TABLE = "cases_case_fts"  # SQLite's FTS5 index over the case documents (migration 0015)
# A keyword search counts its matches up to this many ("1000+ cases"), where other lists
# count to 10,000 (`lib.pagination.COUNT_CAP`): each match counted is a row read, and a
# common keyword (噪, 1-3 % of the cases) has 10,000 matches within 300,000 cases.
COUNT_CAP = 1_000


def _runs(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [run for run in _SEPARATORS.split(normal) if run]


def _run_tokens(run: str) -> list[str]:
    return [run[k : k + 2] for k in range(len(run) - 1)] + [run[-1]]


def document(*texts: str) -> str:
    """The stored form of a document: the texts' tokens, then each distinct character of
    them once (a one-character keyword's token), separated by spaces."""
    runs = [run for text in texts for run in _runs(text)]
    found = [token for run in runs for token in _run_tokens(run)]
    return " ".join(found + list(dict.fromkeys("".join(runs))))


def subject_document(subject: str) -> str:
    """What the subject is searched by (personal data masked first)."""
    return document(pii_mask(subject))


def text_document(*, body: str, respondent: str, location: str) -> str:
    """What the text, the respondent unit and the place are searched by (personal data in
    the text masked first; the unit and the place are shown to every reader as written)."""
    return document(pii_mask(body), respondent, location)


def search_documents_set(case: Case) -> Case:
    """Write the search documents onto an (unsaved) case; returns it."""
    case.search_subject = subject_document(case.subject)
    case.search_text = text_document(
        body=case.body, respondent=case.respondent, location=case.location
    )
    return case


def search_index_add(cases: Sequence[Case]) -> None:
    """After `cases` (with their documents) are written: on SQLite, add them to the FTS5
    index (no trigger does: Django rebuilds a table to alter it, dropping its triggers). On
    PostgreSQL the GIN indexes are the table's own."""
    if connection.vendor != "sqlite" or not cases:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, search_subject, search_text) VALUES (%s, %s, %s)",  # noqa: S608 - no input
            [(case.pk, case.search_subject, case.search_text) for case in cases],
        )


def search_index_rebuild() -> None:
    """On SQLite, rebuild the FTS5 index from the case rows (after cases were loaded straight
    into the table). Nothing to do on PostgreSQL."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608 - no input


def search_documents_fill(
    *, every: bool = False, model: type[Case] = Case, batch: int = 2000
) -> int:
    """Write the search documents that are missing (cases loaded straight into the table),
    or with `every` those of every case (their format changed: a migration re-indexes, with
    its historical `model`); returns how many cases got them. Safe to run again: each batch
    is written on its own, so a run stopped half-way leaves every case searchable (in the
    old format or the new) and is simply run again."""
    missing = Q() if every else Q(search_subject="", search_text="")
    written = 0
    last = 0
    while True:
        cases = list(
            model._base_manager.filter(missing, pk__gt=last)
            .order_by("pk")
            .only("pk", "subject", "body", "respondent", "location")[:batch]
        )
        if not cases:
            break
        model._base_manager.bulk_update(
            [search_documents_set(case) for case in cases], list(Case.SEARCH_DOCUMENTS)
        )
        if not every:
            search_index_add(cases)
        written += len(cases)
        last = cases[-1].pk
    if every:
        # FTS5 forgets a row only given its old documents: read them all again at once.
        search_index_rebuild()
    return written


@dataclass(frozen=True)
class Keyword:
    """A keyword as the index asks for it: each word's bigrams (a phrase), or a single
    character (its own token)."""

    words: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, value: str) -> "Keyword":
        words = []
        for run in _runs(value)[:MAX_WORDS]:
            words.append((run,) if len(run) == 1 else tuple(_run_tokens(run)[:-1]))
        return cls(words=tuple(dict.fromkeys(words)))

    def __bool__(self) -> bool:
        return bool(self.words)

    def as_tsquery(self) -> str:
        """PostgreSQL: `('噪音' <-> '音扰')` for a phrase, `('噪')` for one character."""
        return " & ".join(
            "(" + " <-> ".join(f"'{token}'" for token in word) + ")" for word in self.words
        )

    def as_fts5(self, column: str) -> str:
        """SQLite FTS5: `column : ("噪音 音扰" AND "噪")`."""
        return (
            f"{column} : (" + " AND ".join('"' + " ".join(word) + '"' for word in self.words) + ")"
        )


def _found(*, postgresql: Q, sqlite: str, keyword: Keyword) -> Q:
    """Cases whose documents meet a condition, written for the database in use:
    `postgresql` over `matches` lookups, `sqlite` an FTS5 query with `{subject}` and
    `{text}` for the column-filtered keyword."""
    if connection.vendor == "postgresql":
        return postgresql
    fts = sqlite.format(
        subject=keyword.as_fts5("search_subject"), text=keyword.as_fts5("search_text")
    )
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - no input
    return Q(pk__in=RawSQL(sql, [fts]))  # noqa: S611 - the keyword is a parameter


def _in_subject(keyword: Keyword) -> Q:
    return Q(search_subject__matches=keyword.as_tsquery())


def _in_text(keyword: Keyword) -> Q:
    return Q(search_text__matches=keyword.as_tsquery())


def keyword_q(keyword: Keyword) -> Q:
    """Cases whose subject, or text with the respondent unit and place, hold the keyword."""
    return _found(
        postgresql=_in_subject(keyword) | _in_text(keyword),
        sqlite="({subject}) OR ({text})",
        keyword=keyword,
    )


def keyword_sections(keyword: Keyword) -> list[Q]:
    """`keyword_q` in order of rank: the keyword in the subject, then in the text,
    respondent unit or place only. Together they list each matching case once."""
    return [
        _found(postgresql=_in_subject(keyword), sqlite="{subject}", keyword=keyword),
        _found(
            postgresql=_in_text(keyword) & ~_in_subject(keyword),
            sqlite="({text}) NOT ({subject})",
            keyword=keyword,
        ),
    ]
