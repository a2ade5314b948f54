"""Routing writes and decisions: suggest a category and department for a text, record the
intake agent's confirmation or correction, train and activate a new model; detect and
flag collective complaints."""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, User
from minsheng.cases.models import Case, Category, Complainant
from minsheng.cases.services import COLLECTIVE_MIN_PEOPLE, case_flag_collective
from minsheng.routing import calibration, datasets, duplicates, model, selectors
from minsheng.routing.models import RouterModel, RoutingFeedback, RoutingRule

logger = logging.getLogger(__name__)

TOP_K = 3


class Source:
    """Who made a suggestion."""

    RULE = "rule"
    MODEL = "model"


@dataclass(frozen=True)
class Choice:
    """One suggested level-1 topic: the model's label and calibrated probability, the
    category it maps to (a rule may name a deeper one) and that category's department."""

    label: str
    confidence: float
    category: Category | None
    department: Department | None


@dataclass(frozen=True)
class Suggestion:
    """Up to three choices, best first. `source` says whether a keyword rule or the model
    chose the first; with a rule, the confidences are still the model's probabilities."""

    source: str
    choices: list[Choice]
    model_version: str
    rule: RoutingRule | None = None

    @property
    def top(self) -> Choice:
        """The first choice (a model always ranks at least two labels)."""
        return self.choices[0]


def department_of(category: Category | None) -> Department | None:
    """The category's department, else its nearest ancestor's."""
    while category is not None:
        if category.department_id is not None:
            return category.department
        category = category.parent
    return None


def _rule_matching(rules: list[RoutingRule], text: str) -> RoutingRule | None:
    folded = text.casefold()
    for rule in rules:
        if any(k.casefold() in folded for k in rule.keyword_list()):
            return rule
    return None


def suggestion_for(*, subject: str, body: str) -> Suggestion:
    """Suggest a topic category and department for a case's text.

    Steps: the model ranks the level-1 labels; each label is mapped to the level-1
    `Category` of that name and its department; the first active keyword rule whose
    keyword occurs in the subject or body, if any, takes first place.
    """
    version, router = selectors.router_active()
    probabilities = router.probabilities([(subject, body)])[0]
    ranked = model.top_labels(router.labels, probabilities, len(router.labels))
    by_name = selectors.categories_level1_by_name([label for label, _p in ranked[:TOP_K]])
    model_choices = [
        Choice(
            label=label,
            confidence=p,
            category=by_name.get(label),
            department=department_of(by_name.get(label)),
        )
        for label, p in ranked
    ]
    rule = _rule_matching(selectors.rules_active(), f"{subject}\n{body}")
    if rule is None:
        return Suggestion(source=Source.MODEL, choices=model_choices[:TOP_K], model_version=version)
    label = selectors.category_level1(rule.category).name
    ruled = Choice(
        label=label,
        confidence=dict(ranked).get(label, 0.0),
        category=rule.category,
        department=department_of(rule.category),
    )
    others = [c for c in model_choices if c.label != label][: TOP_K - 1]
    return Suggestion(
        source=Source.RULE, choices=[ruled, *others], model_version=version, rule=rule
    )


@transaction.atomic
def feedback_record(
    *, case: Case, suggestion: Suggestion | None, chosen_category: Category, actor: User | None
) -> RoutingFeedback:
    """Keep what the intake agent chose against what was suggested. It is a correction
    when the chosen category lies under another level-1 topic than the first suggestion."""
    top = suggestion.top if suggestion is not None else None
    chosen_l1 = selectors.category_level1(chosen_category).name
    feedback = RoutingFeedback(
        case=case,
        suggested_label=top.label if top else "",
        suggested_confidence=top.confidence if top else None,
        suggested_source=suggestion.source if suggestion is not None else "",
        chosen_category=chosen_category,
        chosen_by=actor,
        is_correction=top is not None and top.label != chosen_l1,
        created_at=timezone.now(),
    )
    feedback.full_clean()
    feedback.save()
    return feedback


@dataclass
class TrainingSet:
    """What a training run learns from, and where each part came from."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    feedback_rows: int = 0


def training_set_build(
    *, use_shared: bool, use_feedback: bool, limit_per_class: int | None = None
) -> TrainingSet:
    """The shared train split (when asked for and present) plus confirmed cases."""
    result = TrainingSet()
    if use_shared:
        if not datasets.has_split("train"):
            raise ValidationError(
                {"use_shared": [_("The shared training data is not on this machine.")]}
            )
        shared = datasets.labelled_split("train", limit_per_class=limit_per_class)
        result.texts += shared.texts
        result.labels += shared.labels
        result.sources.append(shared.source)
    if use_feedback:
        texts, labels = selectors.feedback_examples()
        result.texts += texts
        result.labels += labels
        result.feedback_rows = len(labels)
        result.sources.append({"file": "routing feedback (confirmed cases)", "rows": len(labels)})
    return result


DEFAULT_PRECISIONS: tuple[float, ...] = (0.98,)


@dataclass(frozen=True)
class TrainResult:
    """The outcome of a training run: the new version, its dev scores (None without the
    dev split), whether it now serves, and why (not). `comparison` is the gate's record
    (old and new figures, decision, reason), also kept in the RouterModel's metadata."""

    router_model: RouterModel
    dev: dict[str, Any] | None
    baseline_macro_f1: float | None
    is_activated: bool
    reason: str
    seconds: float
    comparison: dict[str, Any] | None = None


def training_metadata(
    *, training: TrainingSet, params: dict[str, Any], seconds: float
) -> dict[str, Any]:
    """Provenance for an artifact's JSON sidecar (scores are added after evaluation)."""
    return {
        "trained_at": timezone.now().isoformat(),
        "data": training.sources,
        "rows": len(training.labels),
        "labels": sorted(set(training.labels)),
        "params": params,
        "libraries": model.library_versions(),
        "train_seconds": round(seconds, 1),
    }


def _precision_key(precision: float) -> str:
    return f"{precision:.4g}"


# How far below the precision asked for a model's precision measured on the dev split may
# be and still count as holding it: about two binomial standard errors at the ~800 matters
# dispatched automatically out of dev's 1,158 (sqrt(0.98 * 0.02 / 800) = 0.5 points).
PRECISION_TOLERANCE = 0.01


def _dev_predictions(router: model.Router, dev: datasets.Labelled) -> tuple[float, Any]:
    """A model's dev macro-F1 and per-row dev predictions: those kept with it when they
    were made on this same dev file, else measured now."""
    kept = router.metadata.get("dev_predictions")
    scores = router.metadata.get("dev", {})
    if kept and kept.get("sha256") == dev.source["sha256"] and "macro_f1" in scores:
        return float(scores["macro_f1"]), calibration.held_out_decode(kept)
    measured = model.evaluation(router, dev.texts, dev.labels)
    return float(measured.scores["macro_f1"]), measured.predictions


def _figures(
    *, version: str, router: model.Router, dev: datasets.Labelled, precisions: Sequence[float]
) -> dict[str, Any]:
    """One model's side of the gate: its dev macro-F1 and, per precision, the threshold
    from its held-out predictions, the share it expects from them, and the share and
    precision that threshold gives on the dev split. A model without held-out predictions
    (trained before they were kept) dispatches nothing automatically."""
    macro_f1, on_dev = _dev_predictions(router, dev)
    encoded = router.metadata.get("held_out")
    held_out = calibration.held_out_decode(encoded) if encoded else None
    points = {}
    for precision in precisions:
        if held_out is None:
            point = calibration.operating_point([], [], precision=precision)
        else:
            point = calibration.operating_point(
                held_out.confidence, held_out.correct, precision=precision
            )
        sent = calibration.dispatched(on_dev.confidence, on_dev.correct, threshold=point.threshold)
        points[_precision_key(precision)] = {
            "threshold": None if point.threshold is None else round(point.threshold, 4),
            "expected_share": round(point.share, 4),
            "share": round(sent.share, 4),
            "precision": None if sent.precision is None else round(sent.precision, 4),
        }
    return {"version": version, "macro_f1": macro_f1, "points": points}


def gate_decide(
    *, old: dict[str, Any], new: dict[str, Any], precisions: Sequence[float]
) -> tuple[bool, str]:
    """Whether the new model may replace the serving one (figures as `_figures` gives
    them, rounded to 4 places so that noise in the fifth does not decide):

    1. its dev macro-F1 is not below the old one's;
    2. at each precision, the threshold from its held-out predictions holds that precision
       on dev (within `PRECISION_TOLERANCE`) whenever it dispatches anything;
    3. at each precision, it dispatches at least the old one's share of dev automatically.
    """
    if new["macro_f1"] < old["macro_f1"]:
        return False, _("not activated: dev macro-F1 %(new).4f is below the serving %(old).4f") % {
            "new": new["macro_f1"],
            "old": old["macro_f1"],
        }
    for precision in precisions:
        key = _precision_key(precision)
        measured = new["points"][key]["precision"]
        if measured is not None and measured < precision - PRECISION_TOLERANCE:
            return False, _(
                "not activated: asked to hold %(precision)s, its threshold dispatched dev "
                "matters automatically with a precision of only %(measured)s"
            ) % {"precision": f"{precision:.1%}", "measured": f"{measured:.1%}"}
    for precision in precisions:
        key = _precision_key(precision)
        new_share, old_share = new["points"][key]["share"], old["points"][key]["share"]
        if new_share < old_share:
            return False, _(
                "not activated: at %(precision)s precision it would dispatch %(new)s of the "
                "dev matters automatically, below the serving model's %(old)s"
            ) % {
                "precision": f"{precision:.1%}",
                "new": f"{new_share:.1%}",
                "old": f"{old_share:.1%}",
            }
    return True, _(
        "activated: dev macro-F1 and the share dispatched automatically at every set "
        "precision are not below the serving model's"
    )


def gate_precisions() -> list[float]:
    """The precisions a scheduled or button-started retraining must hold: those of the
    automatic-dispatch policies in use (the function named by the setting
    `MINSHENG_DISPATCH_PRECISIONS_SOURCE`, a feature does not import another), else
    `DEFAULT_PRECISIONS`."""
    source = getattr(settings, "MINSHENG_DISPATCH_PRECISIONS_SOURCE", "")
    found = [float(p) for p in import_string(source)()] if source else []
    return found or list(DEFAULT_PRECISIONS)


def router_train(
    *,
    use_shared: bool = True,
    use_feedback: bool = True,
    force: bool = False,
    limit_per_class: int | None = None,
    precisions: Sequence[float] = DEFAULT_PRECISIONS,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train a new routing model and let it replace the serving one only through the gate:
    on the dev split, its macro-F1 and its share dispatched automatically at each of
    `precisions` (threshold from each model's own held-out predictions) must not be below
    the serving model's; `force` skips the gate (the comparison is still kept).

    Steps: build the training set (shared train split + corrections); fit; held-out
    predictions over that training set; measure both models on dev.csv; decide; write the
    artifact and its sidecar (with the comparison) under `artifact_dir()`; record a
    RouterModel and activate it if allowed and the serving model is still the one compared
    with. Not one transaction: fitting takes tens of seconds and must not hold a write
    lock; only the final recording and activation are atomic.
    """
    report = progress or (lambda step: None)
    started = time.monotonic()
    if not precisions or any(not 0 < p <= 1 for p in precisions):
        raise ValidationError(
            {"precisions": [_("A precision is a fraction above 0 and at most 1.")]}
        )
    report("data")
    training = training_set_build(
        use_shared=use_shared, use_feedback=use_feedback, limit_per_class=limit_per_class
    )
    if len(set(training.labels)) < 2:
        raise ValidationError(
            {"use_feedback": [_("Training needs examples of at least two categories.")]}
        )
    try:
        router = _fit_and_measure(training=training, started=started, progress=report)
    except ValueError as error:  # too few examples of a category
        raise ValidationError({"use_feedback": [str(error)]}) from error
    dev = router.metadata.get("dev")
    comparison: dict[str, Any] | None = None
    serving_version = None
    if datasets.has_split("dev"):
        report("gate")
        held_out_dev = datasets.labelled_split("dev")
        serving_version, serving = selectors.router_active()
        comparison = {
            "precisions": [float(p) for p in precisions],
            "dev": {"file": held_out_dev.source["file"], "rows": held_out_dev.source["rows"]},
            "old": _figures(
                version=serving_version, router=serving, dev=held_out_dev, precisions=precisions
            ),
            "new": _figures(version="new", router=router, dev=held_out_dev, precisions=precisions),
        }
    if comparison is None:
        allowed, reason = force, _("not activated: no dev split to measure it on")
    else:
        allowed, reason = gate_decide(
            old=comparison["old"], new=comparison["new"], precisions=precisions
        )
    if force:
        allowed, reason = True, _("activated: forced")
    if comparison is not None:
        comparison.update(decision="activated" if allowed else "refused", reason=reason)
        router.metadata["gate"] = comparison
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    path = model.save(router, selectors.artifact_dir() / f"router-{stamp}{model.ARTIFACT_SUFFIX}")
    report("saved")
    router_model, allowed, reason = _router_model_record(
        path=str(path),
        metadata=router.metadata,
        activate=allowed,
        compared_with=None if force else serving_version,
        reason=reason,
    )
    return TrainResult(
        router_model=router_model,
        dev=dev,
        baseline_macro_f1=comparison["old"]["macro_f1"] if comparison else None,
        is_activated=allowed,
        reason=reason,
        seconds=time.monotonic() - started,
        comparison=comparison,
    )


def _fit_and_measure(
    *, training: TrainingSet, started: float, progress: Callable[[str], None]
) -> model.Router:
    """Fit on the training set, keep held-out predictions over it (for the thresholds of
    automatic dispatch) and, when the dev split is here, score on it and keep its dev
    predictions (for later gates); the scores and provenance go into the router's
    metadata."""
    pipeline = model.train(training.texts, training.labels, progress=progress)
    router = model.Router(pipeline=pipeline)
    router.metadata = training_metadata(
        training=training,
        params=getattr(pipeline, "routing_params", model.DEFAULT_PARAMS),
        seconds=time.monotonic() - started,
    )
    progress("held-out")
    router.metadata["held_out"] = held_out_metadata(router=router, training=training)
    if datasets.has_split("dev"):
        progress("evaluation")
        dev = datasets.labelled_split("dev")
        measured = model.evaluation(router, dev.texts, dev.labels)
        router.metadata["dev"] = {**measured.scores, **dev.source}
        router.metadata["dev_predictions"] = dev_predictions_metadata(measured, dev)
    return router


def dev_predictions_metadata(measured: model.Evaluation, dev: datasets.Labelled) -> dict[str, Any]:
    """A model's predictions on the dev split, compact, with the file's checksum (a later
    gate reuses them only for the same file)."""
    return calibration.held_out_encode(
        measured.predictions, file=dev.source["file"], sha256=dev.source["sha256"]
    )


def held_out_metadata(*, router: model.Router, training: TrainingSet) -> dict[str, Any]:
    """The router's cross-validated predictions over its training set (shared rows and
    corrections; never the dev split), in the sidecar's compact form."""
    started = time.monotonic()
    held_out = model.held_out_predictions(router, training.texts, training.labels)
    return calibration.held_out_encode(
        held_out,
        method="cross-validated SVM scores through the model's calibration (its folds)",
        data=[source.get("file") for source in training.sources],
        seconds=round(time.monotonic() - started, 1),
    )


def router_default_write(*, progress: Callable[[str], None] | None = None) -> model.Router:
    """Rebuild the model shipped with the code from train.csv alone (no feedback, so the
    file depends on nothing but the shared data) and write it over the shipped artifact.
    A developer's tool: commit the result with its sidecar."""
    report = progress or (lambda step: None)
    started = time.monotonic()
    report("data")
    training = training_set_build(use_shared=True, use_feedback=False)
    router = _fit_and_measure(training=training, started=started, progress=report)
    model.save(router, selectors.DEFAULT_ARTIFACT)
    report("saved")
    return router


@transaction.atomic
def _router_model_record(
    *,
    path: str,
    metadata: dict[str, Any],
    activate: bool,
    compared_with: str | None,
    reason: str,
) -> tuple[RouterModel, bool, str]:
    """Record the new version and activate it if allowed, unless another model became
    active while it was trained (it was compared with `compared_with`, when given).
    Returns the row, whether it was activated and why (not)."""
    if activate and compared_with is not None:
        active = RouterModel.objects.select_for_update().filter(is_active=True).first()
        now_serving = str(active.pk) if active is not None else selectors.DEFAULT_VERSION
        if now_serving != compared_with:
            activate = False
            reason = _(
                "not activated: model %(now)s became active while this one was trained "
                "against %(then)s"
            ) % {"now": now_serving, "then": compared_with}
            if "gate" in metadata:
                metadata["gate"].update(decision="refused", reason=reason)
    router_model = RouterModel(path=path, metadata=metadata, created_at=timezone.now())
    router_model.full_clean()
    if activate:
        RouterModel.objects.filter(is_active=True).update(is_active=False)
        router_model.is_active = True
    router_model.save()
    return router_model, activate, reason


@transaction.atomic
def router_model_activate(*, router_model: RouterModel, actor: User | None) -> RouterModel:
    """Make this version the one that serves (every process picks it up on its next
    suggestion). Activation by hand skips the score check: the administrator decides."""
    if not Path(router_model.path).is_file():
        raise ValidationError({"path": [_("The model file is missing.")]})
    RouterModel.objects.filter(is_active=True).exclude(pk=router_model.pk).update(is_active=False)
    router_model.is_active = True
    router_model.save(update_fields=["is_active"])
    logger.info("routing: model %s activated by %s", router_model.pk, actor)
    return router_model


# --- collective complaints (集体投诉) -------------------------------------------------------

# Five or more distinct people (cases.services.COLLECTIVE_MIN_PEOPLE) about the same unit
# and the same matter within this many calendar days of each other. A detection window,
# not a deadline: calendar days are meant.
COLLECTIVE_WINDOW_DAYS = 30
# "The same matter": character-bigram cosine (`duplicates.matter_similarity`) from which
# two complaints about one unit are taken to be about the same thing. Unrelated messages
# of the shared data stay below 0.20 in 99.9 % of pairs.
COLLECTIVE_TEXT_MIN = 0.30
# The neighbours a check reads at a time (newest first), and the fields it reads of each.
COLLECTIVE_READ = 200
COLLECTIVE_FIELDS = (
    "number",
    "subject",
    "body",
    "respondent",
    "respondent_department_id",
    "created_at",
    "is_collective",
)


@dataclass(frozen=True)
class CollectiveFinding:
    """What a check found around one case: the cases about the same unit and matter in
    the window (itself included), how many distinct people filed them, which it flagged."""

    cases: list[Case]
    people: int
    flagged: list[Case]

    @property
    def is_collective(self) -> bool:
        return self.people >= COLLECTIVE_MIN_PEOPLE


def _distinct_people(case_ids: list[int]) -> int:
    """People behind these cases: one per phone (by its keyed hash); a complainant
    without a phone counts as one person of their own."""
    keys = {
        phone_hash or f"complainant:{pk}"
        for pk, phone_hash in Complainant.objects.filter(case_id__in=case_ids).values_list(
            "pk", "phone_hash"
        )
    }
    return len(keys)


def collective_detect(*, case: Case) -> CollectiveFinding:
    """Decide whether `case` belongs to a collective complaint, and flag the group.

    1. without a respondent unit there is nothing to detect (same unit is required);
    2. read the cases about the same unit filed within the window either side of it, the
       newest first, `COLLECTIVE_READ` at a time;
    3. keep those whose text is alike (`duplicates.matter_similarity`);
    4. count the distinct people behind the group;
    5. five or more: flag every case of the group not flagged yet, each with an event
       (`cases.services.case_flag_collective`, its own transaction). Safe to repeat.
    The reading stops early once the group found so far has five people and holds a case
    already flagged: the group was detected before, and its older cases were flagged then
    (each check flags the whole group it finds). So during a burst about one unit (a power
    cut) each new case reads a page of its neighbours, not all of them: the check costs
    the same for the 3,000th case as for the 10th, where it grew with the group. Then
    `cases` and `people` are of the group read (at least five people).
    Steps 1-4 only read, outside any transaction: on SQLite a transaction holds the one
    write lock, and a burst about one unit makes the read long while every submission
    waits for the lock.
    """
    unit = duplicates.unit_key(case.respondent, case.respondent_department_id)
    if not unit:
        return CollectiveFinding(cases=[case], people=_distinct_people([case.pk]), flagged=[])
    window = timedelta(days=COLLECTIVE_WINDOW_DAYS)
    nearby = Case.objects.filter(
        created_at__gte=case.created_at - window, created_at__lte=case.created_at + window
    ).exclude(pk=case.pk)
    if case.respondent_department_id:
        nearby = nearby.filter(respondent_department_id=case.respondent_department_id)
    else:
        nearby = nearby.filter(respondent__iexact=case.respondent)
    nearby = nearby.only(*COLLECTIVE_FIELDS).order_by("-created_at", "-pk")
    text = duplicates.case_text(case.subject, case.body)
    group = [case]
    people = read = 0
    while page := list(nearby[read : read + COLLECTIVE_READ]):
        read += len(page)
        others = [
            c for c in page if duplicates.unit_key(c.respondent, c.respondent_department_id) == unit
        ]
        alike = duplicates.matter_similarity(
            text, [duplicates.case_text(c.subject, c.body) for c in others]
        )
        group += [c for c, s in zip(others, alike, strict=True) if s >= COLLECTIVE_TEXT_MIN]
        people = _distinct_people([c.pk for c in group])
        if people >= COLLECTIVE_MIN_PEOPLE and any(c.is_collective for c in group[1:]):
            break
    if not read:  # alone in the window
        people = _distinct_people([case.pk])
    if people < COLLECTIVE_MIN_PEOPLE:
        return CollectiveFinding(cases=group, people=people, flagged=[])
    numbers = sorted(c.number for c in group)
    # Only those read as not flagged: each flag is a write transaction (on SQLite the write
    # lock), and a group grows with every case about its unit. The flag's own conditional
    # update still decides when two checks race.
    flagged = [
        c
        for c in group
        if not c.is_collective
        and case_flag_collective(case=c, actor=None, cases=numbers, people=people) is not None
    ]
    if flagged:
        logger.info("routing: collective complaint of %d people: %s", people, numbers)
    return CollectiveFinding(cases=group, people=people, flagged=flagged)


def collective_sweep(*, days: int = COLLECTIVE_WINDOW_DAYS) -> list[CollectiveFinding]:
    """Check every case filed in the last `days` days that names a respondent unit and is
    not flagged yet (a cron-able catch-all beside the check at registration). Returns
    the findings that flagged something."""
    since = timezone.now() - timedelta(days=days)
    candidates = (
        Case.objects.filter(created_at__gte=since, is_collective=False)
        .filter(Q(respondent_department__isnull=False) | ~Q(respondent=""))
        .order_by("created_at", "pk")
    )
    findings = []
    for case in candidates.iterator(chunk_size=500):
        case.refresh_from_db(fields=["is_collective"])
        if case.is_collective:  # flagged earlier in this sweep, with its group
            continue
        finding = collective_detect(case=case)
        if finding.flagged:
            findings.append(finding)
    return findings


def collective_check(*, case: Case) -> CollectiveFinding | None:
    """A newly registered case's collective-complaint check (`collective_detect`), run by
    the task worker once its registration committed (`jobs.events_consume`). Cases without
    a respondent unit cannot be part of one: None, nothing read."""
    if not duplicates.unit_key(case.respondent, case.respondent_department_id):
        return None
    return collective_detect(case=case)
