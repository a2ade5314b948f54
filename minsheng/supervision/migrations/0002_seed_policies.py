"""The notice policies a new installation starts with: the result step overdue by 1 working
day → a reminder (催办) to the handler; by 3 → a supervision notice (督办单) to the department
head; an overdue supervision notice → the leader's supervision (领导督办). Administrators
change them in the admin."""

from django.db import migrations

POLICIES = [
    {
        "name": "办理结果超期1个工作日：催办承办人",
        "trigger": "case_step",
        "step": "result",
        "overdue_days": 1,
        "level": "reminder",
        "recipient": "handler",
        "due_days": 1,
    },
    {
        "name": "办理结果超期3个工作日：督办部门负责人",
        "trigger": "case_step",
        "step": "result",
        "overdue_days": 3,
        "level": "supervision",
        "recipient": "head",
        "due_days": 2,
    },
    {
        "name": "督办单逾期：领导督办",
        "trigger": "notice",
        "from_level": "supervision",
        "overdue_days": 0,
        "level": "leader",
        "recipient": "head",
        "due_days": 2,
    },
]


def seed(apps, schema_editor):
    NoticePolicy = apps.get_model("supervision", "NoticePolicy")
    for policy in POLICIES:
        NoticePolicy.objects.get_or_create(name=policy["name"], defaults=policy)


def unseed(apps, schema_editor):
    apps.get_model("supervision", "NoticePolicy").objects.filter(
        name__in=[p["name"] for p in POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
