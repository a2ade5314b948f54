"""Uploads through the pages: refused by content with a Chinese message at the field, and
stored files served only as downloads, without a photo's location, never from /media/."""

import io

from PIL import Image

from minsheng.cases.models import Case, State
from minsheng.cases.services import attachment_add
from minsheng.cases.tests.factories import drive_to
from minsheng.lib.tests.sample_files import HTML_BYTES, PE_BYTES, docx_bomb_bytes, photo, upload
from minsheng.portal.tests.test_pages import FORM


def test_a_program_named_as_a_photo_is_refused_on_the_submission_page(client, db):
    page = client.post("/submit/", {**FORM, "evidence": [upload("现场照片.jpg", PE_BYTES)]})

    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["evidence"]
    text = page.content.decode()
    assert "现场照片.jpg 未被接受：不接受程序、脚本和网页文件。" in text
    assert 'href="#id_evidence"' in text, "the message leads to the field"
    assert page.context["form"]["subject"].value() == FORM["subject"], "what was typed stays"
    assert not Case.objects.exists()


def test_html_as_pdf_and_a_zip_bomb_are_refused_when_staff_add_files(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.handler)
    url = f"/work/cases/{case.number}/files/add/"
    files = [upload("通知.pdf", HTML_BYTES), upload("报告.docx", docx_bomb_bytes())]

    page = client.post(url, {"evidence": files})

    assert page.status_code == 200
    errors = page.context["files_form"].errors["evidence"]
    assert errors == [
        "通知.pdf 未被接受：不接受此类文件。",
        "报告.docx 未被接受：解压后远大于原文件（疑似压缩炸弹）。",
    ]
    assert not case.attachments.exists()


def test_a_photo_is_downloaded_without_its_location_as_an_attachment(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.handler)
    sent = photo("现场.jpg", gps=True)
    added = client.post(f"/work/cases/{case.number}/files/add/", {"evidence": [sent]})
    assert added.status_code == 302
    attachment = case.attachments.get()

    download = client.get(f"/work/cases/{case.number}/files/{attachment.pk}/")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert image.format == "JPEG"
    assert not image.getexif(), "no EXIF at all: no GPS, no camera"
    assert "exif" not in image.info


def test_the_complainants_download_has_the_same_headers_and_media_is_not_served(client, cast):
    registered = cast.submit()
    case = registered.case
    attachment = attachment_add(case=case, upload=photo("回执.jpg", gps=True))
    client.post("/track/", {"number": case.number, "code": registered.query_code})

    download = client.get(f"/track/{case.number}/files/{attachment.pk}/")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert not image.getexif()
    # No route reaches the storage: MEDIA_ROOT has no URL, files go out through views only.
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/{attachment.file.name}").status_code == 404
