"""Seed the message templates in Chinese (administrators edit them in the admin), and start
the event cursor at the newest existing case event, so installing notify does not tell
people about their old cases.

E-mail subjects to complainants carry the case number in brackets, "[MS-20261122-000123]":
e-mail intake also matches replies on it when a mail client drops In-Reply-To."""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

SIGNATURE = "\n\n民声诉求服务中心"

# (kind, e-mail subject, e-mail body, SMS text). The texts are copied here, not imported:
# a migration must keep working whatever the app code becomes.
TEMPLATES = [
    (
        "receipt",
        "【民声】您的诉求已收到 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”已收到，编号 {{ case_number }}。我们将在规定时限内"
        "审查并告知是否受理。\n\n您可以凭编号和查询码在以下页面查看办理进度：\n{{ tracking_url }}"
        "\n\n此邮件由系统发送。如需补充情况，可直接回复本邮件。" + SIGNATURE,
        "【民声】您反映的“{{ subject|truncatechars:20 }}”已收到，编号{{ case_number }}。"
        "可凭编号和查询码查询进度：{{ tracking_url }}",
    ),
    (
        "info_requested",
        "【民声】请补充材料 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”（编号 {{ case_number }}）需要补充以下材料：\n\n"
        "{{ reason }}\n\n请凭查询码在以下页面补充材料，补充后我们将继续审查：\n{{ tracking_url }}"
        + SIGNATURE,
        "【民声】您的诉求{{ case_number }}需补充材料：{{ reason|truncatechars:60 }}"
        "请凭查询码在{{ tracking_url }}补充。",
    ),
    (
        "accepted",
        "【民声】您的诉求已受理 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”（编号 {{ case_number }}）已受理，我们将交由有关部门"
        "办理。\n\n查看进度：{{ tracking_url }}" + SIGNATURE,
        "【民声】您的诉求{{ case_number }}已受理，将交有关部门办理。进度：{{ tracking_url }}",
    ),
    (
        "rejected",
        "【民声】您的诉求不予受理 [{{ case_number }}]",
        "您好：\n\n经审查，您反映的“{{ subject }}”（编号 {{ case_number }}）不予受理，理由如下："
        "\n\n{{ reason }}\n\n详情：{{ tracking_url }}" + SIGNATURE,
        "【民声】您的诉求{{ case_number }}不予受理，理由：{{ reason|truncatechars:70 }}",
    ),
    (
        "transferred",
        "【民声】您的诉求已转送 [{{ case_number }}]",
        "您好：\n\n经您同意，您反映的“{{ subject }}”（编号 {{ case_number }}）已转送"
        "{{ transferred_to }}办理，后续请与该单位联系。{% if reason %}\n\n说明：{{ reason }}"
        "{% endif %}" + SIGNATURE,
        "【民声】经您同意，您的诉求{{ case_number }}已转送{{ transferred_to }}办理。",
    ),
    (
        "progress",
        "【民声】办理进展 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”（编号 {{ case_number }}）有新的办理进展：\n\n"
        "{{ reason }}\n\n查看进度：{{ tracking_url }}" + SIGNATURE,
        "【民声】您的诉求{{ case_number }}办理进展：{{ reason|truncatechars:80 }}",
    ),
    (
        "result",
        "【民声】办理结果答复 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”（编号 {{ case_number }}）已办理完毕，答复如下：\n\n"
        "{{ outcome }}{% if remedy %}\n\n{{ remedy }}{% endif %}\n\n完整答复：{{ tracking_url }}"
        + SIGNATURE,
        "【民声】您的诉求{{ case_number }}已答复：{{ outcome|truncatechars:70 }}"
        "详见{{ tracking_url }}",
    ),
    (
        "survey",
        "【民声】请评价办理结果 [{{ case_number }}]",
        "您好：\n\n您反映的“{{ subject }}”（编号 {{ case_number }}）已答复。请凭查询码在以下页面"
        "评价办理结果（满意、较满意、一般、较差），您的评价是我们改进工作的依据：\n"
        "{{ tracking_url }}" + SIGNATURE,
        "【民声】请对诉求{{ case_number }}的办理结果进行评价：{{ tracking_url }}",
    ),
    (
        "appeal_outcome",
        "【民声】复查结果 [{{ case_number }}]",
        "您好：\n\n您对“{{ subject }}”（编号 {{ case_number }}）申请的复查已有结果：\n\n"
        "{{ reason }}\n\n当前状态：{{ state }}。查看详情：{{ tracking_url }}" + SIGNATURE,
        "【民声】您对诉求{{ case_number }}的复查申请已有结果：{{ reason|truncatechars:60 }}"
        "当前状态：{{ state }}",
    ),
    (
        "assigned",
        "【民声】新派单：{{ case_number }} {{ subject }}",
        "{{ department }}：\n\n新的诉求已派至本部门，请及时签收办理。\n\n编号：{{ case_number }}"
        "\n事项：{{ subject }}\n类别：{{ kind }}\n{% if deadline %}最近期限：{{ deadline }}\n"
        "{% endif %}\n办理页面：{{ workbench_url }}",
        "【民声】新派单{{ case_number }}“{{ subject|truncatechars:30 }}”已派至{{ department }}，"
        "请及时签收。",
    ),
    (
        "due_soon",
        "【民声】临期提醒：{{ case_number }} {{ step }}将于{{ due_at }}到期",
        "您好：\n\n诉求 {{ case_number }}“{{ subject }}”的“{{ step }}”环节将于 {{ due_at }} 到期，"
        "请抓紧办理。\n\n办理页面：{{ workbench_url }}",
        "【民声】临期提醒：{{ case_number }}的“{{ step }}”环节将于{{ due_at }}到期，请抓紧办理。",
    ),
    (
        "overdue",
        "【民声】超期提醒：{{ case_number }} {{ step }}已超期",
        "您好：\n\n诉求 {{ case_number }}“{{ subject }}”的“{{ step }}”环节已于 {{ due_at }} 到期，"
        "现已超期，请立即办理并说明情况。\n\n办理页面：{{ workbench_url }}",
        "【民声】超期提醒：{{ case_number }}的“{{ step }}”环节已于{{ due_at }}到期，请立即办理。",
    ),
]


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    for kind, subject, body, sms in TEMPLATES:
        NotificationTemplate.objects.get_or_create(
            kind=kind, channel="email", defaults={"subject": subject, "body": body}
        )
        NotificationTemplate.objects.get_or_create(
            kind=kind, channel="sms", defaults={"subject": "", "body": sms}
        )
    CaseEvent = apps.get_model("cases", "CaseEvent")
    newest = CaseEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    EventCursor = apps.get_model("notify", "EventCursor")
    EventCursor.objects.update_or_create(
        name="case_events", defaults={"last_event_id": newest, "updated_at": timezone.now()}
    )


def unseed(apps, schema_editor):
    apps.get_model("notify", "NotificationTemplate").objects.filter(
        kind__in=[kind for kind, *_ in TEMPLATES]
    ).delete()
    apps.get_model("notify", "EventCursor").objects.filter(name="case_events").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
