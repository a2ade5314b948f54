from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """Turns case events into e-mail, SMS and webhook posts (after commit, by the task worker)."""

    name = "minsheng.notify"
    label = "notify"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minsheng.cases.models import CaseEvent
        from minsheng.notify.jobs import case_event_saved

        # The receiver writes nothing: it only schedules the fan-out job after commit.
        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="notify_case_event")
