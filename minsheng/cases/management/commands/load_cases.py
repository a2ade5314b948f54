"""Load N synthetic cases through the bulk registration path, for benchmarks and trials:
`load_cases N [--days 730] [--batch 2000] [--seed 3]`.

Texts are real ones from the shared data (`../shared/data/train.csv`, else a few made-up
ones), kinds and channels in the case-list bench's proportions, one complainant each, and
registration times spread over the last `--days` days. Each case is worked out as
`submission_register` works one out and written `--batch` at a time
(`intake.services.drafts_register`): numbers, clocks, events with their audit entries,
encrypted personal data and search rows, as for any registration. Only for a database you
may fill: every case is real to the application.
"""

import random
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from minsheng.cases.bench import CHANNELS, KINDS, _choice, _texts
from minsheng.cases.services import PersonInput, Submission
from minsheng.intake.services import drafts_register, submission_draft

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


class Command(BaseCommand):
    help = "Register N synthetic cases through the bulk registration path, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--days", type=int, default=730, help="registered over these days")
        parser.add_argument("--batch", type=int, default=2000, help="cases per transaction")
        parser.add_argument("--seed", type=int, default=3, help="random seed (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        count, batch = options["count"], options["batch"]
        if count < 1 or batch < 1 or options["days"] < 1:
            raise CommandError("count, --batch and --days must be at least 1.")
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data, repeatable
        texts = _texts()
        now = timezone.now()
        span = options["days"] * 86400
        started = time.perf_counter()
        with tqdm(total=count, unit="case", disable=None) as bar:
            for first in range(0, count, batch):
                drafts = []
                for _ in range(min(batch, count - first)):
                    subject, body = texts[rng.randrange(len(texts))]
                    submission = Submission(
                        kind=_choice(rng, KINDS),
                        channel=_choice(rng, CHANNELS),
                        subject=subject,
                        body=body,
                        people=[
                            PersonInput(
                                name=rng.choice(SURNAMES) + rng.choice(SURNAMES),
                                phone=f"139{rng.randrange(10**8):08d}",
                            )
                        ],
                    )
                    registered_at = now - timedelta(seconds=rng.randrange(span))
                    drafts.append(
                        submission_draft(submission=submission, registered_at=registered_at)
                    )
                drafts_register(drafts=drafts, actor=None)
                bar.update(len(drafts))
        seconds = time.perf_counter() - started
        self.stdout.write(f"{count} cases in {seconds:.1f} s ({count / seconds:.0f} a second)")
