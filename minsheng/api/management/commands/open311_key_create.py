"""`manage.py open311_key_create NAME [--key KEY]`: register an api_key for a GeoReport client.

Prints the key once; only its hash is stored.
"""

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.api.services import open311_key_create


class Command(BaseCommand):
    help = "Register an Open311 api_key (a random one unless --key is given) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who the key is for, e.g. the app's name.")
        parser.add_argument("--key", help="Use this key instead of a random one.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["key"] or secrets.token_urlsafe(24)
        row = open311_key_create(name=options["name"], key=key)
        self.stdout.write(f"{row.name}: {key}")
