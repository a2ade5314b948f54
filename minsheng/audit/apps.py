from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "minsheng.audit"
    label = "audit"

    def ready(self) -> None:
        # Administrators' changes are recorded wherever they are made (admin pages, shell,
        # commands): see `services.admin_recording_connect`.
        from minsheng.audit.services import admin_recording_connect

        admin_recording_connect()
