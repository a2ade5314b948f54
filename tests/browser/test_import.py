"""The spreadsheet import page in a real browser: upload, dry run, import, live progress."""

from minsheng.cases.models import Case
from minsheng.intake.models import ImportJob
from minsheng.intake.services import imports
from minsheng.intake.tests.test_spreadsheet_import import HEADER, ROWS
from tests.browser.steps import expect


def test_an_intake_agent_imports_a_sheet_and_watches_the_progress(
    site, cast, staff, shot, tmp_path
):
    sheet = tmp_path / "hotline.csv"
    sheet.write_text("\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    page = staff("intake")

    page.click("a[href='/work/import/']")
    page.set_input_files("#id_file", str(sheet))
    page.click("main button[type=submit]")
    expect(page.locator("#problems tbody tr")).to_have_count(5)  # every problem of rows 4 and 5
    shot(page, "dry-run")
    assert not Case.objects.exists()

    page.click("button[name=start]")
    expect(page.locator("#import-bar")).to_have_attribute("value", "0")
    page.evaluate("window.notReloaded = true")
    job = ImportJob.objects.get()
    imports.import_job_run(job_id=job.pk)  # what the task worker does

    expect(page.locator("#import-bar")).to_have_attribute("value", "4")
    expect(page.locator("#import-progress")).to_contain_text("2")
    assert page.evaluate("window.notReloaded") is True, "htmx polled the bar in place"
    shot(page, "done")
    assert Case.objects.count() == 2
