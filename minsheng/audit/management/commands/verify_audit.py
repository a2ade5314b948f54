"""manage.py verify_audit [--anchor FILE ...]: prove the audit record's chain intact, or
name its first altered, deleted or reordered entry (exit status 1)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.audit.selectors import chain_check


class Command(BaseCommand):
    help = "Check the audit record's hash chain (and anchors kept outside); exit 1 if broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            type=Path,
            help="a JSON anchor written by audit_anchor (may be given several times)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = []
        for path in options["anchor"]:
            try:
                anchor = json.loads(path.read_text())
                anchors.append({"seq": int(anchor["seq"]), "hash": str(anchor["hash"])})
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"{path}: not an audit anchor ({error})") from error
        check = chain_check(anchors=anchors)
        if check.first_break is not None:
            raise CommandError(
                f"audit record broken at entry #{check.first_break.seq}: "
                f"{check.first_break.problem}"
            )
        self.stdout.write(
            f"audit record intact: {check.entries} entries, last #{check.last_seq} "
            f"{check.last_hash}; {len(anchors)} anchor(s) match"
        )
