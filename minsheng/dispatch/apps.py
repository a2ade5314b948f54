from django.apps import AppConfig


class DispatchConfig(AppConfig):
    """Auto-dispatch (自动分拨) as a policy, the corrections it learns from, and the drift
    watch that pauses it."""

    name = "minsheng.dispatch"
    label = "dispatch"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minsheng.cases.models import CaseEvent
        from minsheng.dispatch.jobs import case_event_saved

        # The receiver writes nothing: it only schedules the review job after commit.
        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="dispatch_case_event")
