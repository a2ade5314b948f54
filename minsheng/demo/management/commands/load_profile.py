"""`python manage.py load_profile NAME`: load an office's configuration and its small demo;
`--list` prints the profiles, one a line, its name first; `--file PATH` loads an office's
own TOML file, written like the shipped ones (`minsheng/demo/offices/`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.demo.profiles import (
    ProfileError,
    profile_get,
    profile_load,
    profile_read,
    profiles,
)
from minsheng.notify.jobs import events_muted


class Command(BaseCommand):
    help = "Load an office profile (its configuration and a small demo); --list shows them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the profile's name (see --list)")
        parser.add_argument("--list", action="store_true", help="list the profiles")
        parser.add_argument("--file", type=Path, help="load an office's own profile file")
        parser.add_argument(
            "--no-demo", action="store_true", help="the configuration only, no demo cases"
        )

    def handle(
        self,
        *args: Any,
        name: str | None,
        list: bool,
        file: Path | None,
        no_demo: bool,
        **kw: Any,
    ) -> None:
        if list:
            for profile in profiles().values():
                self.stdout.write(f"{profile.name}\t{profile.title}\t{profile.summary}")
            return
        if not name and file is None:
            raise CommandError("Name a profile, or give --file, or --list them.")
        try:
            profile = profile_read(file) if file is not None else profile_get(name or "")
            name = profile.name
            with events_muted():  # made-up history: nobody is told about it
                loaded = profile_load(profile, demo=not no_demo)
        except ProfileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Loaded the profile {name}: {loaded.profile.title}")
        self.stdout.write(f"Demo cases: {len(loaded.cases)}")
        for case in loaded.cases:
            self.stdout.write(f"  {case.number}  {case.state:<20} {case.subject}")
        self.stdout.write("Logins (password: minsheng-demo):")
        for username, full_name in loaded.logins:
            self.stdout.write(f"  {username:<12}{full_name}")
