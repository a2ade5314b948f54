"""The tamper-evident record: what is written to it, that the database refuses to change
it, and that `verify_audit` names the first entry an attacker with database access altered,
deleted or moved (on SQLite and on PostgreSQL: `scripts/with-postgres pytest ...`)."""

import importlib
import json
import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from minsheng.audit.models import AuditEntry, AuditHead, Kind
from minsheng.audit.services import HEAD_ID, entry_append, entry_hash
from minsheng.cases.access import complainant_for
from minsheng.cases.workflow import perform

TRIGGERS = importlib.import_module("minsheng.audit.migrations.0002_append_only_triggers")


def verify(*args: str) -> str:
    """verify_audit's report; a broken chain raises CommandError (exit status 1)."""
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def drop_triggers() -> None:
    """What an attacker with the database's credentials can do first: lift the triggers
    (on this connection, inside the test's transaction, which rolls it back)."""
    with connection.cursor() as cursor:
        for sql in TRIGGERS.STATEMENTS[connection.vendor][1]:
            cursor.execute(sql)


def raw(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(cast) -> list[AuditEntry]:
    """A case submitted, accepted and its complainant looked at: a chain of entries."""
    case = cast.submit().case
    perform(case=case, action="accept", actor=cast.intake)
    complainant_for(cast.intake, case, purpose="phone call")
    return list(AuditEntry.objects.order_by("seq"))


def test_case_events_and_personal_data_looks_are_chained_in_order(chain, cast):
    kinds = [entry.kind for entry in chain]
    assert Kind.CASE_EVENT in kinds
    assert kinds[-1] == Kind.PERSONAL_DATA
    look = json.loads(chain[-1].payload)
    assert look["purpose"] == "phone call"
    assert chain[-1].actor_name == "intake"
    accepted = [json.loads(e.payload) for e in chain if e.kind == Kind.CASE_EVENT][-1]
    assert (accepted["action"], accepted["to_state"]) == ("accept", "accepted")
    # The record proves the note unchanged without copying what the citizen wrote.
    assert "13812345678" not in "".join(e.payload for e in chain)
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert all(e.prev_hash == p.hash for p, e in zip(chain, chain[1:], strict=False))
    head = AuditHead.objects.get(pk=HEAD_ID)
    assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash)
    assert f"{len(chain)} entries" in verify()


def test_database_refuses_update_and_delete_of_entries(chain):
    entry = chain[0]
    for change in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(payload="{}"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        lambda: raw("UPDATE audit_auditentry SET kind = %s WHERE id = %s", ["x", entry.pk]),
        lambda: raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert AuditEntry.objects.get(pk=entry.pk).payload == entry.payload
    verify()


def test_verify_names_an_altered_entry(chain):
    victim = chain[2]
    drop_triggers()
    raw("UPDATE audit_auditentry SET payload = %s WHERE seq = %s", ['{"forged":1}', victim.seq])

    with pytest.raises(CommandError, match=rf"entry #{victim.seq}\b.*altered"):
        verify()


def test_verify_names_a_deleted_entry(chain):
    victim = chain[1]
    drop_triggers()
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])

    with pytest.raises(CommandError, match=rf"entry #{victim.seq}\b.*missing"):
        verify()


def test_verify_names_the_first_of_two_swapped_entries(chain):
    first, second = chain[1], chain[2]
    drop_triggers()
    raw("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [10**9, first.pk])
    raw("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [first.seq, second.pk])
    raw("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [second.seq, first.pk])

    with pytest.raises(CommandError, match=rf"entry #{first.seq}\b"):
        verify()


def test_verify_names_entries_deleted_from_the_end(chain):
    drop_triggers()
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [chain[-1].seq])

    with pytest.raises(CommandError, match=rf"entries #{chain[-1].seq} to #{chain[-1].seq}"):
        verify()


def test_an_anchor_kept_outside_catches_a_chain_forged_anew(chain, tmp_path, capsys):
    """An attacker who rewrites an entry and recomputes every hash after it passes the chain
    check; yesterday's anchor, kept by an outside party, still names the entry."""
    anchor_file = tmp_path / "anchor.json"
    call_command(
        "audit_anchor", "--date", timezone.localdate().isoformat(), "--output", anchor_file
    )
    anchor = json.loads(anchor_file.read_text())
    assert (anchor["seq"], anchor["hash"]) == (chain[-1].seq, chain[-1].hash)
    assert json.loads(capsys.readouterr().out) == anchor
    assert "1 anchor(s) match" in verify("--anchor", str(anchor_file))

    drop_triggers()
    prev = chain[1].prev_hash
    for entry in chain[1:]:
        payload = '{"forged":1}' if entry.seq == chain[1].seq else entry.payload
        digest = entry_hash(
            prev_hash=prev,
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=payload,
        )
        raw(
            "UPDATE audit_auditentry SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [payload, prev, digest, entry.pk],
        )
        prev = digest
    AuditHead.objects.filter(pk=HEAD_ID).update(hash=prev)

    verify()  # the chain alone looks intact
    with pytest.raises(CommandError, match=rf"entry #{chain[-1].seq}\b.*anchor"):
        verify("--anchor", str(anchor_file))


def test_anchor_of_a_day_before_anything_was_recorded_is_refused(chain):
    with pytest.raises(CommandError, match="nothing was recorded"):
        call_command("audit_anchor", "--date", "2001-01-01")


def test_administrators_permission_and_configuration_changes_are_recorded(cast, client, settings):
    settings.MINSHENG_OTP_REQUIRED_ROLES = []
    client.force_login(cast.admin)
    start = AuditHead.objects.get(pk=HEAD_ID).seq
    permission = Permission.objects.get(codename="view_case")

    added = client.post(
        "/admin/auth/group/add/", {"name": "审计组", "permissions": [permission.pk]}
    )
    day = client.post(
        "/admin/deadlines/calendarday/add/",
        {"date": "2031-10-01", "is_workday": "", "name": "国庆节"},
    )

    assert (added.status_code, day.status_code) == (302, 302)
    entries = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))

    def first(kind: str, object_type: str) -> dict:
        return next(
            json.loads(e.payload) for e in entries if (e.kind, e.object_type) == (kind, object_type)
        )

    group = Group.objects.get(name="审计组")
    assert first(Kind.PERMISSION_CHANGE, "auth.group")["row"]["name"] == "审计组"
    assert any(
        json.loads(e.payload).get("ids") == [permission.pk] and e.object_id == str(group.pk)
        for e in entries
    )
    assert first(Kind.CONFIG_CHANGE, "deadlines.calendarday")["row"]["name"] == "国庆节"
    assert first(Kind.ADMIN_CHANGE, "deadlines.calendarday")["operation"] == "added"
    assert {e.actor_name for e in entries} == {"admin"}
    verify()


def test_a_users_roles_are_recorded_without_the_password_hash(cast):
    from minsheng.accounts.models import Membership, Role

    start = AuditHead.objects.get(pk=HEAD_ID).seq
    Membership.objects.create(user=cast.handler2, role=Role.HANDLER, department=cast.housing)
    cast.handler2.set_password("another-long-password")
    cast.handler2.save()

    entries = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))
    assert [(e.kind, e.object_type) for e in entries] == [
        (Kind.PERMISSION_CHANGE, "accounts.membership"),
        (Kind.PERMISSION_CHANGE, "accounts.user"),
    ]
    assert json.loads(entries[0].payload)["row"]["department_id"] == cast.housing.pk
    user_row = json.loads(entries[1].payload)["row"]
    assert set(user_row["password"]) == {"sha256", "length"}
    assert cast.handler2.password not in entries[1].payload


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_record_and_keeps_the_triggers(cast):
    """`manage.py flush` (and so the test suite between transactional tests) empties the
    record through its documented path; the table still refuses UPDATE and DELETE after."""
    cast.submit()
    assert AuditEntry.objects.exists()

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEntry.objects.exists()
    entry = entry_append(
        kind=Kind.CONFIG_CHANGE, actor=None, object_type="t", object_id=1, payload={}
    )
    assert entry.seq == 1
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_chain_to_the_one_before():
    """Writers in several threads (each its own connection and transaction) append at
    once: the head row serialises them, so the numbers run without gap and the chain holds."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip(
            "an in-memory SQLite test database shares one cache and does not wait for the "
            "write lock; SQLITE_TEST_NAME=/tmp/x.sqlite3 runs this test on a file"
        )
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    entry_append(
                        kind=Kind.CONFIG_CHANGE,
                        actor=None,
                        object_type="test.writer",
                        object_id=n,
                        payload={"i": i},
                    )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert "40 entries" in verify()
