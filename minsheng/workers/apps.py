from django.apps import AppConfig


class WorkersConfig(AppConfig):
    """The task workers' lease: a database worker that died mid-task gives its task back
    (`manage.py task_worker`), and RQ workers that do the same on Redis (`workers.rq`)."""

    name = "minsheng.workers"
    label = "workers"
