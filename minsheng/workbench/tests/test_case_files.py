"""Staff add files to an existing case from the case page."""

from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.cases.models import CaseEvent, State
from minsheng.cases.tests.factories import drive_to


def pdf(name="site-photo.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 site", content_type="application/pdf")


def test_handler_adds_files_and_the_complainant_sees_only_public_ones(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.handler)
    page = client.get(f"/work/cases/{case.number}/")
    assert 'id="add-files"' in page.text

    url = f"/work/cases/{case.number}/files/add/"
    added = client.post(url, {"evidence": [pdf()], "is_public": "on", "note": "现场照片"})
    assert added.status_code == 302
    client.post(url, {"evidence": [pdf("internal.pdf")]})
    files = {f.original_name: f.is_public for f in case.attachments.all()}
    assert files == {"site-photo.pdf": True, "internal.pdf": False}
    event = CaseEvent.objects.filter(case=case, action="files_added").order_by("id").first()
    assert event is not None
    assert (event.actor, event.note, event.is_public) == (cast.handler, "现场照片", True)
    timeline = client.get(f"/work/cases/{case.number}/").text
    assert "site-photo.pdf" in timeline
    assert "internal.pdf" in timeline


def test_a_wrong_file_is_refused_beside_the_field(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.handler)
    url = f"/work/cases/{case.number}/files/add/"
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    page = client.post(url, {"evidence": [script]})
    assert page.status_code == 200
    assert page.context["files_form"].errors["evidence"]
    assert "run.exe" in page.text
    empty = client.post(url, {})
    assert empty.context["files_form"].errors["evidence"]
    assert not case.attachments.exists()


def test_only_staff_working_on_the_case_may_add_files(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    case.co_departments.clear()
    url = f"/work/cases/{case.number}/files/add/"
    client.force_login(cast.auditor)  # may read every case, not add to it
    assert 'id="add-files"' not in client.get(f"/work/cases/{case.number}/").text
    assert client.post(url, {"evidence": [pdf()]}).status_code == 403
    client.force_login(cast.handler2)  # another department: the case does not exist for them
    assert client.post(url, {"evidence": [pdf()]}).status_code == 404
    client.force_login(cast.intake)
    assert client.post(url, {"evidence": [pdf()]}).status_code == 302
    assert case.attachments.count() == 1
    archived = drive_to(cast, State.MERGED)
    assert client.post(f"/work/cases/{archived.number}/files/add/").status_code == 403
