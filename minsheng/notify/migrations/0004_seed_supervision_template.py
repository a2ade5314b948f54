"""The message a department gets about a supervision notice (督办通知), by e-mail and SMS."""

from django.db import migrations

SUBJECT = "【民声】督办通知：{{ case_number }} {{ subject }}"
BODY = (
    "{{ department }}：\n\n关于诉求“{{ subject }}”（编号 {{ case_number }}）：\n\n{{ reason }}\n\n"
    "请登录工作台签收并按期回复：{{ workbench_url }}\n\n民声 12345 督办室"
)
SMS = (
    "【民声】督办通知：诉求{{ case_number }}，{{ reason|truncatechars:60 }} 请登录工作台签收回复。"
)


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.get_or_create(
        kind="supervision", channel="email", defaults={"subject": SUBJECT, "body": BODY}
    )
    NotificationTemplate.objects.get_or_create(
        kind="supervision", channel="sms", defaults={"subject": "", "body": SMS}
    )


def unseed(apps, schema_editor):
    apps.get_model("notify", "NotificationTemplate").objects.filter(kind="supervision").delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_supervision_notice_kind")]

    operations = [migrations.RunPython(seed, unseed)]
