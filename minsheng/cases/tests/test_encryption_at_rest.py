"""Personal data encrypted at rest (issue 10): what a stolen database file shows, key
rotation, a wrong or missing key, and the exact look-ups that go through keyed hashes."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from minsheng.api.models import Open311Request
from minsheng.cases import access
from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Attachment, Case, Complainant
from minsheng.cases.services import (
    PersonInput,
    Submission,
    case_create,
    case_files_add,
    complainants_anonymise,
    email_hash,
    name_hash,
)
from minsheng.deadlines.models import Kind
from minsheng.intake.models import InboundMail
from minsheng.intake.selectors import case_for_reply
from minsheng.intake.services.mail import inbound_mail_receive
from minsheng.lib import crypto, key_rotation
from minsheng.lib.crypto import DecryptionError, key_make
from minsheng.lib.tests.sample_files import pdf

# Distinctive values a grep of the database would find if any were stored in clear.
NAME = "欧阳翠花"
PHONE = "13987654321"
EMAIL = "cuihua.ouyang.secret@example.cn"
ID_NUMBER = "110101199003077777"
ADDRESS = "幸福路八十八号翠花苑"
FILE_NAME = "欧阳翠花身份证.pdf"
MAIL_NAME = "司马秘密"
MAIL_EMAIL = "simamimi.hidden@example.cn"


def _raw_sqlite_bytes() -> bytes:
    """The database as a file: a VACUUM INTO copy (what a stolen file or backup shows) plus
    the live file and its -wal journal where the database has them."""
    found = b""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        found += copy.read_bytes()
    name = connection.settings_dict["NAME"]
    for path in (Path(str(name)), Path(f"{name}-wal")):
        if path.is_file():
            found += path.read_bytes()
    return found


def _pg_dump_bytes() -> bytes:
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [shutil.which("pg_dump") or "pg_dump", "--no-owner", "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout  # noqa: S603


def _database_bytes() -> bytes:
    return _pg_dump_bytes() if connection.vendor == "postgresql" else _raw_sqlite_bytes()


def _mail() -> bytes:
    message = EmailMessage()
    message["From"] = f"{MAIL_NAME} <{MAIL_EMAIL}>"
    message["To"] = "complaints@minsheng.localhost"
    message["Subject"] = "小区门口垃圾三天无人清运"
    message["Message-ID"] = "<encryption-test@example.cn>"
    message.set_content("幸福小区东门的垃圾桶已经满了三天，没人来清运。")
    return message.as_bytes()


@pytest.mark.django_db(transaction=True)
def test_submitted_personal_data_is_nowhere_in_the_database_file_in_clear(client, cast):
    api_person = {
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "id_number": ID_NUMBER,
        "address": ADDRESS,
    }
    submission = {
        "kind": "complaint",
        "subject": "小区门口垃圾无人清运",
        "body": "小区门口的垃圾已经三天没有清运，气味很大。",
        "people": [api_person],
    }
    response = client.post("/api/v1/public/cases", submission, content_type="application/json")
    assert response.status_code == 201, response.content
    portal = {
        "kind": "complaint",
        "subject": "工地夜间施工噪音扰民",
        "body": "小区旁边的工地每天晚上十一点以后还在施工。",
        "identity": "named",
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "address": ADDRESS,
        "contact_by": "sms",
        "consent": "on",
    }
    assert client.post("/submit/", portal).status_code == 302
    inbound_mail_receive(raw=_mail(), envelope_from=MAIL_EMAIL)
    by_mail = InboundMail.objects.get()
    assert by_mail.case is not None
    case = Case.objects.get(number=response.json()["number"])
    # A file name that names the person, added by staff (with its timeline event).
    case_files_add(case=case, actor=cast.intake, files=[pdf(FILE_NAME)], is_public=False)

    # The application reads everything back as it was given.
    people = Complainant.objects.filter(name_hash=name_hash(NAME))
    assert people.count() == 2
    person = people.get(case=case)
    assert (person.name, person.phone, person.email, person.id_number, person.address) == (
        NAME,
        PHONE,
        EMAIL,
        ID_NUMBER,
        ADDRESS,
    )
    assert Attachment.objects.get(case=case).original_name == FILE_NAME
    assert MAIL_EMAIL in by_mail.sender
    assert MAIL_NAME.encode() in by_mail.raw or b"=?utf-8?" in by_mail.raw

    dump = _database_bytes()
    assert case.number.encode() in dump  # the dump is of this database
    for secret in (NAME, PHONE, EMAIL, ID_NUMBER, ADDRESS, FILE_NAME, MAIL_EMAIL, MAIL_NAME):
        assert secret.encode() not in dump, secret
    assert b"enc1:" in dump


def _person_case(*, name=NAME, phone=PHONE, email=EMAIL):
    return case_create(
        submission=Submission(
            kind=Kind.COMPLAINT,
            subject="路灯不亮",
            body="幸福路的路灯坏了一个月。",
            people=[PersonInput(name=name, phone=phone, email=email, id_number=ID_NUMBER)],
        ),
        actor=None,
    ).case


def _stored(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_complainant WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_go(db, settings):
    old = key_make("old")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    case = _person_case()
    person = case.complainants.get()
    assert _stored("name", person.pk).startswith("enc1:old:")

    new = key_make("new")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert Complainant.objects.get(pk=person.pk).phone == PHONE  # old values still read
    out = _call("rotate_keys", "--batch-size", "1")
    assert "still under another key" in out
    assert "0 still under another key" in out
    for column in ("name", "phone", "email", "id_number"):
        assert _stored(column, person.pk).startswith("enc1:new:")

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key removed
    again = Complainant.objects.get(pk=person.pk)
    assert (again.name, again.phone, again.email, again.id_number) == (
        NAME,
        PHONE,
        EMAIL,
        ID_NUMBER,
    )
    assert "0 values to re-encrypt" in _call("rotate_keys")  # resumable: nothing left


def test_rotation_leaves_a_value_changed_meanwhile_as_it_was_written(db, settings):
    old, new = key_make("old"), key_make("new")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person = _person_case().complainants.get()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    field = Complainant._meta.get_field("phone")
    # Someone saves a new phone number after the rotation read the row and before it writes
    # (a web process, already under the new key): their value stays.
    real_encrypt = crypto.encrypt_text

    def write_meanwhile(value: str) -> str:
        Complainant.objects.filter(pk=person.pk).update(phone="13700000000")
        return real_encrypt(value)

    key_rotation.encrypt_text = write_meanwhile  # type: ignore[assignment]
    try:
        report = key_rotation.column_rotate(Complainant, field, batch_size=10)
    finally:
        key_rotation.encrypt_text = real_encrypt  # type: ignore[assignment]
    assert (report.rotated, report.skipped) == (0, 1)
    assert Complainant.objects.get(pk=person.pk).phone == "13700000000"


def test_a_missing_or_wrong_key_is_a_clear_error_not_garbage(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [key_make("k1")]
    person = _person_case().complainants.get()

    settings.FIELD_ENCRYPTION_KEYS = [key_make("k2")]
    with pytest.raises(DecryptionError, match="'k1', which is not in FIELD_ENCRYPTION_KEYS"):
        Complainant.objects.get(pk=person.pk)
    with pytest.raises(CommandError, match="not in FIELD_ENCRYPTION_KEYS"):
        _call("rotate_keys")

    settings.FIELD_ENCRYPTION_KEYS = [key_make("k1")]  # same id, other key material
    with pytest.raises(DecryptionError, match="fails authentication"):
        Complainant.objects.get(pk=person.pk)

    with pytest.raises(ImproperlyConfigured, match="32"):
        crypto.keys_parse(["k1:c2hvcnQ="])
    with pytest.raises(ImproperlyConfigured, match="twice"):
        crypto.keys_parse([key_make("a"), key_make("a")])


def test_tampered_value_is_refused(db):
    person = _person_case().complainants.get()
    stored = _stored("phone", person.pk)
    kid = stored.split(":")[1]
    forged = f"enc1:{kid}:" + ("A" * 40)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_complainant SET phone = %s WHERE id = %s", [forged, person.pk])
    with pytest.raises(DecryptionError):
        Complainant.objects.get(pk=person.pk)


def test_lookups_by_phone_email_and_exact_name_work_on_encrypted_rows(db, cast):
    first = _person_case()
    second = _person_case(name=" 欧阳 翠花 ", phone="+86 139-8765-4321", email=EMAIL.upper())
    other = _person_case(name="王小明", phone="13500000000", email="wang@example.cn")

    # E-mail -> threading: a reply from the complainant's address finds its case.
    assert case_for_reply(number=first.number, sender=EMAIL.upper()) == first
    assert case_for_reply(number=first.number, sender="stranger@example.cn") is None

    # Phone -> the complainant's earlier cases (duplicate detection's repeated filing).
    hashes = set(Complainant.objects.filter(case=second).values_list("phone_hash", flat=True))
    same_phone = Complainant.objects.filter(phone_hash__in=hashes).values_list("case", flat=True)
    assert set(same_phone) == {first.pk, second.pk}

    # The case list's complainant filter: exact name (spaces and width ignored), phone or
    # e-mail, for the centre's roles; nothing partial; nobody else may search by person.
    def found(value, user):
        params = {"complainant": value}
        return set(CaseFilterSet(params, queryset=Case.objects.all(), user=user).qs)

    assert access.can_search_by_complainant(cast.intake)
    assert found(NAME, cast.intake) == {first, second}
    assert found("13987654321", cast.intake) == {first, second}
    assert found(EMAIL, cast.intake) == {first, second}
    assert found("欧阳", cast.intake) == set()  # no partial match by design
    assert found("王小明", cast.intake) == {other}
    assert found(NAME, cast.handler) == set()

    # Encrypted columns refuse searches that could never match (lookups passed as a dict:
    # the type checker's Django plugin would meet the same refusal while checking).
    for lookup in ({"name__icontains": "欧阳"}, {"email": EMAIL}):
        with pytest.raises(FieldError, match="keyed hash"):
            list(Complainant.objects.filter(**lookup))
    assert Complainant.objects.filter(email="").count() == 0

    # The retention anonymiser clears the hashes as well as the values.
    assert email_hash(EMAIL) == Complainant.objects.get(case=first).email_hash
    Case.objects.filter(pk=first.pk).update(state="archived", closed_at=first.created_at)
    assert complainants_anonymise(closed_before=first.created_at.replace(year=2100), limit=10)
    gone = Complainant.objects.get(case=first)
    assert (gone.name_hash, gone.phone_hash, gone.email_hash, gone.phone) == ("", "", "", "")


def test_open311_identifiers_are_stored_encrypted(db):
    field = Open311Request._meta.get_field("account_id")
    assert isinstance(field, crypto.EncryptedTextField)


def test_make_key_prints_a_usable_entry():
    entry = _call("make_key", "k2027").strip()
    kid, key = crypto.key_entry_parse(entry)
    assert (kid, len(key)) == ("k2027", 32)


def test_cost_of_one_encrypted_write_and_read_is_small(db):
    """A micro-benchmark kept as a guard: sealing and opening a value costs microseconds."""
    rounds = 2000
    started = time.perf_counter()
    sealed = [crypto.encrypt_text(f"{NAME}{i}") for i in range(rounds)]
    sealing = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for value in sealed:
        crypto.decrypt_text(value)
    opening = (time.perf_counter() - started) / rounds
    print(f"encrypt {sealing * 1e6:.1f} µs, decrypt {opening * 1e6:.1f} µs per value")
    assert sealing < 0.001
    assert opening < 0.001


def _call(*args: str) -> str:
    out = StringIO()
    extra = ["--no-progress"] if args[0] == "rotate_keys" else []
    call_command(*args, *extra, stdout=out)
    return out.getvalue()


def test_raw_sqlite_check_reads_a_real_file(tmp_path):
    """The helper above really sees clear text when it is there (a guard against a test
    that passes because it reads nothing)."""
    path = tmp_path / "probe.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", [NAME])
    assert NAME.encode() in path.read_bytes()


def test_case_list_page_decrypts_no_more_than_it_shows(client, cast):
    """The case list shows no complainant data, so rendering it opens no sealed value;
    the case page opens only its own complainants' five fields (and logs the look)."""
    cases = [_person_case(phone=f"139000000{n:02d}") for n in range(30)]
    client.force_login(cast.intake)
    with mock.patch.object(crypto, "decrypt_text", wraps=crypto.decrypt_text) as opened:
        assert client.get("/work/cases/").status_code == 200
    assert opened.call_count == 0
    with mock.patch.object(crypto, "decrypt_text", wraps=crypto.decrypt_text) as opened:
        assert client.get(f"/work/cases/{cases[0].number}/").status_code == 200
    assert opened.call_count <= 5 + 1  # one complainant's five fields (+ a file name at most)
