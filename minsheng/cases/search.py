"""Keyword search over the case texts: what is indexed, and how a keyword is asked for.

Chinese has no spaces between words and a keyword of one or two characters (噪音) is
common, so a case is indexed by character bigrams, not by words, in its own row
(`CaseSearch`) written when the case is registered:

- the text is NFKC-normalised and case-folded (full-width letters and digits become
  ASCII), then cut into runs of letters and digits (spaces and punctuation end a run);
- each run gives its bigrams in order, then its last character alone: "噪音扰民" gives
  噪音 音扰 扰民 民. The lone character ends the run, so a phrase never spans two runs;
- a keyword of two or more characters is the phrase of its bigrams (consecutive
  positions), so it matches exactly where the keyword occurs as written; a keyword of one
  character matches any token that starts with it (a prefix); several words separated
  by spaces must all occur;
- two documents per case: the subject, and the text with the respondent unit and the
  place. A match in the subject ranks first (`keyword_sections`).

Personal data written into the subject or text (phone and ID numbers, e-mails, home
addresses: `lib.pii`) is masked before it is indexed, so nobody can find a case by it
here: who complained is searched only through the complainant filter (keyed hashes, for
the roles `access.can_search_by_complainant` names).

PostgreSQL keeps the documents as `tsvector` with a GIN index and asks `@@ tsquery`
(`<->` for the phrase, `:*` for the prefix); SQLite keeps them as text with an FTS5 index
beside the table (migration 0010) and asks `MATCH` with the same phrases and prefixes.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from minsheng.cases.models import Case, CaseSearch
from minsheng.lib.pii import pii_mask

# Runs of letters and digits (what both databases' indexes take as one token's characters).
_SEPARATORS = re.compile(r"[\W_]+")
MAX_WORDS = 8  # of a keyword; more are ignored (each is one more index look-up)


def _runs(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [run for run in _SEPARATORS.split(normal) if run]


def _run_tokens(run: str) -> list[str]:
    return [run[k : k + 2] for k in range(len(run) - 1)] + [run[-1]]


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order: each run's bigrams, then its last character."""
    found: list[str] = []
    for run in _runs(text):
        found += _run_tokens(run)
    return found


def document(*texts: str) -> str:
    """The stored form of a document: its tokens separated by spaces."""
    return " ".join(token for text in texts for token in tokens(text))


def subject_document(subject: str) -> str:
    """What the subject is searched by (personal data masked first)."""
    return document(pii_mask(subject))


def text_document(*, body: str, respondent: str, location: str) -> str:
    """What the text, the respondent unit and the place are searched by (personal data in
    the text masked first; the unit and the place are shown to every reader as written)."""
    return document(pii_mask(body), respondent, location)


def search_documents_for(case: Case) -> CaseSearch:
    """The (unsaved) search row of a case."""
    return CaseSearch(
        case=case,
        subject=subject_document(case.subject),
        text=text_document(body=case.body, respondent=case.respondent, location=case.location),
    )


def search_documents_fill(*, batch: int = 2000) -> int:
    """Write the search rows that are missing (cases registered before migration 0010, or
    loaded in bulk); returns how many. Safe to run again."""
    written = 0
    last = 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=last, search__isnull=True)
            .order_by("pk")
            .only("pk", "subject", "body", "respondent", "location")[:batch]
        )
        if not cases:
            return written
        CaseSearch.objects.bulk_create(
            [search_documents_for(case) for case in cases], ignore_conflicts=True
        )
        written += len(cases)
        last = cases[-1].pk


@dataclass(frozen=True)
class Keyword:
    """A keyword as the index asks for it: each word's bigrams (a phrase), or a single
    character (a prefix)."""

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
        """PostgreSQL: `'噪音' <-> '音扰'` for a phrase, `'噪':*` for one character."""
        parts = []
        for word in self.words:
            if len(word) == 1 and len(word[0]) == 1:
                parts.append(f"'{word[0]}':*")
            else:
                parts.append("(" + " <-> ".join(f"'{token}'" for token in word) + ")")
        return " & ".join(parts)

    def as_fts5(self, column: str) -> str:
        """SQLite FTS5: `column : ("噪音 音扰" AND "噪"*)`."""
        parts = []
        for word in self.words:
            if len(word) == 1 and len(word[0]) == 1:
                parts.append(f'"{word[0]}"*')
            else:
                parts.append('"' + " ".join(word) + '"')
        return f"{column} : (" + " AND ".join(parts) + ")"


FTS_TABLE = "cases_casesearch_fts"  # SQLite's FTS5 index over CaseSearch (migration 0010)


def _found(*, postgresql: str, sqlite: str, keyword: Keyword) -> Q:
    """Cases whose search row meets a condition, written for the database in use:
    `postgresql` over the columns with `{q}` for the tsquery, `sqlite` an FTS5 query
    with `{subject}` and `{text}` for the column-filtered keyword."""
    if connection.vendor == "postgresql":
        where = postgresql.replace("{q}", "%s::tsquery")
        params = [keyword.as_tsquery()] * postgresql.count("{q}")
        # OFFSET 0 plans the subquery on its own: the GIN index gives the matching ids at
        # once. Without it PostgreSQL may walk the list's order testing each case's document
        # (measured at a million cases: 3-5 s for a keyword matching 1 %, ~0.5-1 s with it).
        sql = f"SELECT case_id FROM cases_casesearch WHERE {where} OFFSET 0"  # noqa: S608 - no input
    else:
        fts = sqlite.format(subject=keyword.as_fts5("subject"), text=keyword.as_fts5("text"))
        sql, params = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts]  # noqa: S608
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 - the keyword is a parameter


def keyword_q(keyword: Keyword) -> Q:
    """Cases whose subject, or text with the respondent unit and place, hold the keyword."""
    return _found(
        postgresql="subject @@ {q} OR text @@ {q}",
        sqlite="({subject}) OR ({text})",
        keyword=keyword,
    )


def keyword_sections(keyword: Keyword) -> list[Q]:
    """`keyword_q` in order of rank: the keyword in the subject, then in the text,
    respondent unit or place only. Together they list each matching case once."""
    return [
        _found(postgresql="subject @@ {q}", sqlite="{subject}", keyword=keyword),
        _found(
            postgresql="text @@ {q} AND NOT subject @@ {q}",
            sqlite="({text}) NOT ({subject})",
            keyword=keyword,
        ),
    ]
