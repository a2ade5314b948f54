"""Reads the API needs beyond the case selectors: Open311 keys, services and requests."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from minsheng.api.models import Open311Key, Open311Request
from minsheng.cases.models import Category
from minsheng.cases.workflow import OPEN_STATES
from minsheng.lib.hashing import keyed_hash

OPEN311_KEY_PURPOSE = "minsheng.open311.api_key"

# --- Open311 ---------------------------------------------------------------------------


def open311_key_hash(key: str) -> str:
    """The stored form of an api_key (a keyed hash, like query codes)."""
    return keyed_hash(key.strip(), purpose=OPEN311_KEY_PURPOSE)


def open311_key_get(key: str) -> Open311Key | None:
    """The active Open311 key with this value, if any."""
    if not key.strip():
        return None
    return Open311Key.objects.filter(key_hash=open311_key_hash(key), is_active=True).first()


def open311_services() -> list[Category]:
    """The Open311 services: every second-level topic, and every first-level topic that has
    no second level, grouped by first-level topic."""
    has_children = Exists(Category.objects.filter(parent=OuterRef("pk")))
    rows = (
        Category.objects.alias(has_children=has_children)
        .filter(Q(level=2) | Q(level=1, has_children=False))
        .select_related("parent")
        .prefetch_related("children")
    )
    return sorted(rows, key=lambda c: ((c.parent or c).name, c.level, c.name))


def open311_service_get(code: str) -> Category | None:
    """The service with this service_code (a category id), if it is one."""
    if not (code.isascii() and code.isdigit()) or len(code) > 18:
        return None
    return next((c for c in open311_services() if c.pk == int(code)), None)


def open311_service_of(category: Category | None) -> Category | None:
    """The service a case's category belongs to (a third-level topic reports as its parent)."""
    if category is None:
        return None
    if category.level >= 3 and category.parent is not None:
        return category.parent
    return category


def open311_requests(
    *,
    numbers: list[str] | None = None,
    service_ids: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    is_open: bool | None = None,
    limit: int = 1000,
) -> list[Open311Request]:
    """Service requests filed through Open311, newest first. `numbers` overrides the rest."""
    rows = Open311Request.objects.select_related(
        "case", "case__category", "case__category__parent", "case__department"
    )
    if numbers is not None:
        return list(rows.filter(case__number__in=numbers)[:limit])
    if service_ids:
        rows = rows.filter(
            Q(case__category_id__in=service_ids) | Q(case__category__parent_id__in=service_ids)
        )
    if start is not None:
        rows = rows.filter(case__created_at__gte=start)
    if end is not None:
        rows = rows.filter(case__created_at__lte=end)
    if is_open is not None:
        in_open = Q(case__state__in=OPEN_STATES)
        rows = rows.filter(in_open if is_open else ~in_open)
    return list(rows.order_by("-case__created_at", "-id")[:limit])


def open311_request_get(number: str) -> Open311Request | None:
    """The service request filed through Open311 under this case number, if any."""
    found = open311_requests(numbers=[number.strip().upper()], limit=1)
    return found[0] if found else None
