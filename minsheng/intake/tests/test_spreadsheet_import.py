"""Spreadsheet import of hotline records: csv and xlsx, dry run, broken rows, re-import."""

import io
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from minsheng.cases.models import Case, Channel
from minsheng.deadlines.models import Kind
from minsheng.intake.channels import spreadsheet as sheets
from minsheng.intake.models import ImportedRow, ImportJob
from minsheng.intake.services import imports

HEADER = ["工单号", "来电时间", "姓名", "联系电话", "诉求类型", "标题", "诉求内容", "渠道"]
ROWS = [
    [
        "A-001",
        "2026-11-02 09:15",
        "张伟",
        "13800001111",
        "投诉",
        "噪音扰民",
        "工地夜间施工",
        "热线",
    ],
    ["A-002", "2026-11-02 10:40", "", "13800002222", "咨询", "", "公积金怎么提取", ""],
    ["A-003", "昨天下午", "王芳", "123", "吐槽", "路灯", "", "电话"],
    ["A-004", "2026/11/03", "李娜", "", "建议", "增设公交站", "希望在幸福小区门口增设公交站", ""],
]


def csv_upload(rows=ROWS, name="hotline.csv"):
    text = "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def xlsx_upload(rows=ROWS, name="hotline.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        # Excel cells hold local times without a zone, as openpyxl writes them.
        when = datetime(2026, 11, 2, 9, 15)  # noqa: DTZ001
        sheet.append([when if v == "2026-11-02 09:15" else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_headers_are_mapped_from_their_chinese_names():
    assert sheets.mapping_guess(HEADER) == {
        "external_id": "工单号",
        "subject": "标题",
        "body": "诉求内容",
        "name": "姓名",
        "phone": "联系电话",
        "time": "来电时间",
        "kind": "诉求类型",
        "channel": "渠道",
    }
    assert sheets.mapping_guess(["Subject", "Description", "Phone"]) == {
        "subject": "Subject",
        "body": "Description",
        "phone": "Phone",
    }


@pytest.mark.parametrize("upload", [csv_upload, xlsx_upload])
def test_dry_run_reports_every_broken_row_and_writes_no_case(db, cast, upload):
    job = imports.import_job_create(upload=upload(), actor=cast.intake)

    assert not Case.objects.exists()
    assert job.status == ImportJob.Status.CHECKED
    assert (job.total_rows, job.error_count, job.duplicate_count) == (4, 2, 0)
    broken = {(p["row"], p["field"]) for p in job.problems}
    assert broken == {(4, "time"), (4, "phone"), (4, "kind"), (4, "body"), (5, "phone")}


@pytest.mark.parametrize("upload", [csv_upload, xlsx_upload])
def test_import_creates_good_rows_and_reimport_adds_nothing(db, cast, upload):
    job = imports.import_job_create(upload=upload(), actor=cast.intake)

    assert imports.import_job_start(job=job, actor=cast.intake).status == ImportJob.Status.QUEUED
    imports.import_job_run(job_id=job.pk)  # what the task worker does

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_done, job.created_count, job.error_count) == (4, 2, 2)
    first = Case.objects.get(subject="噪音扰民")
    assert (first.kind, first.channel) == (Kind.COMPLAINT, Channel.PHONE)
    assert first.occurred_at is not None
    assert first.occurred_at.isoformat().startswith("2026-11-02T01:15"), "09:15 Beijing time"
    assert first.complainants.get().name == "张伟"
    second = Case.objects.get(body="公积金怎么提取")
    assert second.subject == "公积金怎么提取", "no title: the text's start"
    assert second.kind == Kind.INQUIRY

    again = imports.import_job_create(upload=upload(), actor=cast.intake)
    assert again.duplicate_count == 2
    imports.import_job_start(job=again, actor=cast.intake)
    again = imports.import_job_run(job_id=again.pk)
    assert (again.created_count, again.duplicate_count) == (0, 2)
    assert Case.objects.count() == 2
    assert ImportedRow.objects.count() == 2


def test_rows_without_an_external_id_are_recognised_by_their_content(db, cast):
    rows = [["", "", "赵敏", "13900003333", "", "", "垃圾清运不及时", ""]]
    for _ in range(2):
        job = imports.import_job_create(upload=csv_upload(rows), actor=cast.intake)
        imports.import_job_start(job=job, actor=cast.intake)
        imports.import_job_run(job_id=job.pk)

    assert Case.objects.count() == 1
    assert ImportedRow.objects.get().key.startswith("hash:")


def test_an_unreadable_file_or_missing_body_column_is_refused(db, cast):
    with pytest.raises(ValidationError) as refused:
        imports.import_job_create(upload=SimpleUploadedFile("a.pdf", b"%PDF"), actor=cast.intake)
    assert list(refused.value.message_dict) == ["file"]

    job = imports.import_job_create(
        upload=csv_upload(), actor=cast.intake, mapping={"subject": "标题"}
    )
    assert [(p["row"], p["field"]) for p in job.problems] == [(1, "body")]
    with pytest.raises(ValidationError, match="mapping"):
        imports.import_job_start(job=job, actor=cast.intake)


def test_the_command_dry_runs_then_imports_with_a_mapping(db, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(
        "ticket,text,who,tel\nT1,楼上漏水,周杰,13700001111\nT2,,吴刚,13700002222\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command("import_cases", str(path), "--dry-run", "--mapping", "name=who", stdout=out)
    assert not Case.objects.exists()
    assert not ImportJob.objects.exists()
    assert "row 3, body: " in out.getvalue()
    assert "2 rows: 1 would create" in out.getvalue()

    out = io.StringIO()
    call_command("import_cases", str(path), "--mapping", "name=who", stdout=out)
    call_command("import_cases", str(path), "--mapping", "name=who", stdout=io.StringIO())
    assert "2 rows: 1 created" in out.getvalue()
    case = Case.objects.get()
    assert case.complainants.get().name == "周杰"
    assert ImportedRow.objects.get().key == "ext:T1"


def test_a_csv_saved_by_excel_in_gbk_is_read(db, cast):
    text = "\n".join(",".join(row) for row in [HEADER, *ROWS[:1]]) + "\n"
    upload = SimpleUploadedFile("gbk.csv", text.encode("gbk"))

    job = imports.import_job_create(upload=upload, actor=cast.intake)

    assert job.mapping["body"] == "诉求内容"
    assert (job.total_rows, job.error_count) == (1, 0)
