"""From a model's held-out predictions to the confidence threshold that holds a precision.
Pure numpy: no Django, no scikit-learn.

Held-out predictions are one row per training example, predicted by a model that did not
see it (cross-validation, `model.held_out_predictions`): the predicted level-1 label, its
confidence (the top calibrated probability) and whether it was right. Automatic dispatch
sends a matter on when its top confidence reaches a threshold; `operating_point` picks the
lowest threshold at which the matters above it were right at least `precision` of the time
(the most matters dispatched while holding the precision), and says what share of matters
that dispatches and how many wrong dispatches per thousand to expect.

They are kept with the model (its JSON sidecar and `RouterModel.metadata`) in a compact
form (`held_out_encode`): about 3 bytes a row before base64.
"""

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

# Confidences are kept as 16-bit fractions: a step of 1/65535 is far below any difference
# a threshold could make.
_SCALE = 65535


@dataclass(frozen=True)
class OperatingPoint:
    """What automatic dispatch at a precision means for a model, from held-out rows."""

    precision: float  # the precision asked for, e.g. 0.98
    threshold: (
        float | None
    )  # lowest top-confidence dispatched automatically; None = none reaches it
    share: float  # expected share of matters dispatched automatically (0..1)
    errors_per_thousand: float  # expected wrong dispatches per 1,000 auto-dispatched
    rows: int  # held-out rows it was computed from


@dataclass(frozen=True)
class Dispatched:
    """What a threshold did on labelled rows: the share it dispatched and how many of those
    were right (None when it dispatched none)."""

    threshold: float | None
    rows: int
    dispatched: int
    share: float
    precision: float | None


@dataclass(frozen=True)
class HeldOut:
    """Held-out predictions: per row, the index of the predicted label in `labels`, its
    confidence and whether it was right."""

    labels: list[str]
    predicted: np.ndarray  # int, index into labels
    confidence: np.ndarray  # float in [0, 1]
    correct: np.ndarray  # bool

    @property
    def rows(self) -> int:
        return len(self.predicted)

    def predicted_as(self, label: str) -> "HeldOut":
        """Only the rows predicted as `label` (none when the model has no such label)."""
        if label not in self.labels:
            keep = np.zeros(self.rows, dtype=bool)
        else:
            keep = self.predicted == self.labels.index(label)
        return HeldOut(
            labels=self.labels,
            predicted=self.predicted[keep],
            confidence=self.confidence[keep],
            correct=self.correct[keep],
        )


def _checked_precision(precision: float) -> float:
    if not 0 < precision <= 1:
        raise ValueError(f"A precision is a fraction above 0 and at most 1, not {precision!r}.")
    return float(precision)


def operating_point(confidences: Any, correct: Any, *, precision: float) -> OperatingPoint:
    """The lowest threshold whose dispatched rows (top confidence >= threshold) were right
    at least `precision` of the time.

    Steps: sort the rows by confidence, highest first; the running precision after each
    row is the precision of dispatching everything down to it; only the last row of a run
    of equal confidences is a possible cut (a threshold takes all of them); the lowest cut
    that holds the precision wins.
    """
    precision = _checked_precision(precision)
    confidence = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=bool)
    rows = len(confidence)
    if len(right) != rows:
        raise ValueError("confidences and correct differ in length")
    if rows == 0:
        return OperatingPoint(precision, None, 0.0, 0.0, 0)
    order = np.argsort(-confidence, kind="stable")
    ordered = confidence[order]
    running = np.cumsum(right[order]) / np.arange(1, rows + 1)
    cut = np.r_[ordered[1:] != ordered[:-1], True]
    # A little slack for floating point: 49/50 must count as 98 %.
    holding = np.flatnonzero(cut & (running >= precision - 1e-12))
    if len(holding) == 0:
        return OperatingPoint(precision, None, 0.0, 0.0, rows)
    last = int(holding[-1])
    return OperatingPoint(
        precision=precision,
        threshold=float(ordered[last]),
        share=(last + 1) / rows,
        errors_per_thousand=round(float(1 - running[last]) * 1000, 1),
        rows=rows,
    )


def dispatched(confidences: Any, correct: Any, *, threshold: float | None) -> Dispatched:
    """Apply a threshold to labelled rows (e.g. the dev split): the share dispatched and
    the precision measured on it."""
    confidence = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=bool)
    rows = len(confidence)
    if threshold is None or rows == 0:
        return Dispatched(threshold, rows, 0, 0.0, None)
    sent = confidence >= threshold
    count = int(sent.sum())
    return Dispatched(
        threshold=threshold,
        rows=rows,
        dispatched=count,
        share=count / rows,
        precision=float(right[sent].mean()) if count else None,
    )


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


def held_out_encode(held_out: HeldOut, **about: Any) -> dict[str, Any]:
    """A JSON-ready form of held-out predictions (`about`: how they were made)."""
    index_type = np.uint8 if len(held_out.labels) <= 256 else np.uint16
    scaled = np.rint(np.clip(held_out.confidence, 0, 1) * _SCALE).astype("<u2")
    return {
        **about,
        "rows": held_out.rows,
        "labels": list(held_out.labels),
        "predicted": _b64(held_out.predicted.astype(index_type)),
        "confidence": _b64(scaled),
        "correct": _b64(np.packbits(held_out.correct.astype(bool))),
    }


def held_out_decode(data: dict[str, Any]) -> HeldOut:
    """Read back what `held_out_encode` wrote."""
    rows = int(data["rows"])
    labels = [str(label) for label in data["labels"]]
    index_type = np.uint8 if len(labels) <= 256 else np.uint16
    predicted = np.frombuffer(base64.b64decode(data["predicted"]), dtype=index_type)
    scaled = np.frombuffer(base64.b64decode(data["confidence"]), dtype="<u2")
    packed = np.frombuffer(base64.b64decode(data["correct"]), dtype=np.uint8)
    return HeldOut(
        labels=labels,
        predicted=predicted.astype(int),
        confidence=scaled.astype(float) / _SCALE,
        correct=np.unpackbits(packed)[:rows].astype(bool),
    )
