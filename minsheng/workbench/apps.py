from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "minsheng.workbench"
    label = "workbench"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from minsheng.workbench.middleware import login_mark

        user_logged_in.connect(login_mark, dispatch_uid="minsheng_second_factor")
