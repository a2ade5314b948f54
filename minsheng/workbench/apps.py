from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "minsheng.workbench"
    label = "workbench"
