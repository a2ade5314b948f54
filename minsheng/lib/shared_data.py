"""Where the shared data lives: the folder outside the repository with the research data
sets (labelled messages, the hot-topics board, replies). The setting `MINSHENG_SHARED_DATA`
says where; everything that reads the data asks `shared_data_dir()`.

The files are research material under their own terms: read them in place, never copy
them into the project.
"""

from pathlib import Path

from django.conf import settings


def shared_data_dir() -> Path:
    """The shared data folder (it may not exist on a machine without the data)."""
    return Path(settings.MINSHENG_SHARED_DATA)
