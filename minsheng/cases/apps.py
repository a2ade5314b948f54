from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "minsheng.cases"
    label = "cases"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minsheng.cases.jobs import case_event_saved
        from minsheng.cases.models import CaseEvent

        # The receiver writes nothing: it only queues the event's consumers
        # (settings.EVENT_CONSUMERS) with the transaction.
        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="cases_case_event")
