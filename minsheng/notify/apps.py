from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """Turns case events into e-mail, SMS and webhook posts (after commit, by the task worker)."""

    name = "minsheng.notify"
    label = "notify"
