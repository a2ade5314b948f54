"""Fixtures for routing tests: the level-1 topic tree mapped to departments, a private
folder for trained artifacts, and a skip for tests that need the shared data."""

import pytest

from minsheng.cases.models import Category
from minsheng.routing import datasets

LEVEL1 = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]

needs_shared_data = pytest.mark.skipif(
    not (datasets.has_split("train") and datasets.has_split("dev")),
    reason="needs the shared data (train.csv, dev.csv); set MINSHENG_SHARED_DATA",
)


@pytest.fixture
def topics(cast) -> dict[str, Category]:
    """The seven level-1 topics; 城乡建设 is handled by housing, 环境保护 by environment."""
    departments = {"城乡建设": cast.housing, "环境保护": cast.environment}
    return {
        name: Category.objects.create(name=name, level=1, department=departments.get(name))
        for name in LEVEL1
    }


@pytest.fixture(autouse=True)
def artifact_dir(settings, tmp_path):
    """Trained artifacts go to a temporary folder, never to var/."""
    settings.ROUTING_ARTIFACT_DIR = str(tmp_path / "routing")
    return tmp_path / "routing"
