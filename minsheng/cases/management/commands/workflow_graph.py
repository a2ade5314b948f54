"""`manage.py workflow_graph [--format mermaid|dot] [--transitions-only]`: print the case
lifecycle, drawn from the workflow table (minsheng/cases/graph.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.cases import graph


class Command(BaseCommand):
    help = "Print the case lifecycle from the workflow table, as Mermaid or Graphviz DOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=["mermaid", "dot"],
            default="mermaid",
            help="mermaid (stateDiagram-v2, the default) or dot (Graphviz).",
        )
        parser.add_argument(
            "--transitions-only",
            action="store_true",
            help="Leave out the notes listing the actions that keep the state.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        render = graph.dot if options["format"] == "dot" else graph.mermaid
        self.stdout.write(
            render(graph.lifecycle(), keeping=not options["transitions_only"]), ending=""
        )
