"""Writes to the tamper-evident record. `entries_append` (and `entry_append` for one entry)
is the only writer of `AuditEntry`; callers pass what happened, it chains and stores it in
the caller's transaction.

Who writes: `cases.workflow.events.event_record` (every case event), `cases.access.
complainant_for` (every look at personal data), and the receivers connected here by
`admin_recording_connect` (every admin log entry, and every change to a model that an
administrator edits in the admin: users, memberships, groups and permissions, departments,
categories, deadline policies, the calendar, templates ...)."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from minsheng.accounts.models import Membership, User
from minsheng.audit.middleware import current_actor
from minsheng.audit.models import GENESIS_HASH, AuditEntry, AuditHead, Kind
from minsheng.lib.admin import ReadOnlyAdmin
from minsheng.lib.bulk import insert_many

HEAD_ID = 1


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, non-ASCII kept, control characters
    escaped (so PostgreSQL text can hold it)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date | Decimal | UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    if isinstance(value, bytes | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    return str(value)


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    kind: str,
    actor_id: int | None,
    actor_name: str,
    object_type: str,
    object_id: str,
    payload: str,
) -> str:
    """SHA-256 over the previous entry's hash and this entry's fields (as canonical JSON)."""
    fields = canonical_json(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "kind": kind,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "object_type": object_type,
            "object_id": object_id,
            "payload": payload,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{fields}".encode()).hexdigest()


def _head_locked() -> AuditHead:
    """The head row, locked until the transaction ends (PostgreSQL: SELECT … FOR UPDATE;
    SQLite's IMMEDIATE transactions already hold the database's one write lock). A missing
    head (an empty database, or after `flush`) is made from the last entry, if any."""
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-seq").first()
    AuditHead.objects.bulk_create(
        [
            AuditHead(
                pk=HEAD_ID,
                seq=last.seq if last else 0,
                hash=last.hash if last else GENESIS_HASH,
            )
        ],
        ignore_conflicts=True,
    )
    return AuditHead.objects.select_for_update().get(pk=HEAD_ID)


@dataclass(frozen=True)
class Entry:
    """What one audit entry records (its number, time and hashes are the chain's)."""

    kind: Kind
    actor: User | None
    object_type: str
    object_id: str | int
    payload: dict[str, Any]


# No savepoint: callers are inside their own transaction, and an entry that fails takes the
# whole of it down anyway (two statements fewer on every case event).
@transaction.atomic(savepoint=False)
def entries_append(entries: Sequence[Entry]) -> list[AuditEntry]:
    """Append entries to the chain in order, in the caller's transaction.

    Steps: lock the head; number each entry one past the one before and hash it over that
    one's hash; insert them in one statement; move the head to the last."""
    head = _head_locked()
    seq, prev_hash, at = head.seq, head.hash, timezone.now()
    rows = []
    for entry in entries:
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "kind": entry.kind.value,
            "actor_id": entry.actor.pk if entry.actor is not None else None,
            "actor_name": entry.actor.get_username() if entry.actor is not None else "",
            "object_type": entry.object_type,
            "object_id": str(entry.object_id)[:100],
            "payload": canonical_json(entry.payload),
        }
        digest = entry_hash(prev_hash=prev_hash, **fields)
        rows.append(AuditEntry(prev_hash=prev_hash, hash=digest, **fields))
        prev_hash = digest
    insert_many(rows)
    AuditHead.objects.filter(pk=HEAD_ID).update(seq=seq, hash=prev_hash)
    return rows


def entry_append(
    *,
    kind: Kind,
    actor: User | None,
    object_type: str,
    object_id: str | int,
    payload: dict[str, Any],
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction (`entries_append`)."""
    (entry,) = entries_append(
        [
            Entry(
                kind=kind,
                actor=actor,
                object_type=object_type,
                object_id=object_id,
                payload=payload,
            )
        ]
    )
    return entry


# --- administrators' changes ------------------------------------------------------------

# Models whose rows decide who may do what; every other admin-editable model is configuration.
PERMISSION_MODELS: tuple[type[models.Model], ...] = (User, Membership, Group, Permission)
# Field names whose values are secrets or credentials: the record keeps their digest only.
SECRET_WORDS = ("password", "secret", "key", "token", "hash")
# Longer texts (templates, model blobs) are kept as their digest and length.
LONGEST_VALUE = 2000
ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}
# Registered in the admin by a library, read-only there, and not configuration: the task
# queue's rows, which the worker writes several times per task (recording them put two
# audit entries, and two more write transactions, on every public submission).
NOT_CONFIGURATION = {"django_tasks_database.dbtaskresult"}


def _value(name: str, value: Any) -> Any:
    text = value if isinstance(value, str) else None
    if any(word in name for word in SECRET_WORDS) or (text and len(text) > LONGEST_VALUE):
        raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
        return {"sha256": hashlib.sha256(bytes(raw)).hexdigest(), "length": len(raw)}
    if isinstance(value, bytes | memoryview):
        return _plain(value)
    return value


def row_snapshot(obj: models.Model) -> dict[str, Any]:
    """Every stored field of `obj`, secrets and long texts as digests."""
    return {
        field.attname: _value(field.attname, field.value_from_object(obj))
        for field in obj._meta.concrete_fields
    }


def _kind_for(model: type[models.Model]) -> Kind:
    return Kind.PERMISSION_CHANGE if issubclass(model, PERMISSION_MODELS) else Kind.CONFIG_CHANGE


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kw: Any
) -> None:
    update_fields = kw.get("update_fields")
    if raw or (
        sender is User and update_fields is not None and set(update_fields) <= {"last_login"}
    ):
        return
    entry_append(
        kind=_kind_for(sender),
        actor=current_actor(),
        object_type=sender._meta.label_lower,
        object_id=instance.pk,
        payload={"operation": "added" if created else "changed", "row": row_snapshot(instance)},
    )


def _deleted(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    entry_append(
        kind=_kind_for(sender),
        actor=current_actor(),
        object_type=sender._meta.label_lower,
        object_id=instance.pk or "",
        payload={"operation": "deleted", "row": row_snapshot(instance)},
    )


def _relation_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kw: Any,
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    entry_append(
        kind=Kind.PERMISSION_CHANGE,
        actor=current_actor(),
        object_type=type(instance)._meta.label_lower,
        object_id=instance.pk,
        payload={
            "operation": action.removeprefix("post_"),
            "relation": sender._meta.label_lower,
            "related": model._meta.label_lower,
            "ids": sorted(pk_set or (), key=str),
        },
    )


def _admin_logged(sender: type[LogEntry], instance: LogEntry, created: bool, **kw: Any) -> None:
    if not created or kw.get("raw"):
        return
    model = (
        ContentType.objects.get_for_id(instance.content_type_id).model_class()
        if instance.content_type_id
        else None
    )
    entry_append(
        kind=Kind.ADMIN_CHANGE,
        actor=User.objects.filter(pk=instance.user_id).first(),
        object_type=model._meta.label_lower if model else "",
        object_id=instance.object_id or "",
        payload={
            "operation": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "object_repr": instance.object_repr,
            "change_message": instance.get_change_message(),
        },
    )


def admin_edited_models() -> set[type[models.Model]]:
    """Every model an administrator can change in the admin (not read-only), with the
    models of its inlines, and Django's groups and permissions."""
    found: set[type[models.Model]] = {Group, Permission}
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ReadOnlyAdmin) or model._meta.label_lower in NOT_CONFIGURATION:
            continue
        found.add(model)
        found.update(inline.model for inline in model_admin.inlines)
    return found


def admin_recording_connect() -> None:
    """Connect the receivers that record administrators' changes (called once, from
    `AuditConfig.ready`, after the admin has discovered every app's registrations)."""
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit-logentry")
    for model in admin_edited_models():
        uid = f"audit-{model._meta.label_lower}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    for relation in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            _relation_changed, sender=relation, dispatch_uid=f"audit-{relation._meta.label_lower}"
        )
