from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "minsheng.deadlines"
    label = "deadlines"
