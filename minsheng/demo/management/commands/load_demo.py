"""`python manage.py load_demo`: load the demo data set (once) and print the demo logins."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.demo.services import DemoSummary, demo_load
from minsheng.notify.jobs import events_muted

SITE_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load the demo data set (departments, categories, users, cases) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=300, help="how many cases (300)")
        parser.add_argument("--seed", type=int, default=20261122, help="random seed (20261122)")

    def handle(self, *args: Any, cases: int, seed: int, **options: Any) -> None:
        if cases < 0:
            raise CommandError("--cases must be zero or more.")
        started = time.monotonic()
        with events_muted():  # made-up history: nobody is told about it
            summary = demo_load(cases=cases, seed=seed)
        if summary.is_new:
            seconds = time.monotonic() - started
            self.stdout.write(f"Demo data loaded: {summary.cases} cases in {seconds:.1f} s.")
            self._states(summary)
        else:
            self.stdout.write("Demo data already loaded; nothing added.")
        self._logins(summary)

    def _states(self, summary: DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(f"  {'state':<26}{'cases':>6}")
        for state, count in summary.per_state.items():
            self.stdout.write(f"  {state:<26}{count:>6}")

    def _logins(self, summary: DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {summary.logins[0].password})")
        self.stdout.write(f"  {'username':<12}{'name':<8}{'role':<22}department")
        for login in summary.logins:
            # Chinese names are two characters wide on a terminal: pad by display width.
            name = login.full_name + " " * max(0, 8 - 2 * len(login.full_name))
            self.stdout.write(
                f"  {login.username:<12}{name}{login.role:<22}{login.department or '-'}"
            )
        self.stdout.write(f"Open311 api_key: {summary.open311_key}")
        self.stdout.write("")
        self.stdout.write(f"Public portal: {SITE_URL}")
        self.stdout.write(f"Staff pages: {SITE_URL}work/")
        self.stdout.write(f"Admin:       {SITE_URL}admin/")
