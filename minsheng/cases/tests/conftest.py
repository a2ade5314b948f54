"""The core's tests read the rules' messages in their English source text."""

import pytest


@pytest.fixture(autouse=True)
def _english_messages(english):
    return
