"""`manage.py backup OUT`: the database and the uploaded files in one encrypted archive."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.backups import services


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (database and MEDIA_ROOT) to OUT, under BACKUP_KEY. "
        "--new-key prints a fresh key instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", nargs="?", help="the archive to write, e.g. minsheng.backup")
        parser.add_argument("--new-key", action="store_true", help="print a new BACKUP_KEY")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(services.key_new())
            return
        if not options["out"]:
            raise CommandError("Name the archive to write: manage.py backup OUT")
        out = Path(options["out"])
        try:
            archive = services.backup_create(
                key=services.key_from_settings(), using=options["database"]
            )
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(archive)
        partial.chmod(0o600)
        partial.replace(out)  # never a half-written archive under the real name
        self.stdout.write(f"Wrote {out} ({len(archive)} bytes).")
