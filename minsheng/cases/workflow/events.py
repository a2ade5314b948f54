"""The one writer of timeline lines (`CaseEvent` rows): `perform` for actions, and the case
services for the events beside them. Whether a line is shown to the complainant comes from
the table, not from the caller."""

import hashlib
from datetime import datetime
from typing import Any

from django.db import transaction

from minsheng.accounts.models import User
from minsheng.audit.models import Kind as AuditKind
from minsheng.audit.services import canonical_json, entry_append
from minsheng.cases.models import Case, CaseEvent, State
from minsheng.cases.workflow.spec import Act
from minsheng.cases.workflow.table import spec_for


def event_record(
    *,
    case: Case,
    act: Act,
    actor: User | None,
    now: datetime,
    actor_role: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool | None = None,
) -> CaseEvent:
    """Append one line to `case`'s timeline.

    From and to state default to the case's state now (an event that changes nothing).
    `is_public` is the table's; only an event the table leaves open (`files_added`) takes
    it from the caller.
    """
    spec = spec_for(act)
    if spec is None:
        raise ValueError(f"{act!r} is not in the lifecycle table")
    public = spec.is_public if spec.is_public is not None else bool(is_public)
    if from_state is None or to_state is None:
        state = Case.objects.values_list("state", flat=True).get(pk=case.pk)
        from_state = state if from_state is None else from_state
        to_state = state if to_state is None else to_state
    # The event and its audit entry stand or fall together; inside the caller's transaction
    # that needs no savepoint of its own (two statements saved on every action).
    with transaction.atomic(savepoint=False):
        event = CaseEvent.objects.create(
            case=case,
            action=act,
            actor=actor,
            actor_role=actor_role,
            from_state=State(from_state) if from_state else "",
            to_state=State(to_state) if to_state else "",
            note=note,
            data=data or {},
            is_public=public,
            created_at=now,
        )
        _audit(event, case=case)
    return event


def _audit(event: CaseEvent, *, case: Case) -> None:
    """The event in the tamper-evident record, in the same transaction. The note and data
    may hold what a citizen wrote (personal data): the record keeps their SHA-256, which
    proves them unchanged without copying them into a log nobody can ever erase."""
    content = canonical_json({"note": event.note, "data": event.data})
    entry_append(
        kind=AuditKind.CASE_EVENT,
        actor=event.actor,
        object_type="cases.case",
        object_id=case.number,
        payload={
            "event": event.pk,
            "action": str(event.action),
            "actor_role": event.actor_role,
            "from_state": str(event.from_state),
            "to_state": str(event.to_state),
            "is_public": event.is_public,
            "created_at": event.created_at,
            "content_sha256": hashlib.sha256(content.encode()).hexdigest(),
        },
    )
