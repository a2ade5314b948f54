"""Personal data encrypted at rest: AES-256-GCM with a key identifier in every value.

A stored value reads `enc1:<kid>:<base64url(nonce + ciphertext + tag)>`. The keys come from
the setting `FIELD_ENCRYPTION_KEYS`, a list of `kid:base64key` whose first entry is the
current key: new values are written under it, and any listed key decrypts the values that
name it. `manage.py rotate_keys` re-encrypts the older values under the current key, after
which an old key can be removed from the list. `manage.py make_key` prints a new entry.

The key identifier is authenticated too (it is the cipher's associated data), so a value
cannot be relabelled to another key. A value that names a key we do not have, or that fails
authentication (wrong key material, altered bytes), raises `DecryptionError` with a message
that says which; it never reads as garbage. Empty values stay empty (nothing to hide, and
"no e-mail given" stays easy to filter on).

Encrypted columns cannot be searched: `EncryptedTextField` refuses every lookup but
`isnull` and `exact` with the empty value. Exact look-ups go through a keyed hash column
beside the value (`lib.hashing.keyed_hash`).
"""

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.lookups import Exact, IsNull

PREFIX = "enc1"
NONCE_BYTES = 12
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_BYTES = 32  # AES-256


class DecryptionError(Exception):
    """A stored value cannot be decrypted: its key is not configured, or it fails
    authentication (the key material is wrong or the value was altered)."""


@dataclass(frozen=True)
class KeyRing:
    """The configured keys by id; `current` encrypts."""

    current: str
    keys: dict[str, AESGCM]


def key_entry_parse(entry: str) -> tuple[str, bytes]:
    """`kid:base64key` -> (kid, key bytes). Raises ImproperlyConfigured naming what is wrong
    (never the key itself)."""
    kid, sep, encoded = entry.strip().partition(":")
    if not sep or not KID_PATTERN.match(kid):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS: each entry is kid:base64key, the kid 1-32 letters, digits, "
            "'_' or '-'."
        )
    try:
        key = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: the key of {kid!r} is not base64."
        ) from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: the key of {kid!r} has {len(key)} bytes; AES-256 needs "
            f"{KEY_BYTES} (make one with `manage.py make_key`)."
        )
    return kid, key


def keys_parse(entries: list[str] | tuple[str, ...]) -> list[tuple[str, bytes]]:
    """The whole setting, checked: at least one entry, no kid twice."""
    parsed = [key_entry_parse(e) for e in entries if e.strip()]
    if not parsed:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: give at least one key.")
    kids = [kid for kid, _ in parsed]
    if len(set(kids)) != len(kids):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS names a key id twice.")
    return parsed


@lru_cache(maxsize=8)
def _ring_for(entries: tuple[str, ...]) -> KeyRing:
    parsed = keys_parse(entries)
    return KeyRing(current=parsed[0][0], keys={kid: AESGCM(key) for kid, key in parsed})


def key_ring() -> KeyRing:
    """The keys of the current settings (parsed once per distinct setting)."""
    return _ring_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def key_make(kid: str) -> str:
    """A new random key as a `kid:base64key` entry for FIELD_ENCRYPTION_KEYS."""
    if not KID_PATTERN.match(kid):
        raise ValueError("A key id is 1-32 letters, digits, '_' or '-'.")
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def _seal(data: bytes, ring: KeyRing) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.keys[ring.current].encrypt(nonce, data, ring.current.encode())
    return nonce + sealed


def _open(kid: str, blob: bytes, ring: KeyRing) -> bytes:
    cipher = ring.keys.get(kid)
    if cipher is None:
        raise DecryptionError(
            f"A value is encrypted under key {kid!r}, which is not in FIELD_ENCRYPTION_KEYS "
            f"(configured: {', '.join(ring.keys)})."
        )
    try:
        return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], kid.encode())
    except InvalidTag as exc:
        raise DecryptionError(
            f"A value under key {kid!r} fails authentication: the key material of {kid!r} is "
            "wrong, or the stored value was altered."
        ) from exc


def encrypt_text(value: str) -> str:
    """`value` sealed under the current key; the empty string stays empty."""
    if not value:
        return value
    ring = key_ring()
    blob = base64.urlsafe_b64encode(_seal(value.encode(), ring)).decode()
    return f"{PREFIX}:{ring.current}:{blob}"


def decrypt_text(stored: str) -> str:
    """The clear text of a stored value. A value without our prefix is returned as it is
    (a row written before encryption, until its data migration or `rotate_keys` seals it)."""
    if not stored or not stored.startswith(PREFIX + ":"):
        return stored
    _, kid, blob = stored.split(":", 2)
    try:
        raw = base64.urlsafe_b64decode(blob)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError(f"A value under key {kid!r} is not valid base64.") from exc
    return _open(kid, raw, key_ring()).decode()


def encrypt_bytes(value: bytes) -> bytes:
    """Binary `value` sealed under the current key, as `enc1:<kid>:` + nonce + ciphertext."""
    if not value:
        return value
    ring = key_ring()
    return f"{PREFIX}:{ring.current}:".encode() + _seal(value, ring)


def decrypt_bytes(stored: bytes) -> bytes:
    """The clear bytes of a stored binary value (unprefixed values as they are)."""
    if not stored.startswith(PREFIX.encode() + b":"):
        return stored
    _, kid, blob = stored.split(b":", 2)
    return _open(kid.decode(errors="replace"), blob, key_ring())


def stored_key_id(stored: str | bytes | None) -> str | None:
    """The key id a stored value names; None for an empty or unencrypted value."""
    if not stored:
        return None
    text = stored.decode(errors="replace") if isinstance(stored, bytes | memoryview) else stored
    if not text.startswith(PREFIX + ":"):
        return None
    return text.split(":", 2)[1]


class _EmptyOnlyExact(Exact):
    """`field=""` works (no value given); any other equality cannot match a sealed value."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", b"", None) and not isinstance(self.rhs, Expression):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: look it up by its keyed hash column."
            )
        return super().get_prep_lookup()


class _EncryptedLookups:
    """Only `isnull` and `exact` (with the empty value) make sense on sealed values."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"Lookup {lookup_name!r} is not possible on an encrypted field: use its keyed hash."
        )


class EncryptedTextField(_EncryptedLookups, models.TextField):  # type: ignore[type-arg]
    """Text sealed with AES-GCM in the database, clear in Python. `max_length` limits the
    clear text (validated); the column is unlimited text, since a sealed value is longer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        return None if value is None else decrypt_text(value)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt_text(value) if isinstance(value, str) else value


class EncryptedBinaryField(_EncryptedLookups, models.BinaryField):  # type: ignore[type-arg]
    """Bytes sealed with AES-GCM in the database (a raw e-mail), clear bytes in Python."""

    def from_db_value(
        self, value: bytes | memoryview | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> bytes | None:
        return None if value is None else decrypt_bytes(bytes(value))

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if isinstance(value, bytes | bytearray | memoryview):
            value = encrypt_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)


def columns_rewrite(
    connection: BaseDatabaseWrapper, *, table: str, columns: list[str], seal: bool, batch: int = 500
) -> int:
    """Seal (or, for a migration's reverse, open) every value of `columns` in `table`, in
    batches by primary key `id`. Text columns hold text, binary columns bytes. For data
    migrations, which must not depend on a model class; returns how many rows it rewrote."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    done, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {names} FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608 - quoted names
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            for pk, *values in rows:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {sets} WHERE id = %s",  # noqa: S608 - quoted names
                    [*(_rewritten(v, seal=seal) for v in values), pk],
                )
                last, done = pk, done + 1


def _rewritten(value: Any, *, seal: bool) -> Any:
    if value is None or value in ("", b""):
        return value
    if isinstance(value, bytes | memoryview):
        clear = decrypt_bytes(bytes(value))
        return encrypt_bytes(clear) if seal else clear
    clear_text = decrypt_text(value)
    return encrypt_text(clear_text) if seal else clear_text
