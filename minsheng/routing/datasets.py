"""The shared labelled messages (train.csv, dev.csv) that the router learns from and is
measured on. They live outside the repository, in the shared data folder
(`shared_data_dir()`, from `minsheng.lib.shared_data`; setting `MINSHENG_SHARED_DATA`).

The files are research material under their own terms: read them in place, never copy
them into the project.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from minsheng.lib.shared_data import shared_data_dir
from minsheng.routing.model import file_sha256

LABEL_COLUMN = "category_l1"


@dataclass(frozen=True)
class Labelled:
    """Texts and their level-1 labels, with where they came from."""

    texts: list[tuple[str, str]]
    labels: list[str]
    source: dict[str, object]


def split_path(split: str) -> Path:
    """train.csv or dev.csv in the shared data folder."""
    return shared_data_dir() / f"{split}.csv"


def has_split(split: str) -> bool:
    return split_path(split).is_file()


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def labelled_split(split: str, *, limit_per_class: int | None = None) -> Labelled:
    """The (subject, body) pairs and labels of one split, in file order; with
    `limit_per_class`, only the first that many rows of each class (quick trials, tests)."""
    path = split_path(split)
    texts: list[tuple[str, str]] = []
    labels: list[str] = []
    seen: dict[str, int] = {}
    for row in _rows(path):
        label = row[LABEL_COLUMN]
        if limit_per_class is not None and seen.get(label, 0) >= limit_per_class:
            continue
        seen[label] = seen.get(label, 0) + 1
        texts.append((row["subject"], row["body"]))
        labels.append(label)
    source = {
        "file": path.name,
        "sha256": file_sha256(path),
        "rows": len(labels),
        "limit_per_class": limit_per_class,
    }
    return Labelled(texts=texts, labels=labels, source=source)
