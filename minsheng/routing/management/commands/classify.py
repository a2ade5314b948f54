"""`manage.py classify INPUT.csv OUTPUT.csv`: the routing model's level-1 category for each
row (DESIGN §7).

Reads `id,subject,body` (other columns are ignored; a UTF-8 BOM is fine; `-` is standard
input or output) and writes `id,category_l1,confidence`, in input order, a batch at a
time so files of any size stream. Uses the serving model (the active RouterModel, else
the shipped one); administrators' keyword rules are not applied, so the output is the
model's own answer.
"""

import csv
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.routing import selectors

REQUIRED = ["id", "subject", "body"]
BATCH_ROWS = 256


def _batches(reader: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    while batch := list(islice(reader, BATCH_ROWS)):
        yield batch


class Command(BaseCommand):
    help = "Classify id,subject,body rows into id,category_l1,confidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV with columns id,subject,body ('-' for stdin)")
        parser.add_argument("output", help="CSV to write ('-' for stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        with ExitStack() as stack:
            reader = csv.DictReader(self._open(stack, options["input"], "r"))
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(
                    f"{options['input']}: missing column(s) {', '.join(missing)}; "
                    f"expected a header with {','.join(REQUIRED)}"
                )
            version, router = selectors.router_active()
            target = self._open(stack, options["output"], "w")
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow(["id", "category_l1", "confidence"])
            count = 0
            for batch in _batches(reader):
                texts = [(row["subject"] or "", row["body"] or "") for row in batch]
                for row, probabilities in zip(batch, router.probabilities(texts), strict=True):
                    best = int(probabilities.argmax())
                    writer.writerow([row["id"], router.labels[best], f"{probabilities[best]:.4f}"])
                count += len(batch)
        self.stderr.write(f"classified {count} rows with model {version}")

    def _open(self, stack: ExitStack, name: str, mode: str) -> IO[str]:
        if name == "-":
            return sys.stdin if mode == "r" else sys.stdout
        try:
            # Read with utf-8-sig so a BOM is dropped; write plain UTF-8 (no BOM).
            encoding = "utf-8-sig" if mode == "r" else "utf-8"
            return stack.enter_context(open(name, mode, encoding=encoding, newline=""))  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror}") from error
