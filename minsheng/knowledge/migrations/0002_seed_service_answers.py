"""A few reply templates and public answers about the service itself, so a new installation
has a useful help page. Administrators edit or delete them in the admin."""

from django.db import migrations

TEMPLATES = [
    (
        "受理告知",
        "note",
        "您反映的问题已受理，我们将在规定时限内办理，并通过您选择的方式告知进展。",
    ),
    ("补正材料", "note", "为便于办理，请通过“进度查询”页面补充以下材料："),
    (
        "复查途径",
        "remedy",
        "如对本答复不满意，可在收到答复之日起15个工作日内通过12345热线或本网站申请复查。",
    ),
    ("结束语", "any", "感谢您对我们工作的关心和支持。"),
]

ANSWERS = [
    (
        "如何查询办理进度？",
        "用受理回执上的工单编号和查询码，在本网站“进度查询”页面查看；也可以拨打12345，提供编号和查询码查询。",
        "进度 查询 查询码 编号",
    ),
    (
        "查询码丢失了怎么办？",
        "为保护您的信息，查询码只显示一次，也不以明文保存。请拨打12345，核实身份后由工作人员协助查询。",
        "查询码 忘记 丢失",
    ),
    (
        "可以匿名反映吗？",
        "可以。匿名诉求按举报线索办理；因为无法联系您，不会收到答复，但可以用编号和查询码查看进度。",
        "匿名 举报 隐私",
    ),
    (
        "多长时间能得到答复？",
        "自受理之日起按工作日计算办理时限，法定节假日不计；紧急诉求按小时计算。等待您补充材料期间时限暂停。",
        "时限 多久 答复 期限",
    ),
    (
        "对答复不满意怎么办？",
        "收到答复后可以进行评价；评价为“一般”或“较差”的，可在规定期限内在“进度查询”页面申请复查。",
        "不满意 复查 评价",
    ),
]


def seed(apps, schema_editor):
    ReplyTemplate = apps.get_model("knowledge", "ReplyTemplate")
    PolicyEntry = apps.get_model("knowledge", "PolicyEntry")
    for title, field, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, field=field, defaults={"text": text})
    for question, answer, tags in ANSWERS:
        PolicyEntry.objects.get_or_create(
            question=question, defaults={"answer": answer, "tags": tags, "is_public": True}
        )


def unseed(apps, schema_editor):
    ReplyTemplate = apps.get_model("knowledge", "ReplyTemplate")
    PolicyEntry = apps.get_model("knowledge", "PolicyEntry")
    ReplyTemplate.objects.filter(title__in=[t[0] for t in TEMPLATES]).delete()
    PolicyEntry.objects.filter(question__in=[a[0] for a in ANSWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_reply_templates_and_policy_entries")]

    operations = [migrations.RunPython(seed, unseed)]
