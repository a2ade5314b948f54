"""Each test sees the unknown-year warning afresh (it is logged once per process)."""

import pytest

from minsheng.deadlines import calendar


@pytest.fixture(autouse=True)
def _fresh_warnings():
    calendar._WARNED_YEARS.clear()
    yield
    calendar._WARNED_YEARS.clear()
