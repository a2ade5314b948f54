from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "minsheng.intake"
    label = "intake"
