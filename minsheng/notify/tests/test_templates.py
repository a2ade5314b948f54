"""Administrators edit the message texts in the admin; a broken template is refused beside
its field, and an edited one changes what people receive."""

import pytest
from django.urls import reverse

from minsheng.notify.models import NoticeChannel, NoticeKind, Notification, NotificationTemplate
from minsheng.notify.rendering import TemplateProblem, render_text

pytestmark = pytest.mark.django_db


def _form(template: NotificationTemplate, **changes: str) -> dict[str, str]:
    data = {
        "kind": template.kind,
        "channel": template.channel,
        "subject": template.subject,
        "body": template.body,
        "is_active": "on",
    }
    return {**data, **changes}


def test_every_kind_has_a_chinese_template_on_both_channels():
    seeded = set(NotificationTemplate.objects.values_list("kind", "channel"))

    assert seeded == {(k, c) for k in NoticeKind.values for c in NoticeChannel.values}
    assert all("民声" in t.body or "民声" in t.subject for t in NotificationTemplate.objects.all())


def test_editing_a_template_changes_the_text_people_receive(
    cast, admin_client, run_tasks, committed
):
    template = NotificationTemplate.objects.get(kind="receipt", channel="sms")
    url = reverse("admin:notify_notificationtemplate_change", args=[template.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url, _form(template, body="【民声】收到：{{ case_number }}，事项“{{ subject }}”。")
    )
    with committed():
        case = cast.submit().case
    run_tasks()

    assert page.status_code == 200
    assert "tracking_url" in page.content.decode()  # the variables are listed
    assert "MS-20261122-000123" in page.content.decode()  # the preview on the sample case
    assert response.status_code == 302
    body = Notification.objects.get(case=case).body
    assert body == f"【民声】收到：{case.number}，事项“工地夜间施工噪音扰民”。"


def test_a_broken_template_is_refused_beside_its_field(admin_client):
    template = NotificationTemplate.objects.get(kind="accepted", channel="email")
    url = reverse("admin:notify_notificationtemplate_change", args=[template.pk])

    unclosed = admin_client.post(url, _form(template, body="您好 {% if subject %}未闭合"))
    loads = admin_client.post(url, _form(template, subject="{% load static %}{{ subject }}"))
    includes = admin_client.post(url, _form(template, body="{% include 'base.html' %}"))

    assert unclosed.status_code == 200
    assert "body" in unclosed.context["adminform"].form.errors
    assert "subject" in loads.context["adminform"].form.errors
    assert "body" in includes.context["adminform"].form.errors
    template.refresh_from_db()
    assert "未闭合" not in template.body


def test_templates_see_only_the_strings_they_are_given():
    assert render_text(
        "{{ case_number }}|{{ request.user }}|{{ settings }}", {"case_number": "X"}
    ) == ("X||")
    with pytest.raises(TemplateProblem):
        render_text("{% include '/etc/passwd' %}", {})


def test_an_inactive_template_switches_the_message_off(cast, run_tasks, committed):
    NotificationTemplate.objects.filter(kind="receipt").update(is_active=False)
    with committed():
        case = cast.submit().case
    run_tasks()

    assert not Notification.objects.filter(case=case).exists()
