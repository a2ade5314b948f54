"""`manage.py train_router`: train a routing model on the shared data and the corrections,
print its dev scores, the gate's comparison with the serving model and whether it was
activated. Runs the training in this process, never in a web process: run it from cron
(e.g. nightly) for scheduled retraining. `--write-default` instead rebuilds the model
shipped with the code."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from minsheng.routing import selectors, services

STEPS = [
    "data",
    "features",
    "selection",
    "classifier",
    "done",
    "held-out",
    "evaluation",
    "gate",
    "saved",
]


class Command(BaseCommand):
    help = "Train the routing model from the shared data and confirmed cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-shared", action="store_true", help="skip shared train.csv")
        parser.add_argument("--no-feedback", action="store_true", help="skip confirmed cases")
        parser.add_argument("--force", action="store_true", help="activate even if it scores lower")
        parser.add_argument(
            "--limit-per-class",
            type=int,
            default=None,
            help="use only the first N shared rows of each class (quick trials)",
        )
        parser.add_argument(
            "--write-default",
            action="store_true",
            help="rebuild the shipped model from train.csv only (no database row)",
        )
        parser.add_argument(
            "--precision",
            type=float,
            action="append",
            default=None,
            help=(
                "a precision (e.g. 0.98) at which the new model must dispatch at least the "
                "serving model's share automatically; repeat for several (default: the "
                "automatic-dispatch policies' precisions, else 0.98)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=len(STEPS), desc="train_router", unit="step", file=self.stderr)

        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        try:
            if options["write_default"]:
                shipped = services.router_default_write(progress=progress)
                bar.close()
                self._print_scores(shipped.metadata.get("dev"))
                self.stdout.write(f"wrote {selectors.DEFAULT_ARTIFACT}")
                return
            result = services.router_train(
                use_shared=not options["no_shared"],
                use_feedback=not options["no_feedback"],
                force=options["force"],
                limit_per_class=options["limit_per_class"],
                precisions=options["precision"] or services.gate_precisions(),
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        finally:
            bar.close()
        self._print_scores(result.dev)
        if result.comparison is not None:
            self._print_comparison(result.comparison)
        self.stdout.write(f"model {result.router_model.pk} at {result.router_model.path}")
        self.stdout.write(f"{result.reason} ({result.seconds:.0f} s)")

    def _print_scores(self, dev: dict[str, Any] | None) -> None:
        if dev is None:
            self.stdout.write("dev split not found: no scores")
            return
        self.stdout.write(
            f"dev ({dev['rows']} rows): macro-F1 {dev['macro_f1']:.4f}, "
            f"accuracy {dev['accuracy']:.4f}"
        )
        for label, f1 in sorted(dev["per_class_f1"].items()):
            self.stdout.write(f"  {label}: F1 {f1:.4f}")

    def _print_comparison(self, comparison: dict[str, Any]) -> None:
        old, new = comparison["old"], comparison["new"]
        self.stdout.write(
            f"gate on dev: macro-F1 serving ({old['version']}) {old['macro_f1']:.4f}, "
            f"new {new['macro_f1']:.4f}"
        )
        for key, point in new["points"].items():
            before = old["points"][key]
            self.stdout.write(
                f"  at precision {key}: automatic share on dev serving {_pct(before['share'])} "
                f"(measured precision {_pct(before['precision'])}), new {_pct(point['share'])} "
                f"(measured precision {_pct(point['precision'])})"
            )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
