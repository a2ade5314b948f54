"""Fixtures shared by every app's tests."""

import pytest

from minsheng.cases.tests.factories import Cast, make_cast


@pytest.fixture
def cast(db) -> Cast:
    """Two departments and one user per role (see `Cast`)."""
    return make_cast()
