"""Similar and duplicate cases: text features, the in-process index of open cases, and
the score and reason that say why two cases are probably the same matter.

Pure computation (numpy and scipy, no database): `routing.selectors` fills and refreshes
the index from the open cases; `routing.services` uses the same features to find
collective complaints.

How it works (choices measured on the shared data, see the README, "Duplicates"):
- a text is NFKC-normalised and case-folded; its character trigrams are hashed into
  2^22 features (2^20 for a small corpus), so there is no vocabulary to refit when new
  cases arrive;
- weights are sublinear tf x idf, rows L2-normalised: similarity is the cosine;
- each indexed case keeps only its 64 heaviest trigrams, held as an inverted index
  (feature -> cases); a lookup scores every case sharing a trigram with the query
  through it, keeps the best few dozen, and the caller rescores those exactly from
  their full texts;
- new cases go to a small "fresh" segment that is folded into the main one every
  2,000 additions; closed cases are masked out until the next rebuild;
- a snapshot of the index (`snapshot_write`, `snapshot_read`) is a directory of numpy
  arrays that every process maps read-only (the operating system shares the pages), so a
  fresh process answers its first lookup without building anything.
"""

import json
import os
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

FEATURE_BITS = 22
SMALL_FEATURE_BITS = 20  # for an index of fewer than SMALL_CORPUS texts: quicker to build
SMALL_CORPUS = 20_000
MAX_CHARS = 2000  # of subject + body: the beginning says what the matter is
KEEP_TERMS = 64  # per indexed case
CANDIDATES = 40  # approximate hits handed to the exact rescoring
MERGE_FRESH_AT = 2000
_CHUNK = 5000  # texts vectorised at once while building (bounds the peak memory)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing of the packed trigram
_NOT_TEXT = re.compile(r"[\s\x00-\x1f]+")

# Text similarity from which a case is shown as possibly the same matter; with the same
# respondent unit a weaker likeness is enough. At LIKELY_DUPLICATE it is called a
# duplicate: re-posts in the shared data (dup_group) score 0.88 and above in 95 % of
# cases, while the best match of an ordinary message scores below 0.25 in 95 %.
SHOW_FROM = 0.30
SHOW_FROM_SAME_UNIT = 0.20
LIKELY_DUPLICATE = 0.80
# The combined score: mostly the text, then the unit, the place and how close in time.
TEXT_WEIGHT, UNIT_WEIGHT, PLACE_WEIGHT, RECENT_WEIGHT = 0.80, 0.10, 0.05, 0.05
RECENT_DAYS = 90  # the time bonus falls to nothing over this many days


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), case-folded, runs of
    whitespace and control characters reduced to one space."""
    return _NOT_TEXT.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def case_text(subject: str, body: str) -> str:
    """The text a case is compared by: the start of its subject and body."""
    return normalise(f"{subject}\n{body[:MAX_CHARS]}")[:MAX_CHARS]


def unit_key(respondent: str, respondent_department_id: int | None) -> str:
    """What identifies the unit complained about: our department, else its name."""
    if respondent_department_id:
        return f"department:{respondent_department_id}"
    name = re.sub(r"[^\w]", "", normalise(respondent))
    return f"name:{name}" if name else ""


def same_place(location_a: str, location_b: str) -> bool:
    """The same place: equal after normalising, or one names a part of the other."""
    a, b = normalise(location_a).replace(" ", ""), normalise(location_b).replace(" ", "")
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a))


def term_counts(texts: Sequence[str], *, n: int = 3, bits: int = FEATURE_BITS) -> sp.csr_matrix:
    """Hashed character n-gram counts (n = 2 or 3) in 2^bits features, one row per
    (normalised) text."""
    n_features = 1 << bits
    rows_wanted = len(texts)
    if rows_wanted == 0 or not any(len(t) >= n for t in texts):
        return sp.csr_matrix((rows_wanted, n_features), dtype=np.float32)
    # Two NULs between texts: an n-gram that spans two texts contains one and is dropped.
    joined = "\x00\x00".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(rows_wanted, dtype=np.int64), [len(t) + 2 for t in texts])
    owner = owner[: codes.size - n + 1]
    # Code points are below 2^21, so up to three of them pack into one 64-bit key.
    parts = [codes[k : codes.size - n + 1 + k] for k in range(n)]
    valid = np.logical_and.reduce([part != 0 for part in parts])
    packed = np.zeros(int(valid.sum()), dtype=np.uint64)
    for part in parts:
        packed = (packed << np.uint64(21)) | part[valid]
    features = ((packed * _MULTIPLIER) >> np.uint64(64 - bits)).astype(np.int64)
    # Sorting (text, feature) keys gives the CSR layout directly: runs are the counts.
    keys = owner[valid] * n_features + features
    keys.sort()
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    counts = np.diff(np.append(starts, keys.size)).astype(np.float32)
    unique = keys[starts]
    rows = unique // n_features
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=rows_wanted))])
    return sp.csr_matrix(
        (counts, (unique % n_features).astype(np.int32), indptr), shape=(rows_wanted, n_features)
    )


def _row_ids(rows: sp.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(rows.shape[0], dtype=np.int64), np.diff(rows.indptr))


def _unit_rows(rows: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row to length 1 (in place); empty rows stay empty."""
    norms = np.sqrt(np.bincount(_row_ids(rows), rows.data**2, minlength=rows.shape[0]))
    norms[norms == 0] = 1.0
    rows.data /= np.repeat(norms, np.diff(rows.indptr)).astype(np.float32)
    return rows


def _dot(rows: sp.csr_matrix, vector: sp.csr_matrix) -> np.ndarray:
    """Each row's dot product with a one-row vector, without a feature-sized array."""
    if rows.nnz == 0 or vector.nnz == 0:
        return np.zeros(rows.shape[0], dtype=np.float64)
    order = np.argsort(vector.indices)
    features, weights = vector.indices[order], vector.data[order]
    at = np.minimum(np.searchsorted(features, rows.indices), features.size - 1)
    products = np.where(features[at] == rows.indices, rows.data * weights[at], 0.0)
    return np.bincount(_row_ids(rows), products, minlength=rows.shape[0])


def matter_similarity(text: str, others: Sequence[str]) -> np.ndarray:
    """Cosine of character bigrams (sublinear tf, no idf) between one normalised text and
    each of the others: do two people describe the same matter? Needs no corpus, so it
    means the same in a new deployment as in a busy one. Unrelated messages of the shared
    data score below 0.20 in 99.9 % of pairs; parents describing one canteen 0.32-0.57."""
    rows = term_counts([text, *others], n=2)
    rows.data = np.log1p(rows.data)
    rows = _unit_rows(rows)
    return _dot(rows[1:], rows[0])


def _prune(rows: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep each row's `keep` largest weights. Weights of unit rows lie in (0, 1], so
    `row * 2 + (1 - weight)` sorts by row, then by weight, heaviest first."""
    lengths = np.diff(rows.indptr)
    if lengths.size == 0 or lengths.max() <= keep:
        return rows
    order = np.argsort(_row_ids(rows) * 2.0 + (1.0 - rows.data))
    rank = np.arange(order.size) - np.repeat(rows.indptr[:-1], lengths)
    kept = np.sort(order[rank < keep])
    indptr = np.concatenate([[0], np.cumsum(np.minimum(lengths, keep))])
    return sp.csr_matrix((rows.data[kept], rows.indices[kept], indptr), shape=rows.shape)


@dataclass(frozen=True)
class Weights:
    """Inverse document frequencies of the hashed trigrams, from one corpus."""

    idf: np.ndarray
    documents: int
    bits: int = FEATURE_BITS

    @classmethod
    def fit(cls, chunks: Iterable[sp.csr_matrix], *, bits: int = FEATURE_BITS) -> "Weights":
        """Smoothed idf, log((1 + n) / (1 + df)) + 1, over the texts' count rows (counted
        with the same `bits`)."""
        df = np.zeros(1 << bits, dtype=np.int64)
        documents = 0
        for counts in chunks:
            df += np.bincount(counts.indices, minlength=1 << bits)
            documents += counts.shape[0]
        idf = (np.log((1 + documents) / (1 + df)) + 1).astype(np.float32)
        return cls(idf=idf, documents=documents, bits=bits)

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Unit-length tf-idf rows (sublinear tf) of normalised texts."""
        return self.weigh(term_counts(texts, bits=self.bits))

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Unit-length tf-idf rows from trigram counts (changes `counts` in place)."""
        counts.data = np.log1p(counts.data) * self.idf[counts.indices]
        return _unit_rows(counts)

    def similarity(self, vector: sp.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """Exact cosine of one query vector with each text."""
        return _dot(self.vectors(texts), vector)


@dataclass(frozen=True)
class Hit:
    """An indexed case and its approximate similarity to the query."""

    case_id: int
    score: float


class DuplicateIndex:
    """The open cases' pruned vectors, searchable by cosine similarity.

    Not thread-safe by itself: the caller serialises additions, removals and searches.
    """

    def __init__(self, weights: Weights) -> None:
        self.weights = weights
        # feature -> column
        self._main = sp.csr_matrix((1 << weights.bits, 0), dtype=np.float32)
        self._fresh_rows: list[sp.csr_matrix] = []
        self._fresh: sp.csr_matrix | None = None  # the fresh rows stacked, built lazily
        self._ids = np.zeros(0, dtype=np.int64)  # case id of each column, main then fresh
        self._alive = np.zeros(0, dtype=bool)
        self._column: dict[int, int] = {}

    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str]) -> "DuplicateIndex":
        """An index of these cases, with idf learnt from their texts (a smaller feature space
        for a small corpus: it builds faster and its few trigrams collide little)."""
        bits = SMALL_FEATURE_BITS if len(texts) < SMALL_CORPUS else FEATURE_BITS
        chunks = [
            term_counts(texts[start : start + _CHUNK], bits=bits)
            for start in range(0, len(texts), _CHUNK)
        ]
        index = cls(Weights.fit(chunks, bits=bits))
        start = 0
        while chunks:
            counts = chunks.pop(0)  # freed as we go
            index._append(ids[start : start + counts.shape[0]], index.weights.weigh(counts))
            start += counts.shape[0]
        index._merge()
        return index

    def __len__(self) -> int:
        return int(self._alive.sum())

    def __contains__(self, case_id: int) -> bool:
        column = self._column.get(case_id)
        return column is not None and bool(self._alive[column])

    @property
    def memory_bytes(self) -> int:
        """What the index arrays take (the id map aside)."""
        arrays = [self._main.data, self._main.indices, self._main.indptr, self._ids, self._alive]
        arrays += [m for r in self._fresh_rows for m in (r.data, r.indices, r.indptr)]
        return sum(a.nbytes for a in arrays) + self.weights.idf.nbytes

    def add(self, ids: Sequence[int], texts: Sequence[str], *, merge: bool = False) -> None:
        """Index these cases (a case already indexed is replaced)."""
        self.remove(ids)
        for start in range(0, len(texts), _CHUNK):
            rows = self.weights.vectors(texts[start : start + _CHUNK])
            self._append(ids[start : start + _CHUNK], rows)
        if merge or self._ids.size - self._main.shape[1] >= MERGE_FRESH_AT:
            self._merge()

    def _append(self, ids: Sequence[int], rows: sp.csr_matrix) -> None:
        self._fresh_rows.append(_prune(rows, KEEP_TERMS))
        chunk_ids = np.asarray(ids, dtype=np.int64)
        first = self._ids.size
        self._ids = np.concatenate([self._ids, chunk_ids])
        self._alive = np.concatenate([self._alive, np.ones(chunk_ids.size, dtype=bool)])
        self._column.update((int(i), first + k) for k, i in enumerate(chunk_ids))
        self._fresh = None

    def remove(self, ids: Iterable[int]) -> None:
        """Stop proposing these cases (closed, merged, ...)."""
        for case_id in ids:
            column = self._column.pop(int(case_id), None)
            if column is not None:
                self._alive[column] = False

    def _merge(self) -> None:
        if not self._fresh_rows:
            return
        fresh = sp.vstack(self._fresh_rows, format="csr").T
        if self._main.shape[1] == 0:
            self._main = fresh.tocsr()
        else:
            self._main = sp.hstack([self._main, fresh], format="csr")
        self._fresh_rows = []
        self._fresh = None

    def _fresh_matrix(self) -> sp.csr_matrix:
        """The fresh rows as one matrix (rows: cases), built once after each addition."""
        if self._fresh is None:
            self._fresh = sp.vstack(self._fresh_rows, format="csr")
        return self._fresh

    def vector(self, text: str) -> sp.csr_matrix:
        """The query vector of a normalised text."""
        return self.weights.vectors([text])

    def search(
        self, vector: sp.csr_matrix, *, limit: int = CANDIDATES, exclude: Iterable[int] = ()
    ) -> list[Hit]:
        """The indexed open cases most similar to `vector`, best first (approximate:
        indexed cases keep only their heaviest trigrams)."""
        columns: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        if self._main.shape[1]:
            found = vector @ self._main  # the inverted index: only cases sharing a trigram
            columns.append(found.indices.astype(np.int64))
            scores.append(found.data)
        if self._fresh_rows:
            fresh = _dot(self._fresh_matrix(), vector)
            shared = np.flatnonzero(fresh)
            columns.append(shared + self._main.shape[1])
            scores.append(fresh[shared])
        if not columns:
            return []
        column = np.concatenate(columns)
        score = np.concatenate(scores)
        keep = self._alive[column]
        for case_id in exclude:
            excluded = self._column.get(int(case_id))
            if excluded is not None:
                keep &= column != excluded
        column, score = column[keep], score[keep]
        if column.size > limit:
            best = np.argpartition(-score, limit)[:limit]
            column, score = column[best], score[best]
        order = np.argsort(-score, kind="stable")
        pairs = zip(column[order], score[order], strict=True)
        return [Hit(int(self._ids[c]), float(s)) for c, s in pairs]


SNAPSHOT_KEEP = 3  # versions kept, so a reader that just read the pointer finds its files
_SNAPSHOT_ARRAYS = ("idf", "data", "indices", "indptr", "ids", "alive")


def snapshot_write(directory: Path, index: DuplicateIndex, meta: dict[str, Any]) -> Path:
    """Write `index` (fresh rows folded in) and `meta` (JSON) as a new version under
    `directory`, then point `current` at it: the version is complete before the pointer
    moves (both by rename), so a reader sees the old snapshot or the new, never half."""
    index._merge()
    directory.mkdir(parents=True, exist_ok=True)
    # Named by time, then process and a random part: two writers never pick the same name.
    version = f"v{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}"
    building = directory / f".{version}.tmp"
    building.mkdir()
    arrays = {
        "idf": index.weights.idf,
        "data": index._main.data,
        "indices": index._main.indices,
        "indptr": index._main.indptr,
        "ids": index._ids,
        "alive": index._alive,
    }
    for name, array in arrays.items():
        np.save(building / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
    meta = {
        **meta,
        "bits": index.weights.bits,
        "documents": index.weights.documents,
        "columns": int(index._main.shape[1]),
    }
    (building / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    os.replace(building, directory / version)
    pointer = directory / f".current.{version}.tmp"
    pointer.write_text(version, encoding="utf-8")
    os.replace(pointer, directory / "current")
    versions = sorted(p for p in directory.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in versions[:-SNAPSHOT_KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return directory / version


def snapshot_read(directory: Path) -> tuple[DuplicateIndex, dict[str, Any]] | None:
    """The snapshot `current` points at, its arrays mapped read-only, and its meta; None
    when there is none (or it was just replaced and removed: the caller builds)."""
    try:
        version = (directory / "current").read_text(encoding="utf-8").strip()
        path = directory / version
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        arrays = {
            name: np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            for name in _SNAPSHOT_ARRAYS
        }
    except (OSError, ValueError):
        return None
    bits = int(meta["bits"])
    index = DuplicateIndex(Weights(idf=arrays["idf"], documents=int(meta["documents"]), bits=bits))
    index._main = sp.csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]),
        shape=(1 << bits, int(meta["columns"])),
        copy=False,
    )
    index._ids = np.array(arrays["ids"])  # small, and grows as cases arrive
    index._alive = np.array(arrays["alive"])  # written to as cases close
    alive = np.flatnonzero(index._alive)
    index._column = dict(zip(index._ids[alive].tolist(), alive.tolist(), strict=True))
    return index, meta


@dataclass(frozen=True)
class Likeness:
    """How much another case looks like the same matter, and why (for people to read)."""

    text: float
    same_unit: bool
    same_place: bool
    days_apart: int

    @property
    def score(self) -> float:
        """0..1: mostly the text, then the unit, the place and closeness in time."""
        recent = max(0.0, 1.0 - self.days_apart / RECENT_DAYS)
        return round(
            TEXT_WEIGHT * self.text
            + UNIT_WEIGHT * self.same_unit
            + PLACE_WEIGHT * self.same_place
            + RECENT_WEIGHT * recent,
            2,
        )

    @property
    def is_shown(self) -> bool:
        """Whether it is worth proposing as possibly the same matter."""
        return self.text >= (SHOW_FROM_SAME_UNIT if self.same_unit else SHOW_FROM)

    @property
    def is_likely_duplicate(self) -> bool:
        return self.text >= LIKELY_DUPLICATE


def days_between(a: datetime, b: datetime) -> int:
    """Whole days between two moments, either order."""
    return abs((a - b).days) if a >= b else abs((b - a).days)
