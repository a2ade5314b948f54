"""Uploads through the REST API: refused by content as a problem naming the field; files
served as downloads with nosniff."""

from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import drive_to
from minsheng.lib.tests.sample_files import PE_BYTES, pdf, upload

SUBMISSION = {
    "kind": "complaint",
    "subject": "小区门口垃圾无人清运",
    "body": "小区门口的垃圾已经三天没有清运，气味很大。",
    "name": "李娜",
    "phone": "13900001111",
}


def test_a_program_named_as_a_photo_is_a_problem_naming_the_field(db, api):
    response = api.post(
        "/api/v1/public/cases",
        {**SUBMISSION, "attachments": [upload("照片.jpg", PE_BYTES, "image/jpeg")]},
        format="multipart",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert list(errors) == ["attachments"]
    assert errors["attachments"] == ["照片.jpg 未被接受：不接受程序、脚本和网页文件。"]
    assert not Case.objects.exists()


def test_staff_upload_is_checked_and_the_download_is_an_attachment_with_nosniff(cast, as_user):
    case = drive_to(cast, State.IN_PROGRESS)
    url = f"/api/v1/cases/{case.number}/attachments"
    refused = as_user(cast.handler).post(
        url, {"attachments": [upload("run.jpg", PE_BYTES)]}, format="multipart"
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"attachments"}
    assert not case.attachments.exists()

    uploaded = as_user(cast.handler).post(
        url, {"attachments": [pdf("../../核查.pdf")]}, format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.content
    attachment = uploaded.json()["attachments"][0]
    assert attachment["name"] == "核查.pdf", "no path parts"

    download = as_user(cast.handler).get(f"{url}/{attachment['id']}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
