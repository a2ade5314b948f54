"""The one writer of timeline lines (`CaseEvent` rows): `perform` for actions, and the case
services for the events beside them. Whether a line is shown to the complainant comes from
the table, not from the caller."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from minsheng.accounts.models import User
from minsheng.audit.models import Kind as AuditKind
from minsheng.audit.services import Entry, canonical_json, entries_append
from minsheng.cases.models import Case, CaseEvent, State
from minsheng.cases.workflow.spec import Act
from minsheng.cases.workflow.table import spec_for
from minsheng.lib.bulk import insert_many


def event_build(
    *,
    case: Case,
    act: Act,
    actor: User | None,
    now: datetime,
    from_state: str,
    to_state: str,
    actor_role: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool | None = None,
) -> CaseEvent:
    """One line of `case`'s timeline, not yet written (`event_save`, `events_record_many`).
    `is_public` is the table's; only an event the table leaves open (`files_added`) takes
    it from the caller."""
    spec = spec_for(act)
    if spec is None:
        raise ValueError(f"{act!r} is not in the lifecycle table")
    return CaseEvent(
        case=case,
        action=act,
        actor=actor,
        actor_role=actor_role,
        from_state=State(from_state) if from_state else "",
        to_state=State(to_state) if to_state else "",
        note=note,
        data=data or {},
        is_public=spec.is_public if spec.is_public is not None else bool(is_public),
        created_at=now,
    )


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
    """Append one line to `case`'s timeline, with its audit entry.

    From and to state default to the case's state now (an event that changes nothing).
    """
    if from_state is None or to_state is None:
        state = Case.objects.values_list("state", flat=True).get(pk=case.pk)
        from_state = state if from_state is None else from_state
        to_state = state if to_state is None else to_state
    event = event_build(
        case=case,
        act=act,
        actor=actor,
        now=now,
        actor_role=actor_role,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        is_public=is_public,
    )
    return event_save(event)


def event_save(event: CaseEvent) -> CaseEvent:
    """Write one built event and its audit entry. Saved on its own, so that `post_save`
    receivers (notify's fan-out) see it."""
    # The event and its audit entry stand or fall together; inside the caller's transaction
    # that needs no savepoint of its own (two statements saved on every action).
    with transaction.atomic(savepoint=False):
        event.save(force_insert=True)
        entries_append([_audit_entry(event)])
    return event


def events_record_many(events: Sequence[CaseEvent]) -> None:
    """Write many built events (`event_build`) and their audit entries: two statements for
    the lot. No `post_save` is sent; notify's catch-up sweep (`notify_sweep`) fans them out
    as it does any event it has not seen."""
    with transaction.atomic(savepoint=False):
        insert_many(events)
        entries_append([_audit_entry(event) for event in events])


def _audit_entry(event: CaseEvent) -> Entry:
    """The event in the tamper-evident record, in the same transaction. The note and data
    may hold what a citizen wrote (personal data): the record keeps their SHA-256, which
    proves them unchanged without copying them into a log nobody can ever erase."""
    content = canonical_json({"note": event.note, "data": event.data})
    return Entry(
        kind=AuditKind.CASE_EVENT,
        actor=event.actor,
        object_type="cases.case",
        object_id=event.case.number,
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
