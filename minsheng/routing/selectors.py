"""Reads for routing: the model that serves, the active keyword rules, the level-1
categories that labels map to, and the examples that confirmed cases give to training."""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from minsheng.cases.models import Category
from minsheng.routing import model
from minsheng.routing.models import RouterModel, RoutingFeedback, RoutingRule

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
