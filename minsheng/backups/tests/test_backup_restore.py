"""Backup → restore into an empty database (SQLite here, PostgreSQL under
scripts/with-postgres): every case, event and file comes back; damaged, foreign and
other-vendor archives and non-empty targets are refused."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from minsheng.backups import services
from minsheng.cases.models import Attachment
from minsheng.cases.services import attachment_add
from minsheng.cases.tests.factories import make_cast
from minsheng.cases.workflow import perform
from minsheng.lib.tests.sample_files import pdf, photo

KEY = services.key_new()
COMPARED = ["cases.case", "cases.complainant", "cases.caseevent", "cases.attachment"]


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY = KEY
    return settings


def some_cases(cast) -> None:
    for index in range(3):
        case = cast.submit(subject=f"第{index}号：小区噪音").case
        perform(case=case, action="accept", actor=cast.intake)
        attachment_add(case=case, upload=photo(f"现场{index}.jpg"))
        attachment_add(case=case, upload=pdf(f"说明{index}.pdf"), is_public=False)


def dumped(*args: str, env: dict[str, str] | None = None) -> list[dict]:
    """Every row of the compared models, as `dumpdata` writes them (in this process, or in
    a `manage.py` process with `env`)."""
    if env is None:
        out = io.StringIO()
        call_command("dumpdata", *COMPARED, stdout=out)
        return json.loads(out.getvalue())
    return json.loads(manage("dumpdata", *COMPARED, env=env).stdout)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def repacked(archive: tarfile.TarFile, manifest: dict) -> bytes:
    """The same archive with another manifest, sealed under the same key."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            assert extracted is not None
            data = extracted.read()
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return services.archive_seal(tar=out.getvalue(), key=services.key_from_text(KEY))


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the test database's kind; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"restored_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(url._replace(path=f"/{name}"))
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_an_empty_database_brings_back_everything(
    transactional_db, backup_settings, tmp_path, empty_database
):
    # Committed data (a transactional test): the copy reads what others see, as in production.
    some_cases(make_cast())
    archive = tmp_path / "minsheng.backup"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_bytes().startswith(services.MAGIC)
    assert b"PDF-1.4" not in archive.read_bytes(), "the files are encrypted"

    restored_media = tmp_path / "restored-media"
    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "MEDIA_ROOT": str(restored_media),
        "BACKUP_KEY": KEY,
    }
    done = manage("restore", str(archive), env=env)
    assert "Restored" in done.stdout

    assert dumped(env=env) == dumped(), "every case, complainant, event and attachment"
    files = list(Attachment.objects.all())
    assert len(files) == 6
    for attachment in files:
        copy = restored_media / attachment.file.name
        assert copy.read_bytes() == attachment.file.read()

    # A second restore into the now filled database is refused.
    again = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_damaged_foreign_and_other_vendor_archives_are_refused(
    transactional_db, backup_settings, tmp_path
):
    some_cases(make_cast())
    good = services.backup_create(key=services.key_from_text(KEY))
    target = tmp_path / "empty-media"

    def refusal(data: bytes, key: str = KEY) -> str:
        with pytest.raises(services.BackupError) as refused:
            services.backup_restore(data=data, key=services.key_from_text(key), media_root=target)
        return str(refused.value)

    flipped = bytearray(good)
    flipped[len(flipped) // 2] ^= 0x01
    assert "damaged" in refusal(bytes(flipped))
    assert "another backup key" in refusal(good, key=services.key_new())
    assert "not a Minsheng backup" in refusal(b"PK\x03\x04 some zip")
    # The test database is not empty: refused without --force.
    assert "not empty" in refusal(good)

    # An archive of the other vendor (its manifest says so): refused with both names.
    manifest, archive = services.archive_open(data=good, key=services.key_from_text(KEY))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    forged = repacked(archive, {**manifest, "vendor": other})
    message = refusal(forged)
    assert other in message
    assert connection.vendor in message

    path = tmp_path / "flipped.backup"
    path.write_bytes(bytes(flipped))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(path))


def test_a_key_is_32_random_bytes():
    assert len(services.key_from_text(services.key_new())) == 32
    with pytest.raises(services.BackupError):
        services.key_from_text("c2hvcnQ=")
    assert Path(__file__).exists()
