"""`manage.py search_documents_fill`: write the keyword-search documents that are missing
(cases registered before migration 0010, or loaded straight into the table); see
minsheng/cases/search.py."""

from typing import Any

from django.core.management.base import BaseCommand

from minsheng.cases.search import search_documents_fill


class Command(BaseCommand):
    help = "Write the missing keyword-search documents of cases (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = search_documents_fill()
        self.stdout.write(f"{written} case(s) indexed for keyword search.")
