"""The public pages follow the office's configuration: its reception information instead of
the hotline's fixed text, its two-year limit with the legal text, its extra fields for every
case, the kinds it takes."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from minsheng.cases import office
from minsheng.cases.models import Case, ExtraField
from minsheng.cases.tests.office_factories import (
    TWO_YEARS_TEXT,
    office_takes,
    reception,
    two_year_limit,
)
from minsheng.deadlines.models import Kind

FORM = {
    "kind": "complaint",
    "subject": "公司拖欠工资",
    "body": "公司拖欠三个月工资不发。",
    "identity": "named",
    "name": "赵强",
    "phone": "13911112222",
    "contact_by": "sms",
    "consent": "on",
}


def test_the_reception_information_replaces_the_hotlines_text(client, db):
    before = client.get("/guide/")
    reception(
        reception_place="人民路 8 号一楼接待大厅",
        reception_hours="周一至周五 9:00–17:00",
        reception_phone="0571-87000000",
        reception_days="每月 15 日局领导接待",
    )

    after = client.get("/guide/")

    hotline = gettext("The 12345 hotline, by phone.")
    assert hotline in before.text
    for text in (
        "人民路 8 号一楼接待大厅",
        "周一至周五 9:00–17:00",
        "0571-87000000",
        "每月 15 日局领导接待",
    ):
        assert text in after.text
    assert hotline not in after.text
    assert "0571-87000000" in client.get("/").text  # the footer of every public page


def test_a_matter_older_than_two_years_is_refused_on_the_form_with_its_legal_text(client, db):
    reason = two_year_limit()
    long_ago = timezone.localtime() - timedelta(days=800)

    refused = client.post("/submit/", {**FORM, "occurred_at": long_ago.strftime("%Y-%m-%dT%H:%M")})
    taken = client.post("/submit/", FORM)

    assert refused.status_code == 200
    assert refused.context["form"].errors["occurred_at"] == [office.reason_text(reason)]
    assert TWO_YEARS_TEXT in refused.text
    assert taken.status_code == 302
    assert Case.objects.count() == 1


def test_a_field_for_every_case_is_on_the_public_form(client, db):
    ExtraField.objects.create(
        code="employer", label="用人单位", is_required=True, pattern=r".{2,}", position=1
    )
    office.office_changed()

    form = client.get("/submit/")
    missing = client.post("/submit/", FORM)
    taken = client.post("/submit/", {**FORM, "extra__employer": "某某建筑公司"})

    assert 'name="extra__employer"' in form.text
    assert "用人单位" in form.text
    assert "extra__employer" in missing.context["form"].errors
    assert taken.status_code == 302
    assert Case.objects.get().extra == {"employer": "某某建筑公司"}


def test_only_the_kinds_the_office_takes_are_offered(client, db):
    office_takes(kinds=[Kind.COMPLAINT, Kind.REPORT])

    form = client.get("/submit/").context["form"]
    refused = client.post("/submit/", {**FORM, "kind": "suggestion"})

    assert [code for code, _label in form.fields["kind"].choices] == ["", "complaint", "report"]
    assert "kind" in refused.context["form"].errors
    assert not Case.objects.exists()
