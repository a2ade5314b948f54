"""`manage.py restore ARCHIVE`: an archive from `backup` into an empty database and
MEDIA_ROOT; refuses a damaged archive, one made with another key, and one of another
database vendor."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.backups import services


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and MEDIA_ROOT (key: BACKUP_KEY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive `manage.py backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database and MEDIA_ROOT that are not empty",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"No such archive: {path}")
        try:
            restored = services.backup_restore(
                data=path.read_bytes(),
                key=services.key_from_settings(),
                using=options["database"],
                force=options["force"],
            )
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored a {restored.vendor} database ({restored.migrations} migrations applied "
            f"in it) and {restored.files} files. Run `manage.py migrate` if this version of "
            "Minsheng is newer than the backup."
        )
