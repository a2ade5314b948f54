"""`manage.py hot_topics [--days N] [--area CODE] [--file BOARD.csv] [--limit K]`: the hot
topics of a period, hottest first, with their heat, key terms and counts.

Without `--file` it groups the cases submitted in the last N days (default 30), in the
area with that code and under it. With `--file` it groups the messages of a public board
file (hot_topics.csv: id,user,subject,time,body,likes,dislikes); the period then ends
with the file's last message and, without `--days`, covers the whole file.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minsheng.cases.models import Area, Case
from minsheng.routing import hot_topics


class Command(BaseCommand):
    help = "Print the hot topics of a period: groups of similar cases ranked by heat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="period length (default 30)")
        parser.add_argument("--area", default="", help="area code: this area and those under it")
        parser.add_argument("--file", default="", help="a public board CSV instead of the cases")
        parser.add_argument("--limit", type=int, default=10, help="how many topics to print")
        parser.add_argument(
            "--threshold", type=float, default=hot_topics.DEFAULT_THRESHOLD, help="similarity"
        )
        parser.add_argument("--members", type=int, default=3, help="subjects shown per topic")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        if options["file"]:
            items = self._board(Path(options["file"]))
            end = max(item.at for item in items) + timedelta(seconds=1)
            start = min(item.at for item in items) if days is None else end - timedelta(days)
        else:
            end = timezone.now()
            start = end - timedelta(days=days or 30)
            area = None
            if options["area"]:
                area = Area.objects.filter(code=options["area"]).first()
                if area is None:
                    raise CommandError(f"No area has the code {options['area']!r}.")
            items = hot_topics.case_items(Case.objects.all(), start=start, end=end, area=area)
        run = hot_topics.topics_find(
            items, start=start, end=end, threshold=options["threshold"], limit=options["limit"]
        )
        self._print(run, options["members"])

    def _board(self, path: Path) -> list[hot_topics.Item]:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            items = hot_topics.board_items(path)
        except (KeyError, ValueError) as error:
            raise CommandError(f"{path}: not a board file ({error})") from error
        if not items:
            raise CommandError(f"{path}: no messages.")
        return items

    def _print(self, run: hot_topics.TopicRun, members: int) -> None:
        out = self.stdout
        out.write(
            f"{run.items} items from {run.start:%Y-%m-%d %H:%M} to {run.end:%Y-%m-%d %H:%M}; "
            f"{len(run.topics)} topics shown, {run.grouped_share:.0%} of the items in a topic; "
            f"{run.seconds:.2f} s"
        )
        for rank, topic in enumerate(run.topics, start=1):
            out.write(
                f"\n{rank:>2}. heat {topic.heat:.1f}  {' · '.join(topic.terms)}\n"
                f"    {topic.size} items (previous period {topic.previous}), "
                f"{topic.people} people, {topic.places} places, {topic.likes} likes, "
                f"{topic.first_at:%Y-%m-%d} … {topic.last_at:%Y-%m-%d}"
            )
            for item in topic.items[:members]:
                out.write(f"    - {item.key}  {item.subject}")
