"""`manage.py rotate_keys [--batch-size N]`: re-encrypt every encrypted value that is not
under the current key (the first of FIELD_ENCRYPTION_KEYS), column by column, one short
transaction per batch, with a progress bar; safe while the site runs and resumable (see
minsheng/lib/key_rotation.py). Prints what it did per column and in total."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from minsheng.lib import key_rotation
from minsheng.lib.crypto import DecryptionError, key_ring


class Command(BaseCommand):
    help = "Re-encrypt personal data still under an older key with the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        columns = list(key_rotation.encrypted_columns())
        total = sum(key_rotation.pending_count(model, field) for model, field in columns)
        current = key_ring().current
        self.stdout.write(f"current key {current!r}: {total} values to re-encrypt")
        reports = []
        with tqdm(
            total=total, unit="value", disable=options["no_progress"] or None, file=sys.stderr
        ) as bar:
            for model, field in columns:
                try:
                    report = key_rotation.column_rotate(
                        model, field, batch_size=batch_size, progress=bar.update
                    )
                except DecryptionError as exc:
                    raise CommandError(f"{model._meta.label}.{field.name}: {exc}") from exc
                reports.append(report)
        for report in reports:
            if report.pending:
                self.stdout.write(
                    f"{report.label}: {report.rotated} re-encrypted, "
                    f"{report.skipped} changed meanwhile (left as written)"
                )
        rotated = sum(r.rotated for r in reports)
        skipped = sum(r.skipped for r in reports)
        left = sum(key_rotation.pending_count(model, field) for model, field in columns)
        self.stdout.write(
            f"done: {rotated} re-encrypted, {skipped} changed meanwhile, "
            f"{left} still under another key"
        )
