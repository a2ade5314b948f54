"""The routing model: a case's text → its level-1 topic category, with calibrated
probabilities. Pure machine learning: no Django models, no database, no settings.

The pipeline (chosen by 5-fold grouped cross-validation on train.csv, see
`bench/routing_experiments.md`):

1. the document is the subject repeated `subject_repeat` times, then the body (the subject
   is short and says most of what the message is about);
2. two TF-IDF blocks with sublinear tf: character 1–3-grams, and word 1–2-grams from
   jieba-rs segmentation (`rjieba`);
3. the `max_features` terms with the highest chi² against the labels are kept and the
   vectorisers are refitted on that fixed vocabulary (smaller artifact, no loss in
   accuracy);
4. a linear SVM whose scores are turned into probabilities by sigmoid calibration on
   cross-validated scores (`CalibratedClassifierCV(ensemble=False)`: one SVM is kept).

Artifacts are written with skops (no pickle: loading runs no code from the file) beside a
JSON sidecar with provenance, dev scores and held-out predictions over the training data
(`held_out_predictions`, for the thresholds of automatic dispatch: `calibration.py`).
"""

import hashlib
import json
import platform
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rjieba
import scipy
import sklearn
import skops
import skops.io as sio
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from minsheng.routing import calibration

ARTIFACT_SUFFIX = ".skops"
METADATA_SUFFIX = ".json"

DEFAULT_PARAMS: dict[str, Any] = {
    "subject_repeat": 4,
    "body_chars": 2000,
    "char_ngrams": [1, 3],
    "word_ngrams": [1, 2],
    "min_df": 2,
    "max_features": 100_000,
    "svm_c": 1.0,
    "calibration": "sigmoid",
    "calibration_folds": 5,
}

# What `load` trusts beyond skops' default list: our tokenizer and scikit-learn's private
# calibration helpers. Anything else in a file is refused.
_TRUSTED = [
    "minsheng.routing.model.words",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]

Progress = Callable[[str], None]


def _quiet(step: str) -> None:
    return None


def words(text: str) -> list[str]:
    """jieba-rs word segmentation, whitespace dropped. Used by the word TF-IDF block, so
    its import path is part of the artifact format."""
    return [w for w in rjieba.cut(text) if not w.isspace()]


def document(subject: str, body: str, *, subject_repeat: int, body_chars: int) -> str:
    """One text for the vectorisers: the subject `subject_repeat` times, then the start of
    the body (the rare very long body costs time and adds little)."""
    subject = (subject or "").strip()
    body = (body or "").strip()[:body_chars]
    head = (subject + "。") * subject_repeat if subject else ""
    return head + body


def _vectorisers(params: dict[str, Any], vocabularies: list[Any]) -> FeatureUnion:
    chars, word_vocab = vocabularies
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=tuple(params["char_ngrams"]),
                    sublinear_tf=True,
                    min_df=1 if chars is not None else params["min_df"],
                    vocabulary=chars,
                    dtype=np.float32,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    tokenizer=words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=tuple(params["word_ngrams"]),
                    sublinear_tf=True,
                    min_df=1 if word_vocab is not None else params["min_df"],
                    vocabulary=word_vocab,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def _selected_vocabularies(
    union: FeatureUnion, features: Any, labels: Sequence[str], k: int
) -> list[list[str]]:
    """The terms of each block among the `k` with the highest chi² (all if fewer)."""
    k = min(k, features.shape[1])
    keep = SelectKBest(chi2, k=k).fit(features, labels).get_support()
    vocabularies = []
    offset = 0
    for _name, vectoriser in union.transformer_list:
        names = vectoriser.get_feature_names_out()
        vocabularies.append([str(t) for t in names[keep[offset : offset + len(names)]]])
        offset += len(names)
    return vocabularies


def train(
    texts: Sequence[tuple[str, str]],
    labels: Sequence[str],
    *,
    params: dict[str, Any] | None = None,
    progress: Progress = _quiet,
) -> Pipeline:
    """Fit the routing pipeline on (subject, body) pairs and their level-1 labels.

    Steps: build the documents; fit the full vectorisers and pick the chi²-best terms;
    refit the vectorisers on those terms; fit the calibrated SVM.
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    names, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    if len(names) < 2:
        raise ValueError("Training needs at least two distinct labels.")
    if counts.min() < 2:
        # Calibration needs every label in at least two cross-validation folds.
        rare = ", ".join(str(n) for n in names[counts < 2])
        raise ValueError(f"Every label needs at least two examples; too few: {rare}")
    docs = [
        document(s, b, subject_repeat=params["subject_repeat"], body_chars=params["body_chars"])
        for s, b in texts
    ]
    progress("features")
    full = _vectorisers(params, [None, None])
    vocabularies = _selected_vocabularies(
        full, full.fit_transform(docs), labels, params["max_features"]
    )
    progress("selection")
    union = _vectorisers(params, vocabularies)
    features = union.fit_transform(docs)
    for _name, vectoriser in union.transformer_list:
        # The fitted `vocabulary_` is all transform needs; dropping the list it was built
        # from halves the artifact and its load time.
        vectoriser.set_params(vocabulary=None)
    progress("classifier")
    # As many calibration folds as the smallest class allows (tests train on a handful).
    classifier = CalibratedClassifierCV(
        LinearSVC(C=params["svm_c"]),
        method=params["calibration"],
        cv=int(min(params["calibration_folds"], counts.min())),
        ensemble=False,
    )
    classifier.fit(features, list(labels))
    progress("done")
    pipeline = Pipeline([("features", union), ("classifier", classifier)])
    pipeline.routing_params = params  # type: ignore[attr-defined]
    return pipeline


@dataclass
class Router:
    """A fitted pipeline with its metadata, ready to suggest."""

    pipeline: Pipeline
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        fitted = getattr(self.pipeline, "routing_params", {})  # until saved
        return {**DEFAULT_PARAMS, **fitted, **self.metadata.get("params", {})}

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def probabilities(self, texts: Sequence[tuple[str, str]]) -> np.ndarray:
        """One row of class probabilities (in `labels` order) per (subject, body)."""
        params = self.params
        docs = [
            document(s, b, subject_repeat=params["subject_repeat"], body_chars=params["body_chars"])
            for s, b in texts
        ]
        return self.pipeline.predict_proba(docs)

    def predict_top(self, subject: str, body: str, k: int = 3) -> list[tuple[str, float]]:
        """The `k` likeliest labels with their calibrated probabilities, likeliest first."""
        return top_labels(self.labels, self.probabilities([(subject, body)])[0], k)


def top_labels(labels: Sequence[str], row: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The `k` largest entries of one probability row as (label, probability)."""
    order = np.argsort(-row, kind="stable")[:k]
    return [(labels[i], float(row[i])) for i in order]


@dataclass(frozen=True)
class Evaluation:
    """A router's scores on labelled texts, and its predictions per row (top label, its
    confidence, whether it was right; for thresholds: `calibration.dispatched`)."""

    scores: dict[str, Any]
    predictions: calibration.HeldOut


def evaluation(
    router: Router, texts: Sequence[tuple[str, str]], labels: Sequence[str]
) -> Evaluation:
    """Macro-F1, accuracy and per-class F1 of the router on labelled texts, with the
    per-row confidences."""
    probabilities = router.probabilities(texts)
    top = probabilities.argmax(axis=1)
    predicted = [router.labels[i] for i in top]
    classes = sorted(set(labels) | set(predicted))
    per_class = f1_score(labels, predicted, labels=classes, average=None, zero_division=0)
    scores = {
        "rows": len(labels),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "per_class_f1": {c: round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
    }
    correct = np.asarray(predicted, dtype=str) == np.asarray(labels, dtype=str)
    return Evaluation(
        scores=scores,
        predictions=calibration.HeldOut(
            labels=router.labels,
            predicted=top,
            confidence=probabilities.max(axis=1),
            correct=correct,
        ),
    )


def evaluate(
    router: Router, texts: Sequence[tuple[str, str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1, accuracy and per-class F1 of the router on labelled texts."""
    return evaluation(router, texts, labels).scores


def held_out_predictions(
    router: Router, texts: Sequence[tuple[str, str]], labels: Sequence[str]
) -> calibration.HeldOut:
    """Predictions for the router's own training rows by SVMs that did not see them.

    Reuses what the fitted pipeline already decided: its vectorisers (fitted on all the
    rows, as at training), the same folds as its calibration (`StratifiedKFold` without
    shuffling, as many folds as it used) and its fitted sigmoid calibrators, applied to
    the cross-validated SVM scores. Five more SVM fits, about 3 s on train.csv.

    Steps: transform the texts; cross-validated decision scores of a fresh SVM with the
    pipeline's parameters; calibrate and normalise them as the pipeline does; keep per row
    the top label, its probability and whether it was right.
    """
    params = router.params
    docs = [
        document(s, b, subject_repeat=params["subject_repeat"], body_chars=params["body_chars"])
        for s, b in texts
    ]
    features = router.pipeline.named_steps["features"].transform(docs)
    classifier = router.pipeline.named_steps["classifier"]
    fitted = classifier.calibrated_classifiers_[0]
    _names, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    folds = int(min(params["calibration_folds"], counts.min()))
    scores = cross_val_predict(
        clone(fitted.estimator),
        features,
        list(labels),
        cv=StratifiedKFold(folds),
        method="decision_function",
    )
    probabilities = _calibrated(fitted.calibrators, np.asarray(scores), len(router.labels))
    top = probabilities.argmax(axis=1)
    return calibration.HeldOut(
        labels=router.labels,
        predicted=top,
        confidence=probabilities.max(axis=1),
        correct=np.asarray(router.labels)[top] == np.asarray(labels, dtype=str),
    )


def _calibrated(calibrators: Sequence[Any], scores: np.ndarray, classes: int) -> np.ndarray:
    """Decision scores to probabilities as `CalibratedClassifierCV` does: one sigmoid per
    class, then normalised (uniform where every sigmoid gave 0); with two classes, one
    sigmoid for the second."""
    if classes == 2:
        second = calibrators[0].predict(scores.reshape(-1))
        return np.column_stack([1.0 - second, second])
    raw = np.column_stack([c.predict(scores[:, i]) for i, c in enumerate(calibrators)])
    total = raw.sum(axis=1, keepdims=True)
    uniform = np.full_like(raw, 1.0 / classes)
    return np.divide(raw, total, out=uniform, where=total != 0)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
        "rjieba": _version("rjieba"),
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def metadata_path(artifact: Path) -> Path:
    return artifact.with_suffix(METADATA_SUFFIX)


def save(router: Router, artifact: Path) -> Path:
    """Write the pipeline (skops) and its JSON sidecar; returns the artifact path."""
    artifact.parent.mkdir(parents=True, exist_ok=True)
    pipeline = router.pipeline
    params = getattr(pipeline, "routing_params", None)
    if params is not None:
        # skops stores only what it knows; params live in the sidecar.
        del pipeline.routing_params
        router.metadata.setdefault("params", params)
    sio.dump(pipeline, artifact, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    metadata_path(artifact).write_text(
        json.dumps(router.metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return artifact


def load(artifact: Path) -> Router:
    """Read an artifact written by `save`, refusing any type outside the trusted list."""
    # skops raises UntrustedTypesFoundException for any type outside its defaults and ours.
    pipeline = sio.load(artifact, trusted=_TRUSTED)
    sidecar = metadata_path(artifact)
    metadata = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    return Router(pipeline=pipeline, metadata=metadata)
