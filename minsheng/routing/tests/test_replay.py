"""The automatic-dispatch replay over the dev split (minsheng.routing.bench.replay): the
thresholds come from the shipped model's held-out predictions over train.csv, never from
the replayed rows, and the precision they promise holds on dev."""

import pytest

from minsheng.routing import bench, datasets, selectors
from minsheng.routing.tests.conftest import needs_shared_data

# Measured precision may fall short of the precision asked for by at most this much: about
# two binomial standard errors at ~800 dispatched matters (sqrt(0.98 * 0.02 / 800) = 0.5 %).
TOLERANCE = 0.01


@needs_shared_data
def test_replay_at_98_and_99_percent_holds_the_precision_on_unseen_matters():
    router = selectors.router_default()
    dev = datasets.labelled_split("dev")

    at_98, at_99 = bench.replay(router, dev.texts, dev.labels, precisions=[0.98, 0.99])

    assert router.metadata["held_out"]["data"] == ["train.csv"]
    assert at_98.measured_precision is not None
    assert at_99.measured_precision is not None
    assert at_98.measured_precision == pytest.approx(0.98, abs=TOLERANCE)
    assert at_98.measured_precision >= 0.98 - TOLERANCE
    assert at_98.share > 0.5
    assert at_99.measured_precision >= 0.99 - TOLERANCE
    assert 0.3 < at_99.share < at_98.share
    assert at_98.rows == len(dev.labels) == 1158
