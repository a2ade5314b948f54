"""`manage.py answer_check_report REPLIES.csv [--examples N] [--sample N --seed S]`: how many
free-text government replies lack each of the five parts (答复五要素), and how many hardly
mention the question (low subject overlap), by the answer check's cue patterns.

Reads `id,subject,body,reply` columns (replies.csv of the shared data). `--sample` prints
that many random replies with the parts detected, for checking the patterns by hand.
"""

import csv
import random
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.routing import answer_check

NAMES = {
    "facts": "facts found 调查核实的事实",
    "basis": "basis 依据",
    "measures": "measures 措施",
    "outcome": "outcome 处理结果",
    "remedy": "remedy path 救济途径",
    "deadline": "remedy deadline 期限",
}


class Command(BaseCommand):
    help = "Report which of the five answer parts free-text replies lack, and low overlap."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("replies", help="CSV with id,subject,body,reply columns")
        parser.add_argument("--examples", type=int, default=2, help="examples per finding")
        parser.add_argument("--sample", type=int, default=0, help="random replies to print")
        parser.add_argument("--seed", type=int, default=20261201)
        parser.add_argument(
            "--labels",
            default="",
            help="CSV id,facts,basis,measures,outcome,remedy (1/0) judged by hand: print the "
            "precision and recall of the 'lacks' findings on those replies",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["replies"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or "reply" not in rows[0]:
            raise CommandError(f"{path}: needs id,subject,body,reply columns.")
        findings: dict[str, list[dict[str, str]]] = {name: [] for name in [*NAMES, "overlap"]}
        overlaps: list[float] = []
        for row in rows:
            reply = row["reply"] or ""
            parts = answer_check.reply_parts(reply)
            parts["deadline"] = answer_check.reply_has_deadline(reply)
            for name, present in parts.items():
                if not present:
                    findings[name].append(row)
            overlap = answer_check.subject_overlap(row["subject"], row["body"], reply)
            if overlap is not None:
                overlaps.append(overlap)
                if overlap < answer_check.LOW_OVERLAP:
                    findings["overlap"].append(row)
        self._report(rows, findings, overlaps, options["examples"])
        if options["sample"]:
            self._sample(rows, options["sample"], options["seed"])
        if options["labels"]:
            self._validate(rows, Path(options["labels"]))

    def _validate(self, rows: list[dict[str, str]], path: Path) -> None:
        """Compare the 'lacks part' findings with a person's reading of the same replies."""
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        by_id = {row["id"]: row for row in rows}
        with path.open(encoding="utf-8-sig", newline="") as f:
            labels = [label for label in csv.DictReader(f) if label["id"] in by_id]
        out = self.stdout
        out.write(f"\nvalidation on {len(labels)} replies read by hand ({path.name})")
        out.write("| part | flagged lacking | of those truly lacking (precision) | recall |")
        out.write("| --- | ---: | ---: | ---: |")
        for part in answer_check.PARTS:
            flagged = truly = hit = 0
            for label in labels:
                lacks = not answer_check.reply_parts(by_id[label["id"]]["reply"])[part]
                really = label[part].strip() == "0"
                flagged += lacks
                truly += really
                hit += lacks and really
            precision = f"{hit}/{flagged} = {hit / flagged:.0%}" if flagged else "n/a"
            recall = f"{hit}/{truly} = {hit / truly:.0%}" if truly else "n/a"
            out.write(f"| {part} | {flagged} | {precision} | {recall} |")

    def _report(
        self,
        rows: list[dict[str, str]],
        findings: dict[str, list[dict[str, str]]],
        overlaps: list[float],
        examples: int,
    ) -> None:
        out = self.stdout
        n = len(rows)
        all_five = sum(
            1 for row in rows if all(answer_check.reply_parts(row["reply"] or "").values())
        )
        out.write(f"{n} replies; {all_five / n:.1%} show all five parts by the cue patterns\n")
        out.write("| finding | replies | share |\n| --- | ---: | ---: |")
        for name, label in NAMES.items():
            count = len(findings[name])
            out.write(f"| lacks {label} | {count} | {count / n:.1%} |")
        low = len(findings["overlap"])
        out.write(
            f"| subject overlap < {answer_check.LOW_OVERLAP:.0%} (template?) | {low} "
            f"| {low / n:.1%} |"
        )
        ordered = sorted(overlaps)
        if ordered:
            median = ordered[len(ordered) // 2]
            out.write(f"\nmedian subject overlap {median:.2f} over {len(ordered)} replies")
        for name in [*NAMES, "overlap"]:
            for row in findings[name][:examples]:
                out.write(f"\n[{name}] {row['id']} {row['subject']}\n    {row['reply'][:160]}")

    def _sample(self, rows: list[dict[str, str]], size: int, seed: int) -> None:
        out = self.stdout
        chosen = random.Random(seed).sample(rows, min(size, len(rows)))  # noqa: S311 - sampling
        for row in chosen:
            parts = answer_check.reply_parts(row["reply"] or "")
            flags = " ".join(f"{k}={'Y' if v else '-'}" for k, v in parts.items())
            overlap = answer_check.subject_overlap(row["subject"], row["body"], row["reply"])
            out.write(f"\n=== {row['id']} {row['subject']}  [{flags}] overlap={overlap}")
            out.write(row["reply"])
