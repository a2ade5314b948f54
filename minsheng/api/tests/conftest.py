"""Fixtures for the API tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _api_media(settings, tmp_path):
    """Files uploaded through the API land in the test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """An API client holding `user`'s token."""

    def make(user):
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
        return client

    return make
