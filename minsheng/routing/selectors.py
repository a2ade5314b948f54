"""Reads for routing: the model that serves and its operating points for automatic
dispatch (threshold, expected share at a precision), the active keyword rules, the level-1
categories that labels map to, the examples that confirmed cases give to training; the
open cases that are probably the same matter (through the duplicate index: the worker's
shared snapshot, brought up to date by each process) and the other cases filed by the
same person."""

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minsheng.accounts.models import User
from minsheng.cases import access
from minsheng.cases.models import Case, CaseEvent, CaseLink, Category, Complainant
from minsheng.cases.workflow import OPEN_STATES
from minsheng.routing import calibration, duplicates, model
from minsheng.routing.models import RouterModel, RoutingFeedback, RoutingRule

T = TypeVar("T")

logger = logging.getLogger(__name__)

# The model shipped with the code, trained from train.csv only; serves until an
# administrator activates a trained one.
DEFAULT_ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "router-default.skops"
DEFAULT_VERSION = "default"


def artifact_dir() -> Path:
    """Where trained artifacts are written (setting `ROUTING_ARTIFACT_DIR`, else var/)."""
    configured = getattr(settings, "ROUTING_ARTIFACT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "routing"


@dataclass
class _Loaded:
    version: str
    path: Path
    router: model.Router


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _active_row() -> tuple[str, Path]:
    """(version, artifact path) of what should serve now: the active RouterModel whose
    file exists, else the shipped default."""
    try:
        row = RouterModel.objects.filter(is_active=True).values_list("pk", "path").first()
    except DatabaseError:
        # `classify` may run before `migrate`; the shipped model still answers.
        logger.warning("routing: no RouterModel table yet, serving the shipped model")
        return DEFAULT_VERSION, DEFAULT_ARTIFACT
    if row is None:
        return DEFAULT_VERSION, DEFAULT_ARTIFACT
    pk, path = row
    if not Path(path).is_file():
        logger.error(
            "routing: active model %s has no file at %s; serving the shipped model", pk, path
        )
        return DEFAULT_VERSION, DEFAULT_ARTIFACT
    return str(pk), Path(path)


def router_active() -> tuple[str, model.Router]:
    """The serving model and its version ("default" or a RouterModel id).

    Loaded once per process and reloaded when another RouterModel becomes active: each
    call costs one indexed query.
    """
    global _loaded
    version, path = _active_row()
    loaded = _loaded
    if loaded is not None and loaded.version == version and loaded.path == path:
        return version, loaded.router
    with _lock:
        if _loaded is None or _loaded.version != version or _loaded.path != path:
            logger.info("routing: loading model %s from %s", version, path)
            _loaded = _Loaded(version=version, path=path, router=model.load(path))
        return _loaded.version, _loaded.router


def router_default() -> model.Router:
    """The shipped model, freshly read (for comparisons and benchmarks)."""
    return model.load(DEFAULT_ARTIFACT)


def router_model_active() -> RouterModel | None:
    return RouterModel.objects.filter(is_active=True).first()


# Operating points per (version, artifact path, precision, label). A version's held-out
# predictions never change (the path tells a reused id apart); the cap only bounds memory.
_points: dict[tuple[str, str, float, str | None], calibration.OperatingPoint] = {}
_POINTS_KEPT = 1000


def _version_path(version: str) -> Path:
    """The artifact of a version ("default" or a RouterModel id); ValueError if unknown."""
    if version == DEFAULT_VERSION:
        return DEFAULT_ARTIFACT
    path = None
    if version.isdigit():
        path = RouterModel.objects.filter(pk=int(version)).values_list("path", flat=True).first()
    if path is None:
        raise ValueError(f"No router model {version!r}.")
    return Path(path)


def _held_out_of(version: str) -> calibration.HeldOut | None:
    """The held-out predictions kept with a version; None for a version trained before
    they were kept."""
    if version == DEFAULT_VERSION:
        sidecar = model.metadata_path(DEFAULT_ARTIFACT)
        metadata = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
    else:
        metadata = RouterModel.objects.values_list("metadata", flat=True).get(pk=int(version))
    encoded = metadata.get("held_out")
    return calibration.held_out_decode(encoded) if encoded else None


def operating_point_for(
    *, precision: float, label: str | None = None, version: str | None = None
) -> calibration.OperatingPoint:
    """The confidence threshold that holds `precision` for the serving model (or
    `version`, e.g. a suggestion's `model_version`), with the share it is expected to
    dispatch automatically and the errors per thousand, from the model's held-out
    predictions; with `label`, only the rows predicted as that level-1 label count. A model
    without held-out predictions has no threshold (nothing is dispatched automatically).

    Costs one indexed query (which artifact) once cached per (version, precision, label).
    Raises ValueError for a precision outside (0, 1] or an unknown version.
    """
    if version is None:
        version, path = _active_row()
    else:
        path = _version_path(version)
    key = (version, str(path), float(precision), label)
    point = _points.get(key)
    if point is not None:
        return point
    held_out = _held_out_of(version)
    if held_out is None:
        point = calibration.operating_point([], [], precision=precision)
    else:
        rows = held_out if label is None else held_out.predicted_as(label)
        point = calibration.operating_point(rows.confidence, rows.correct, precision=precision)
    if len(_points) >= _POINTS_KEPT:
        _points.clear()
    _points[key] = point
    return point


def rules_active() -> list[RoutingRule]:
    """Active keyword rules, first to try first, with their category's ancestors and
    departments loaded."""
    return list(
        RoutingRule.objects.filter(is_active=True)
        .select_related(
            "category__department",
            "category__parent__department",
            "category__parent__parent__department",
        )
        .order_by("priority", "id")
    )


def categories_level1_by_name(names: list[str]) -> dict[str, Category]:
    """Level-1 categories with these names, with their departments."""
    rows = Category.objects.filter(level=1, name__in=names).select_related("department")
    return {c.name: c for c in rows}


def category_level1(category: Category) -> Category:
    """The level-1 ancestor of a category (itself at level 1)."""
    while category.parent_id is not None and category.level > 1:
        category = category.parent  # type: ignore[assignment]
    return category


def feedback_examples() -> tuple[list[tuple[str, str]], list[str]]:
    """Training examples from cases an intake agent confirmed or corrected: the case's
    subject and body, labelled with the level-1 name of the category last chosen."""
    latest: dict[int, RoutingFeedback] = {}
    rows = RoutingFeedback.objects.select_related(
        "case", "chosen_category__parent__parent"
    ).order_by("created_at", "id")
    for feedback in rows:
        latest[feedback.case_id] = feedback
    texts = [(f.case.subject, f.case.body) for f in latest.values()]
    labels = [category_level1(f.chosen_category).name for f in latest.values()]
    return texts, labels


# --- similar and duplicate cases ---------------------------------------------------------


@dataclass
class _IndexState:
    """The process's duplicate index and how far into the case events it has read.

    `watermark` is the last event applied, remembered with its case, action and time: if
    that row is gone or different (a rolled-back transaction reused its id, as SQLite
    does in tests), the index no longer matches the database and is rebuilt."""

    index: duplicates.DuplicateIndex
    built_size: int
    watermark: tuple[int, int, str, datetime] | None


_index_lock = threading.Lock()
_index_state: _IndexState | None = None
_building: threading.Thread | None = None
_saved_watermark: tuple[int, int, str, datetime] | None = None  # of the snapshot last written

_TEXT_FIELDS = ("pk", "state", "subject", "body_start")
# What a similar case is scored on and shown with (the body is read only in part).
_SIMILAR_FIELDS = (
    "number",
    "subject",
    "state",
    "respondent",
    "respondent_department_id",
    "location",
    "area_id",
    "created_at",
)


def _open_case_texts(only: list[int] | None = None) -> tuple[list[int], list[str]]:
    """Ids and comparison texts of the open cases (of those in `only`, if given). With
    `only`, the state is checked here: `state IN (...)` could make SQLite walk the state
    index (every open case) instead of reading the few rows by key."""
    cases = Case.objects.filter(pk__in=only) if only is not None else Case.objects.all()
    if only is None:
        cases = cases.filter(state__in=OPEN_STATES)
    rows = (
        cases.annotate(body_start=Substr("body", 1, duplicates.MAX_CHARS))
        .order_by("pk")
        .values_list(*_TEXT_FIELDS)
        .iterator(chunk_size=5000)
    )
    ids: list[int] = []
    texts: list[str] = []
    for pk, state, subject, body in rows:
        if state in OPEN_STATES:
            ids.append(pk)
            texts.append(duplicates.case_text(subject, body))
    return ids, texts


def _last_event() -> tuple[int, int, str, datetime] | None:
    return (
        CaseEvent.objects.order_by("-pk")
        .values_list("pk", "case_id", "action", "created_at")
        .first()
    )


def _index_build() -> _IndexState:
    watermark = _last_event()  # read first: events after it are replayed, harmlessly
    started = time.perf_counter()
    ids, texts = _open_case_texts()
    index = duplicates.DuplicateIndex.build(ids, texts)
    logger.info(
        "routing: duplicate index of %d open cases built in %.1f s",
        len(ids),
        time.perf_counter() - started,
    )
    return _IndexState(index=index, built_size=len(ids), watermark=watermark)


def duplicate_index_dir() -> Path:
    """Where the worker writes the index snapshot every process loads (under
    `artifact_dir()`, beside the routing models: a directory all processes share)."""
    return artifact_dir() / "duplicate-index"


def _snapshot_load() -> _IndexState | None:
    """The snapshot the worker wrote last, mapped read-only; None if there is none."""
    loaded = duplicates.snapshot_read(duplicate_index_dir())
    if loaded is None:
        return None
    index, meta = loaded
    mark = meta.get("watermark")
    watermark = None
    if mark is not None:
        watermark = (int(mark[0]), int(mark[1]), str(mark[2]), datetime.fromisoformat(mark[3]))
    return _IndexState(index=index, built_size=int(meta["built_size"]), watermark=watermark)


def duplicate_index_save() -> int:
    """Bring the shared snapshot of the duplicate index up to date, for every process to
    load at its first lookup (the task worker runs it each minute: `WATCH_JOBS`):

    1. take this process's index, else the last snapshot, else build one;
    2. apply the case events since it was made (build afresh if it no longer matches the
       database, or if the corpus has grown so much that its idf is stale);
    3. write it as a new snapshot, unless nothing changed since the last one written.
    Returns the number of open cases it holds."""
    global _index_state, _saved_watermark
    with _index_lock:
        state = _index_state or _snapshot_load()
        refresh = _index_refresh(state) if state is not None else _Refresh.STALE
        if state is None or refresh is not _Refresh.CURRENT:
            state = _index_build()
        _index_state = state
        if state.watermark != _saved_watermark or not (duplicate_index_dir() / "current").exists():
            meta = {
                "built_size": state.built_size,
                "watermark": None
                if state.watermark is None
                else [*state.watermark[:3], state.watermark[3].isoformat()],
            }
            duplicates.snapshot_write(duplicate_index_dir(), state.index, meta)
            _saved_watermark = state.watermark
        return len(state.index)


class _Refresh(Enum):
    CURRENT = "current"  # up to date
    GROWN = "grown"  # up to date, but its idf was learnt from a much smaller corpus
    STALE = "stale"  # no longer matches the database: unusable


def _index_refresh(state: _IndexState) -> _Refresh:
    """Apply the case events since the watermark: new or reopened cases are added, cases
    that left the open states removed."""
    since = state.watermark[0] if state.watermark is not None else 0
    # One query: the watermark row itself (to check it is unchanged), then what follows.
    rows = list(
        CaseEvent.objects.filter(pk__gte=since)
        .order_by("pk")
        .values_list("pk", "case_id", "action", "created_at", "to_state")
    )
    if state.watermark is not None:
        if not rows or rows[0][:4] != state.watermark:
            return _Refresh.STALE
        rows = rows[1:]
    events = [row for row in rows if row[4]]
    if rows:
        state.watermark = rows[-1][:4]
    if not events:
        return _Refresh.CURRENT
    final_state = {case_id: to_state for _pk, case_id, _a, _t, to_state in events}
    closed = [c for c, s in final_state.items() if s not in OPEN_STATES]
    state.index.remove(closed)
    opened = [c for c, s in final_state.items() if s in OPEN_STATES and c not in state.index]
    if opened:
        ids, texts = _open_case_texts(opened)
        state.index.add(ids, texts)
    # idf learnt from a much smaller corpus weighs words badly: learn it again.
    grown = len(state.index) > 2 * state.built_size + 200
    return _Refresh.GROWN if grown else _Refresh.CURRENT


def duplicate_index_reset() -> None:
    """Forget the process's index (the next lookup rebuilds it)."""
    global _index_state, _saved_watermark
    duplicate_index_wait()
    with _index_lock:
        _index_state = None
        _saved_watermark = None


def _sync_build_limit() -> int:
    """Up to this many open cases the index is built inside the lookup that needs it (a
    second or two); above, a background thread builds it and lookups propose nothing until
    it is ready, rather than stall a page (about 10 s at 100,000 open cases)."""
    return int(getattr(settings, "DUPLICATE_INDEX_SYNC_BUILD_UP_TO", 20_000))


def _build_in_background() -> None:
    global _index_state, _building
    try:
        built = _index_build()
        with _index_lock:
            _index_state = built
    except DatabaseError:
        logger.exception("routing: building the duplicate index failed; the next lookup retries")
    finally:
        connection.close()  # this thread's own connection
        with _index_lock:
            _building = None


def _build_start() -> None:
    """Start building the index in a background thread, unless one already is."""
    global _building
    if _building is None:
        _building = threading.Thread(
            target=_build_in_background, name="duplicate-index", daemon=True
        )
        _building.start()


def duplicate_index_wait(timeout: float | None = None) -> bool:
    """Wait for a background build to finish (benchmarks, tests). True when none runs."""
    building = _building
    if building is not None:
        building.join(timeout)
    return _building is None


def _with_index(use: Callable[[duplicates.DuplicateIndex], T]) -> T | None:
    """Run `use` on the up-to-date index, holding the lock: the process's own, else the
    worker's snapshot (`duplicate_index_save`) with the events since applied, else one
    built here; None while one is being built in the background (see `_sync_build_limit`:
    only when there is no usable snapshot)."""
    global _index_state
    with _index_lock:
        if _index_state is None:
            # A fresh process: the worker's snapshot, brought up to date below.
            _index_state = _snapshot_load()
        state = _index_state
        refresh = _index_refresh(state) if state is not None else _Refresh.STALE
        if state is None or refresh is not _Refresh.CURRENT:
            if Case.objects.filter(state__in=OPEN_STATES).count() <= _sync_build_limit():
                state = _index_state = _index_build()
            else:
                _build_start()
                if state is None or refresh is _Refresh.STALE:  # a grown one still serves
                    _index_state = None
                    return None
        return use(state.index)


@dataclass(frozen=True)
class SimilarCase:
    """An open case that is probably the same matter as the one looked at, and why."""

    case: Case
    likeness: duplicates.Likeness

    @property
    def score(self) -> float:
        return self.likeness.score

    @property
    def is_likely_duplicate(self) -> bool:
        return self.likeness.is_likely_duplicate

    @property
    def reason(self) -> str:
        """E.g. "text similarity 0.86 · same respondent unit · 3 days apart"."""
        parts = [_("text similarity %(value).2f") % {"value": self.likeness.text}]
        if self.likeness.same_unit:
            parts.append(_("same respondent unit"))
        if self.likeness.same_place:
            parts.append(_("same place"))
        days = self.likeness.days_apart
        if days == 0:
            parts.append(_("same day"))
        else:
            parts.append(
                ngettext("%(days)d day apart", "%(days)d days apart", days) % {"days": days}
            )
        return " · ".join(parts)


@dataclass(frozen=True)
class Matter:
    """What a lookup compares: a registered case's facts, or a form's before it is one."""

    subject: str
    body: str
    respondent: str = ""
    respondent_department_id: int | None = None
    location: str = ""
    area_id: int | None = None
    at: datetime | None = None
    case_id: int | None = None

    @classmethod
    def of(cls, case: Case) -> "Matter":
        return cls(
            subject=case.subject,
            body=case.body,
            respondent=case.respondent,
            respondent_department_id=case.respondent_department_id,
            location=case.location,
            area_id=case.area_id,
            at=case.created_at,
            case_id=case.pk,
        )


def similar_open_cases(*, matter: Matter, user: User, limit: int = 5) -> list[SimilarCase]:
    """Open cases `user` may see that are probably the same matter, best first.

    1. the index proposes the open cases whose text is most alike (approximately);
    2. those `user` may see and that are still open are read, with their full text;
    3. each is scored exactly: text cosine, same respondent unit, same place, days apart;
    4. those alike enough are kept, best score first.
    """
    text = duplicates.case_text(matter.subject, matter.body)
    if len(text) < 3:
        return []
    exclude = [matter.case_id] if matter.case_id else []

    def search(
        index: duplicates.DuplicateIndex,
    ) -> tuple[duplicates.Weights, Any, list[duplicates.Hit]]:
        vector = index.vector(text)
        return index.weights, vector, index.search(vector, exclude=exclude)

    searched = _with_index(search)
    if searched is None:  # the index is being built
        return []
    weights, vector, hits = searched
    if not hits:
        return []
    # The state is checked here, not in SQL: with `state IN (...)` SQLite may walk the
    # state index (every open case) instead of fetching these few rows by key.
    found_rows = (
        access.cases_visible_to(user)
        .filter(pk__in=[h.case_id for h in hits])
        .annotate(body_start=Substr("body", 1, duplicates.MAX_CHARS))
        .only(*_SIMILAR_FIELDS)
    )
    candidates = [c for c in found_rows if c.state in OPEN_STATES and c.pk not in exclude]
    texts = [duplicates.case_text(c.subject, c.body_start) for c in candidates]
    similarity = weights.similarity(vector, texts)
    unit = duplicates.unit_key(matter.respondent, matter.respondent_department_id)
    at = matter.at or timezone.now()
    found = []
    for case, text_similarity in zip(candidates, similarity, strict=True):
        likeness = duplicates.Likeness(
            text=round(float(text_similarity), 2),
            same_unit=bool(unit)
            and unit == duplicates.unit_key(case.respondent, case.respondent_department_id),
            same_place=(matter.area_id is not None and matter.area_id == case.area_id)
            or duplicates.same_place(matter.location, case.location),
            days_apart=duplicates.days_between(at, case.created_at),
        )
        if likeness.is_shown:
            found.append(SimilarCase(case=case, likeness=likeness))
    found.sort(key=lambda s: (-s.score, -s.likeness.text, s.case.pk))
    return found[:limit]


def similar_cases_for(case: Case, user: User, *, limit: int = 5) -> list[SimilarCase]:
    """Open cases that are probably the same matter as `case` (none once it is closed)."""
    if case.state not in OPEN_STATES:
        return []
    # Cases already linked to this one need no second look.
    linked = set(
        CaseLink.objects.filter(from_case=case).values_list("to_case_id", flat=True)
    ) | set(CaseLink.objects.filter(to_case=case).values_list("from_case_id", flat=True))
    found = similar_open_cases(matter=Matter.of(case), user=user, limit=limit + len(linked))
    return [s for s in found if s.case.pk not in linked][:limit]


# --- repeated filing by the same person ----------------------------------------------------


@dataclass(frozen=True)
class RepeatFiling:
    """Other cases filed by one of this case's complainants (same phone, by its keyed
    hash). `person` is the complainant's position on the case page, from 1."""

    person: int
    cases: list[Case]


def repeat_filings_for(user: User, case: Case) -> list[RepeatFiling]:
    """For each complainant of `case` with a phone, the other cases filed from the same
    phone that `user` may see. Empty for readers who may not see who complained: the
    link between cases would tell them. Never reveals the phone itself."""
    if not access.can_see_personal_data(user, case):
        return []
    hashes = list(access.complainants_of(case).values_list("phone_hash", flat=True))
    wanted = {h for h in hashes if h}
    if not wanted:
        return []
    own = set(Case.objects.filter(Q(pk=case.pk) | Q(merged_into=case)).values_list("pk", flat=True))
    pairs = (
        Complainant.objects.filter(phone_hash__in=wanted)
        .exclude(case_id__in=own)
        .values_list("phone_hash", "case_id")
    )
    cases_of: dict[str, set[int]] = {}
    for phone_hash, case_id in pairs:
        cases_of.setdefault(phone_hash, set()).add(case_id)
    everyone = set().union(*cases_of.values()) if cases_of else set()
    visible = {
        c.pk: c
        for c in access.cases_visible_to(user).filter(pk__in=everyone).order_by("-created_at")
        if access.can_see_personal_data(user, c)
    }
    found = []
    for position, phone_hash in enumerate(hashes, start=1):
        others = [visible[pk] for pk in sorted(cases_of.get(phone_hash, ())) if pk in visible]
        if phone_hash and others:
            others.sort(key=lambda c: c.created_at, reverse=True)
            found.append(RepeatFiling(person=position, cases=others))
    return found
