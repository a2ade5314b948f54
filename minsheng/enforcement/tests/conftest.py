"""An enforcement case's world: the housing department's handler and head (the shared cast)
and a complaint of theirs being handled."""

import pytest

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to


@pytest.fixture
def complaint(cast):
    """A quality complaint the housing department has signed for (in progress)."""
    return drive_to(cast, State.IN_PROGRESS)
