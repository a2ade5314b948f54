"""Thresholds for automatic dispatch from held-out predictions (minsheng.routing.calibration)."""

import json

import numpy as np
import pytest

from minsheng.routing import calibration


def test_threshold_dispatches_as_much_as_holds_the_precision():
    # 100 matters, most confident first; the 60th and the 91st..100th were wrong.
    confidences = np.linspace(0.99, 0.50, 100)
    correct = np.ones(100, dtype=bool)
    correct[59] = False
    correct[90:] = False

    at_98 = calibration.operating_point(confidences, correct, precision=0.98)
    at_99 = calibration.operating_point(confidences, correct, precision=0.99)
    perfect = calibration.operating_point(confidences, correct, precision=1.0)

    # Down to the 90th matter: 89 right of 90 (98.9 %); one more would dip below 98 %.
    assert at_98.threshold == pytest.approx(confidences[89])
    assert at_98.share == pytest.approx(0.90)
    assert at_98.errors_per_thousand == pytest.approx(11.1)
    assert at_98.rows == 100
    # 99 % holds down to the 59th matter only (the 60th's mistake costs 60 more to dilute).
    assert at_99.threshold == pytest.approx(confidences[58])
    assert at_99.share == pytest.approx(0.59)
    assert perfect.errors_per_thousand == 0
    assert perfect.share == pytest.approx(0.59)


def test_equal_confidences_are_dispatched_together_or_not_at_all():
    # The two at 0.9 are one right, one wrong: a threshold takes both or neither.
    point = calibration.operating_point(
        [0.95, 0.9, 0.9, 0.8], [True, True, False, True], precision=0.9
    )

    assert point.threshold == pytest.approx(0.95)
    assert point.share == pytest.approx(0.25)


def test_no_threshold_when_nothing_holds_the_precision_or_there_are_no_rows():
    wrong = calibration.operating_point([0.99, 0.9], [False, True], precision=0.98)
    empty = calibration.operating_point([], [], precision=0.98)

    for point in (wrong, empty):
        assert point.threshold is None
        assert point.share == 0
    assert wrong.rows == 2
    assert empty.rows == 0
    with pytest.raises(ValueError, match="precision"):
        calibration.operating_point([0.9], [True], precision=98)


def test_dispatched_measures_a_threshold_on_labelled_rows():
    measured = calibration.dispatched(
        [0.99, 0.95, 0.7, 0.5], [True, False, True, True], threshold=0.9
    )

    assert measured.share == pytest.approx(0.5)
    assert measured.precision == pytest.approx(0.5)
    none = calibration.dispatched([0.5], [True], threshold=None)
    assert (none.share, none.precision) == (0.0, None)


def test_held_out_predictions_round_trip_compactly_through_json():
    rng = np.random.default_rng(0)
    rows = 5000
    held_out = calibration.HeldOut(
        labels=["城乡建设", "环境保护", "教育文体"],
        predicted=rng.integers(0, 3, rows),
        confidence=rng.random(rows),
        correct=rng.random(rows) < 0.9,
    )

    text = json.dumps(calibration.held_out_encode(held_out, method="test"))
    back = calibration.held_out_decode(json.loads(text))

    assert len(text) < 4.5 * rows  # 3 bytes a row, base64
    assert back.labels == held_out.labels
    assert (back.predicted == held_out.predicted).all()
    assert (back.correct == held_out.correct).all()
    assert np.abs(back.confidence - held_out.confidence).max() < 1e-4
    education = back.predicted_as("教育文体")
    assert education.rows == int((held_out.predicted == 2).sum())
    assert back.predicted_as("卫生计生").rows == 0
