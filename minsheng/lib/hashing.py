"""Keyed hashes for secrets we must match but never store in clear (query codes, phones)."""

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: query codes are read out on the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of `value` under the deployment's HASH_KEY, separated by purpose."""
    return salted_hmac(purpose, value, secret=settings.HASH_KEY, algorithm="sha256").hexdigest()


def keyed_hash_matches(value: str, digest: str, *, purpose: str) -> bool:
    """Whether `value` hashes to `digest`, in constant time."""
    return constant_time_compare(keyed_hash(value, purpose=purpose), digest)


def random_code(length: int = 8) -> str:
    """A random code from an alphabet that survives being read aloud (about 40 bits at 8)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
