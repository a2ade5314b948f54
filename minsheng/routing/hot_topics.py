"""Hot topics (热点问题): groups of similar matters in a period, ranked by a heat score.

The engine works on plain `Item`s (a case, or a message of a public board with its likes),
so it runs the same on our cases and on the shared `hot_topics.csv`.

How groups are found (chosen on hot_topics.csv, see bench/hot_topics.md):

1. each item's document is its subject twice, then the start of its body (the subject says
   what the matter is; long bodies add noise and cost time);
2. word TF-IDF (jieba-rs segmentation, words of two or more characters, sublinear tf);
   in a large sample, terms in more than 5 % of the documents are dropped (they name
   the kind of complaint, not the matter: 问题, 小区, 反映 ...);
3. the items are split into connected components of the graph "cosine similarity ≥ t";
4. inside each component, average-linkage agglomerative clustering cut at similarity t.
   Average linkage does not chain (two groups join only if they are similar *on average*),
   and since no pair across two components reaches t, cutting the components first gives
   the same groups as clustering everything at once, in much less time and memory.

A group is named by its key terms (share of members using the word × its idf × its mean
weight in the members) and by its most central subject (the member most similar on
average to the others).

The heat score (documented in the README, "Hot topics"):

    heat = ln(1 + n) × (1 + ln people) × (1 + ½ ln places) × √growth × (1 + ⅕ ln(1 + likes))

    n       the group's items in the chosen period (volume)
    people  distinct people among them; places: distinct areas (spread)
    growth  (n + 1) / (p + 1), p the group's items in the previous period of equal
            length, clipped to [¼, 4]
    likes   their likes on a public board (0 where there are none)
"""

import csv
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import rjieba
from django.db.models import QuerySet
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from minsheng.cases.models import Area, Case, Complainant

DEFAULT_THRESHOLD = 0.2
SUBJECT_REPEAT = 2
BODY_CHARS = 300
KEY_TERMS = 5
# Below this many documents a document-frequency cap would drop the very words a small
# group shares, so it applies only to large samples.
LARGE_SAMPLE = 400
MAX_DF_LARGE = 0.05
_BLOCK = 1000  # rows per block of the similarity product (bounds memory)
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z0-9]{1,}")


@dataclass(frozen=True)
class Item:
    """One matter to group: a case, or a message on a public board."""

    key: str
    subject: str
    body: str
    at: datetime
    person: str = ""  # who raised it (anonymous: empty, counted as a distinct person)
    place: str = ""  # area code or name (empty: unknown)
    likes: int = 0


@dataclass
class Topic:
    """A group of similar items in the chosen period, with its heat and its parts."""

    label: str
    terms: list[str]
    items: list[Item]  # in the period, most central first
    previous: int
    people: int
    places: int
    likes: int
    growth: float
    heat: float
    cohesion: float  # mean pairwise cosine similarity of the members

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def first_at(self) -> datetime:
        return min(item.at for item in self.items)

    @property
    def last_at(self) -> datetime:
        return max(item.at for item in self.items)


@dataclass
class TopicRun:
    """The result of one run: the ranked topics and what it took."""

    topics: list[Topic]
    items: int  # items in the period
    grouped: int  # of those, items in a reported topic
    seconds: float
    start: datetime
    end: datetime
    threshold: float
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def grouped_share(self) -> float:
        return self.grouped / self.items if self.items else 0.0


def words(text: str) -> list[str]:
    """Words of two or more Chinese characters, or Latin/digit tokens starting with a letter
    (jieba-rs segmentation); single characters and numbers say little about the matter."""
    return [w for w in rjieba.cut(text) if _WORD.fullmatch(w)]


def _document(item: Item) -> str:
    subject = item.subject.strip()
    return (subject + "。") * SUBJECT_REPEAT + item.body.strip()[:BODY_CHARS]


def heat_score(*, n: int, previous: int, people: int, places: int, likes: int) -> float:
    """The documented heat score of a group (see the module docstring)."""
    growth = min(4.0, max(0.25, (n + 1) / (previous + 1)))
    return (
        math.log1p(n)
        * (1 + math.log(max(people, 1)))
        * (1 + 0.5 * math.log(max(places, 1)))
        * math.sqrt(growth)
        * (1 + 0.2 * math.log1p(max(likes, 0)))
    )


def _groups(features, threshold: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A group label per row: connected components of the similarity ≥ threshold graph,
    each cut by average linkage at the same threshold."""
    n = features.shape[0]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for start in range(0, n, _BLOCK):
        block = (features[start : start + _BLOCK] @ features.T).toarray()
        r, c = np.nonzero(block >= threshold)
        rows.append(r + start)
        cols.append(c)
    r_all = np.concatenate(rows) if rows else np.zeros(0, dtype=int)
    c_all = np.concatenate(cols) if cols else np.zeros(0, dtype=int)
    graph = coo_matrix((np.ones(len(r_all)), (r_all, c_all)), shape=(n, n)).tocsr()
    _count, component = connected_components(graph, directed=False)
    labels = np.arange(n) + n  # singletons keep a label of their own
    next_label = 0
    for comp in np.nonzero(np.bincount(component) >= 2)[0]:
        members = np.nonzero(component == comp)[0]
        similarity = (features[members] @ features[members].T).toarray()
        distance = np.clip(1.0 - similarity, 0.0, None)
        np.fill_diagonal(distance, 0.0)
        if len(members) == 2:
            cut = np.array([1, 1])
        else:
            tree = linkage(squareform(distance, checks=False), method="average")
            cut = fcluster(tree, 1.0 - threshold, criterion="distance")
        for value in np.unique(cut):
            labels[members[cut == value]] = next_label
            next_label += 1
    return labels


def _distinct(values: Iterable[str]) -> int:
    """Distinct non-empty values; each empty value counts as one of its own."""
    seen: set[str] = set()
    unknown = 0
    for value in values:
        if value:
            seen.add(value)
        else:
            unknown += 1
    return len(seen) + unknown


def topics_find(
    items: Sequence[Item],
    *,
    start: datetime,
    end: datetime,
    threshold: float = DEFAULT_THRESHOLD,
    min_size: int = 2,
    limit: int | None = None,
) -> TopicRun:
    """The topics of [start, end), hottest first.

    Steps: keep the items of the period and of the previous period of equal length;
    vectorise; group (components, then average linkage); for each group with at least
    `min_size` items in the period, count volume, growth, spread and likes, score its
    heat, pick its key terms and its central subject; rank by heat.
    """
    started = time.perf_counter()
    before = start - (end - start)
    pool = [item for item in items if before <= item.at < end]
    in_period = sum(1 for item in pool if item.at >= start)
    run = TopicRun(
        topics=[], items=in_period, grouped=0, seconds=0.0, start=start, end=end,
        threshold=threshold,
    )  # fmt: skip
    if len(pool) < 2:
        run.seconds = time.perf_counter() - started
        return run
    large = len(pool) >= LARGE_SAMPLE
    vectoriser = TfidfVectorizer(
        tokenizer=words,
        token_pattern=None,
        lowercase=False,
        sublinear_tf=True,
        min_df=2 if large else 1,
        max_df=MAX_DF_LARGE if large else 1.0,
        dtype=np.float32,
    )
    try:
        features = vectoriser.fit_transform([_document(item) for item in pool]).tocsr()
    except ValueError:  # no usable word at all
        run.seconds = time.perf_counter() - started
        return run
    run.notes["vectorise_s"] = time.perf_counter() - started
    labels = _groups(features, threshold)
    vocabulary = vectoriser.get_feature_names_out()
    idf = vectoriser.idf_
    current = np.array([item.at >= start for item in pool])
    for label in np.unique(labels):
        members = np.nonzero(labels == label)[0]
        now_members = members[current[members]]
        if len(now_members) < min_size:
            continue
        run.topics.append(_topic(pool, features, members, now_members, vocabulary, idf))
    run.topics.sort(key=lambda topic: (-topic.heat, -topic.size, topic.label))
    run.grouped = sum(topic.size for topic in run.topics)
    if limit is not None:
        run.topics = run.topics[:limit]
    run.seconds = time.perf_counter() - started
    return run


def _topic(pool, features, members, now_members, vocabulary, idf) -> Topic:  # type: ignore[no-untyped-def]
    """One group's figures, name and members (most central first)."""
    block = features[now_members]
    similarity = (block @ block.T).toarray()
    k = len(now_members)
    centrality = (similarity.sum(axis=1) - 1.0) / max(k - 1, 1)
    order = np.argsort(-centrality, kind="stable")
    cohesion = float((similarity.sum() - k) / (k * (k - 1))) if k > 1 else 1.0
    # Share of members using the word × its idf, times its mean weight in the members
    # (subject words, counted twice, outrank body words used as often).
    present = (block > 0).astype(np.float32).mean(axis=0).A1
    scores = present * idf * np.asarray(block.mean(axis=0)).ravel()
    top = [
        str(vocabulary[i]) for i in np.argsort(-scores, kind="stable")[:KEY_TERMS] if scores[i] > 0
    ]
    chosen = [pool[i] for i in now_members[order]]
    previous = len(members) - k
    people = _distinct(item.person for item in chosen)
    places = len({item.place for item in chosen if item.place}) or 1
    likes = sum(item.likes for item in chosen)
    heat = heat_score(n=k, previous=previous, people=people, places=places, likes=likes)
    return Topic(
        label=chosen[0].subject,
        terms=top,
        items=chosen,
        previous=previous,
        people=people,
        places=places,
        likes=likes,
        growth=min(4.0, max(0.25, (k + 1) / (previous + 1))),
        heat=heat,
        cohesion=cohesion,
    )


# --- sources ------------------------------------------------------------------------------

BOARD_TIMEZONE = ZoneInfo("Asia/Shanghai")
# The board's anonymised district and county codes (A5区, K9县, A9市); the city "A市" is
# only a fallback, it says nothing about spread inside the city.
_DISTRICT = re.compile(r"[A-Z]\d+[区县市]")
_CITY = re.compile(r"[A-Z]市")


def board_place(subject: str, body: str) -> str:
    """The first district named in a board message (subject first), else its city."""
    for text in (subject, body[:200]):
        found = _DISTRICT.search(text)
        if found:
            return found.group(0)
    found = _CITY.search(subject + body[:200])
    return found.group(0) if found else ""


def board_items(path: Path) -> list[Item]:
    """The messages of a public board file with `id,user,subject,time,body,likes` columns
    (hot_topics.csv), times read as China Standard Time."""
    items = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            at = datetime.strptime(row["time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BOARD_TIMEZONE)
            items.append(
                Item(
                    key=row["id"],
                    subject=row["subject"],
                    body=row["body"],
                    at=at,
                    person=row.get("user", ""),
                    place=board_place(row["subject"], row["body"]),
                    likes=int(row.get("likes") or 0),
                )
            )
    return items


def area_with_descendants(area: Area) -> list[int]:
    """The ids of `area` and every area under it (the tree is three levels deep)."""
    ids = [area.pk]
    frontier = [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def case_items(
    cases: QuerySet[Case], *, start: datetime, end: datetime, area: Area | None = None
) -> list[Item]:
    """The cases of `cases` submitted in [start, end) or in the previous period of equal
    length, in `area` or under it, as items. The person is the first complainant's keyed
    phone hash (anonymous: unknown); the place is the case's area."""
    before = start - (end - start)
    found = cases.filter(created_at__gte=before, created_at__lt=end)
    if area is not None:
        found = found.filter(area_id__in=area_with_descendants(area))
    rows = list(
        found.order_by().values_list("pk", "number", "subject", "body", "created_at", "area__code")
    )
    phones = _first_phone_hashes([row[0] for row in rows])
    return [
        Item(
            key=number,
            subject=subject,
            body=body,
            at=at,
            place=code or "",
            person=phones.get(pk, ""),
        )  # fmt: skip
        for pk, number, subject, body, at, code in rows
    ]


def _first_phone_hashes(case_ids: list[int]) -> dict[int, str]:
    """The keyed phone hash of each case's first complainant who gave a phone."""
    hashes: dict[int, str] = {}
    rows = (
        Complainant.objects.filter(case_id__in=case_ids)
        .exclude(phone_hash="")
        .order_by("id")
        .values_list("case_id", "phone_hash")
    )
    for case_id, phone_hash in rows:
        hashes.setdefault(case_id, phone_hash)
    return hashes


def period_topics(*, start: datetime, end: datetime, limit: int = 20) -> list[Topic]:
    """The hot topics of [start, end) over every case, hottest first (the public figures
    take them through the interface layer and keep only neutral words)."""
    items = case_items(Case.objects.all(), start=start, end=end)
    return topics_find(items, start=start, end=end, limit=limit).topics


def default_period(*, now: datetime, days: int) -> tuple[datetime, datetime]:
    """The last `days` days up to `now`."""
    return now - timedelta(days=days), now
