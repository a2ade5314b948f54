"""`manage.py make_key KID`: print a new random AES-256 key as a `KID:base64key` entry for
FIELD_ENCRYPTION_KEYS (put it first to make it current; see minsheng/lib/crypto.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.lib.crypto import key_make


class Command(BaseCommand):
    help = "Print a new key entry (kid:base64key) for FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kid", help="The key's id, e.g. k2027 (letters, digits, _ or -).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(key_make(options["kid"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
