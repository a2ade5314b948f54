"""Backups: the database and the uploaded files (MEDIA_ROOT) in one encrypted archive.

An archive is one file:

    MINSHENG-BACKUP\\n   16 bytes, the format's name
    version             1 byte (FORMAT_VERSION)
    key id              8 bytes: HMAC-SHA256(key, "minsheng-backup-key-id"), names the key
    checksum            32 bytes: SHA-256 of nonce and ciphertext (a damaged archive is told
                        apart from one made with another key)
    nonce               12 bytes
    ciphertext          AES-256-GCM of a tar, with the name, version and key id (the first
                        25 bytes) as associated data

The tar holds `manifest.json` (format version, database vendor, the applied Django migrations,
every file with its size and SHA-256, when and by which host it was made), the database
(`database.sqlite3`: a copy made with SQLite's online backup API; `database.pgdump`:
`pg_dump -Fc`), and the files under `media/`. Both database copies are consistent while the
site keeps running. The archive is built in memory: budget about twice its size in RAM.

The key is 32 random bytes, base64, from `BACKUP_KEY` (or the file `BACKUP_KEY_FILE`): a
secret of its own, kept apart from the database and the backups.
"""

import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore, arguments from settings, never a shell
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MAGIC = b"MINSHENG-BACKUP\n"
FORMAT_VERSION = 1
KEY_ID_BYTES = 8
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + 32  # before the nonce
NONCE_BYTES = 12
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why, for an operator."""


@dataclass(frozen=True)
class Restored:
    vendor: str
    files: int
    migrations: int


def _check_local_storage() -> None:
    """The archive holds MEDIA_ROOT: with the files in a bucket it would silently lack them."""
    storage = getattr(settings, "FILE_STORAGE", "local")
    if storage != "local":
        raise BackupError(
            f"Backups cover local file storage (FILE_STORAGE=local) only; with "
            f"FILE_STORAGE={storage} back up the bucket with the object store's own means "
            "(versioning, replication) and the database with pg_dump."
        )


def key_from_text(text: str) -> bytes:
    """The backup key from its base64 text; BackupError if it is not 32 bytes."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError) as exc:
        raise BackupError("BACKUP_KEY is not base64.") from exc
    if len(key) != 32:
        raise BackupError("BACKUP_KEY must be 32 random bytes in base64 (44 characters).")
    return key


def key_from_settings() -> bytes:
    text = settings.BACKUP_KEY
    if not text:
        raise BackupError(
            "Set BACKUP_KEY (or BACKUP_KEY_FILE) to a key made with `manage.py backup --new-key`."
        )
    return key_from_text(text)


def key_new() -> str:
    """A fresh backup key, base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


def _key_id(key: bytes) -> bytes:
    return hmac.new(key, b"minsheng-backup-key-id", hashlib.sha256).digest()[:KEY_ID_BYTES]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the database ----------------------------------------------------------------------


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's variables for the database `using` (no password on a command line)."""
    conf = connections[using].settings_dict
    values = {
        "PGHOST": conf.get("HOST") or "",
        "PGPORT": str(conf.get("PORT") or ""),
        "PGUSER": conf.get("USER") or "",
        "PGPASSWORD": conf.get("PASSWORD") or "",
        "PGDATABASE": conf.get("NAME") or "",
    }
    return {**os.environ, **{k: v for k, v in values.items() if v}}


def _database_copy(using: str) -> bytes:
    """A consistent copy of the live database, made while others keep writing."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "copy.sqlite3"
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
            return path.read_bytes()
    if connection.vendor == "postgresql":
        done = subprocess.run(  # noqa: S603
            [_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges"],
            env=_pg_environment(using),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace')[:500]}")
        return done.stdout
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not on the PATH (PostgreSQL's client tools).")
    return found


def _applied_migrations(using: str) -> list[list[str]]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [[app, name] for app, name in cursor.fetchall()]


# --- backup ----------------------------------------------------------------------------


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _local_storage_only() -> None:
    """Backups hold the files under MEDIA_ROOT: refuse when they live in an object store."""
    if getattr(settings, "FILE_STORAGE", "local") != "local":
        raise BackupError(
            "manage.py backup and restore cover local file storage (MEDIA_ROOT) only, and "
            f"FILE_STORAGE is {settings.FILE_STORAGE}: back the bucket up with the store's own "
            "means (versioning, replication) and the database with pg_dump "
            '(README "Running in production").'
        )


def backup_create(*, key: bytes, using: str = "default", media_root: Path | None = None) -> bytes:
    """The encrypted archive of the database `using` and the files under `media_root`.

    Steps: copy the database online; read the applied migrations; read every file and
    hash it; write the manifest and the tar; encrypt it with AES-GCM under `key`."""
    _local_storage_only()
    _check_local_storage()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = connections[using].vendor
    database = _database_copy(using)
    files = _media_files(media_root)
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "vendor": vendor,
        "created_at": timezone.now().isoformat(),
        "host": socket.gethostname(),
        "migrations": _applied_migrations(using),
        "database": {
            "name": DATABASE_MEMBERS[vendor],
            "size": len(database),
            "sha256": _sha256(database),
        },
        "files": [],
    }
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w") as archive:
        _add(archive, DATABASE_MEMBERS[vendor], database)
        for path in files:
            data = path.read_bytes()
            relative = path.relative_to(media_root).as_posix()
            manifest["files"].append({"path": relative, "size": len(data), "sha256": _sha256(data)})
            _add(archive, f"media/{relative}", data)
        _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return archive_seal(tar=plain.getvalue(), key=key)


def archive_seal(*, tar: bytes, key: bytes) -> bytes:
    """The archive file around a tar: header, checksum, AES-GCM under `key`."""
    nonce = os.urandom(NONCE_BYTES)
    head_without_checksum = MAGIC + bytes([FORMAT_VERSION]) + _key_id(key)
    # The checksum is over the ciphertext, which depends on the associated data; so the
    # associated data is the header without the checksum, and the checksum comes after.
    ciphertext = AESGCM(key).encrypt(nonce, tar, head_without_checksum)
    checksum = hashlib.sha256(nonce + ciphertext).digest()
    return head_without_checksum + checksum + nonce + ciphertext


# --- restore ---------------------------------------------------------------------------


def archive_open(*, data: bytes, key: bytes) -> tuple[dict[str, Any], tarfile.TarFile]:
    """The manifest and the tar of an archive, after every check; BackupError saying which
    check failed (not an archive, damaged, another key, a file that does not match)."""
    if not data.startswith(MAGIC) or len(data) < HEADER_BYTES + NONCE_BYTES + 16:
        raise BackupError("This is not a Minsheng backup archive.")
    version = data[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise BackupError(f"Archive format {version} is not supported (this version reads 1).")
    head = data[: len(MAGIC) + 1 + KEY_ID_BYTES]
    checksum = data[len(head) : HEADER_BYTES]
    rest = data[HEADER_BYTES:]
    if not hmac.compare_digest(hashlib.sha256(rest).digest(), checksum):
        raise BackupError("The archive is damaged: its checksum does not match its contents.")
    if not hmac.compare_digest(head[len(MAGIC) + 1 :], _key_id(key)):
        raise BackupError("The archive was made with another backup key (a foreign archive).")
    try:
        plain = AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], head)
    except InvalidTag as exc:
        raise BackupError("The archive is damaged: it does not decrypt.") from exc
    archive = tarfile.open(fileobj=io.BytesIO(plain), mode="r")  # noqa: SIM115 - in memory
    manifest = json.loads(_member(archive, "manifest.json"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("The archive's manifest has an unknown format version.")
    return manifest, archive


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        extracted = archive.extractfile(name)
    except KeyError as exc:
        raise BackupError(f"The archive lacks {name}.") from exc
    if extracted is None:
        raise BackupError(f"The archive lacks {name}.")
    return extracted.read()


def _is_empty(using: str) -> bool:
    """No tables at all: a database that was never migrated."""
    return not connections[using].introspection.table_names()


def _check_restorable(
    manifest: dict[str, Any], *, using: str, media_root: Path, force: bool
) -> None:
    vendor = connections[using].vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"The archive holds a {manifest['vendor']} database; this one is {vendor}. "
            "Restore it into a database of the same kind."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if unknown and not force:
        raise BackupError(
            "The archive comes from a newer version of Minsheng (unknown migrations: "
            f"{', '.join(unknown[:5])}). Install that version first, or use --force."
        )
    if force:
        return
    if not _is_empty(using):
        raise BackupError(
            "The database is not empty: restore only into a new, empty database "
            "(or use --force to overwrite this one)."
        )
    if _media_files(media_root):
        raise BackupError(
            f"{media_root} already holds files: restore into an empty MEDIA_ROOT (or use --force)."
        )


def _database_restore(dump: bytes, *, using: str, force: bool) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "restore.sqlite3"
            path.write_bytes(dump)
            source = sqlite3.connect(path)
            try:
                source.backup(connection.connection)  # type: ignore[arg-type]
            finally:
                source.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "restore.pgdump"
        path.write_bytes(dump)
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        if force:
            command += ["--clean", "--if-exists"]
        connection.close()
        conf = _pg_environment(using)
        done = subprocess.run(  # noqa: S603
            [*command, "-d", conf.get("PGDATABASE", ""), str(path)],
            env=conf,
            capture_output=True,
            check=False,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.decode(errors='replace')[:500]}")


def backup_restore(
    *,
    data: bytes,
    key: bytes,
    using: str = "default",
    media_root: Path | None = None,
    force: bool = False,
) -> Restored:
    """Restore an archive into an empty database and MEDIA_ROOT.

    Steps: open and check the archive (checksum, key, decryption); check the vendor, the
    migrations and that the targets are empty (unless `force`); check every member's
    SHA-256 against the manifest before writing anything; restore the database; write
    the files."""
    _local_storage_only()
    _check_local_storage()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest, archive = archive_open(data=data, key=key)
    _check_restorable(manifest, using=using, media_root=media_root, force=force)
    database = _member(archive, manifest["database"]["name"])
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("The archive is damaged: the database copy does not match its hash.")
    contents: list[tuple[Path, bytes]] = []
    root = media_root.resolve()
    for entry in manifest["files"]:
        content = _member(archive, f"media/{entry['path']}")
        if _sha256(content) != entry["sha256"]:
            raise BackupError(f"The archive is damaged: {entry['path']} does not match its hash.")
        target = (root / entry["path"]).resolve()
        if not target.is_relative_to(root):
            raise BackupError(f"The archive names a file outside MEDIA_ROOT: {entry['path']}")
        contents.append((target, content))
    _database_restore(database, using=using, force=force)
    for target, content in contents:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return Restored(
        vendor=manifest["vendor"], files=len(contents), migrations=len(manifest["migrations"])
    )
