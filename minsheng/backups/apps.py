from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """`manage.py backup` and `manage.py restore`: the database and the uploaded files in one
    encrypted archive. No models."""

    name = "minsheng.backups"
    label = "backups"
