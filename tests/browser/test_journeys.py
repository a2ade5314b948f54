"""Journeys across the portal and the workbench, in a real browser."""

import re
from urllib.parse import quote

from minsheng.cases.models import Case, Rating, State
from minsheng.deadlines.models import Kind, Severity
from minsheng.lib.tests.sample_files import jpeg_bytes
from tests.browser.steps import SCRIPT, expect, submit_matter, take_action, track


def test_a_complaint_from_submission_to_appeal(site, cast, new_page, staff, shot, tmp_path):
    evidence = tmp_path / "noise.jpg"
    evidence.write_bytes(jpeg_bytes())
    citizen = new_page()
    number, code = submit_matter(
        citizen,
        site,
        subject="工地夜间施工噪音扰民",
        body="小区旁边的工地每天晚上十一点以后还在施工。",
        files=[str(evidence)],
    )
    shot(citizen, "receipt")
    assert Case.objects.get(number=number).attachments.count() == 1

    intake = staff("intake")
    intake.goto(f"{site}/work/cases/{number}/")
    intake.evaluate("window.notReloaded = true")
    take_action(intake, "accept", state=State.ACCEPTED)
    assert intake.evaluate("window.notReloaded") is True  # htmx swapped the panel in place
    shot(intake, "accepted")

    dispatcher = staff("dispatcher")
    dispatcher.goto(f"{site}/work/cases/{number}/")
    take_action(dispatcher, "assign", {"select:#id_department": "housing"}, state=State.ASSIGNED)
    shot(dispatcher, "assigned")

    handler = staff("handler")
    handler.goto(f"{site}/work/?tab=sign")
    handler.click(f"text={number}")
    take_action(handler, "sign", state=State.IN_PROGRESS)
    take_action(handler, "plan", {"#id_note": "三日内现场核查"}, state=State.IN_PROGRESS)
    take_action(handler, "progress", {"#id_note": "已约谈施工单位"}, state=State.IN_PROGRESS)
    photo = tmp_path / "site-check.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    handler.click(".add-files summary")  # a file for the case, shown to the complainant
    handler.set_input_files("#add-files input[type=file]", str(photo))
    handler.check("#add-files input[name=is_public]")
    handler.click("#add-files button[type=submit]")
    expect(handler.locator(".timeline")).to_contain_text("site-check.jpg")
    shot(handler, "file-added")
    result = {
        "#id_facts": "经现场核查，工地确有夜间施工。",
        "#id_basis": "《噪声污染防治法》第四十三条。",
        "#id_measures": "责令停止夜间施工。",
        "#id_outcome": "夜间施工已停止。",
        "#id_remedy": "不满意可申请复查。",
        "#id_remedy_days": "15",
    }
    take_action(handler, "submit_result", result, state=State.PENDING_APPROVAL)
    shot(handler, "result-submitted")

    head = staff("head")
    head.goto(f"{site}/work/?tab=approval")
    head.click(f"text={number}")
    take_action(head, "approve", state=State.REPLIED)
    shot(head, "approved")

    track(citizen, site, number, code)
    expect(citizen.get_by_text("夜间施工已停止。")).to_be_visible()
    expect(citizen.get_by_text("已约谈施工单位")).to_be_visible()  # the progress message
    expect(citizen.get_by_role("link", name="site-check.jpg")).to_be_visible()
    shot(citizen, "answer")
    citizen.check(f"input[name=rating][value={Rating.NEUTRAL}]")
    citizen.click("form[action$='/rate/'] button[type=submit]")
    citizen.fill("form[action$='/appeal/'] textarea", "噪音仍然存在")
    shot(citizen, "rated")
    citizen.click("form[action$='/appeal/'] button[type=submit]")
    expect(citizen.locator(".state-under_review")).to_be_visible()
    shot(citizen, "appealed")
    case = Case.objects.get(number=number)
    assert (case.rating, case.state) == (Rating.NEUTRAL, State.UNDER_REVIEW)

    supervisor = staff("supervisor")
    supervisor.goto(f"{site}/work/?tab=appeals")
    expect(supervisor.get_by_role("link", name=number)).to_be_visible()
    shot(supervisor, "appeal-in-queue")


def test_missing_material_is_supplied_from_the_tracking_page(
    site, cast, new_page, staff, shot, tmp_path
):
    citizen = new_page()
    number, code = submit_matter(
        citizen, site, subject="低保申请咨询", body="申请材料交了没有回音。"
    )
    intake = staff("intake")
    intake.goto(f"{site}/work/cases/{number}/")
    take_action(intake, "request_info", {"#id_note": "请上传低保申请回执"}, state=State.NEEDS_INFO)

    track(citizen, site, number, code)
    expect(citizen.locator(".attention .quote")).to_have_text("请上传低保申请回执")
    shot(citizen, "material-requested")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    citizen.fill("form[action$='/supplement/'] textarea", "回执已上传")
    citizen.set_input_files("form[action$='/supplement/'] input[type=file]", str(receipt))
    citizen.click("form[action$='/supplement/'] button[type=submit]")
    expect(citizen.locator(".state-submitted")).to_be_visible()
    expect(citizen.get_by_role("link", name="receipt.pdf")).to_be_visible()
    shot(citizen, "material-supplied")
    assert Case.objects.get(number=number).state == State.SUBMITTED


def test_an_anonymous_report_with_an_emergency_notice(site, db, new_page, shot):
    citizen = new_page()
    number, _code = submit_matter(
        citizen,
        site,
        subject="仓库违规存放易燃物",
        body="仓库着火了，之前就违规存放",
        anonymous=True,
        emergency="119",  # shown while typing, thanks to htmx; no second round trip
        shot=shot,
    )
    shot(citizen, "anonymous-receipt")
    case = Case.objects.get(number=number)
    assert case.is_anonymous
    assert case.kind == Kind.REPORT
    assert case.severity == Severity.URGENT


def test_script_typed_by_a_citizen_stays_inert(site, cast, new_page, staff, shot, tmp_path):
    dialogs = []
    citizen = new_page()
    citizen.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    number, code = submit_matter(citizen, site, subject=SCRIPT[:200], body=SCRIPT)
    expect(citizen.locator(".receipt")).to_contain_text('<script>alert("x")</script>')
    track(citizen, site, number, code)
    shot(citizen, "script-tracked")

    citizen.goto(f"{site}/guide/?q={quote(SCRIPT)}")  # a search is typed by citizens too
    expect(citizen.locator("#faq-results")).to_contain_text(SCRIPT)

    intake = staff("intake")
    intake.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    intake.goto(f"{site}/work/cases/{number}/")
    expect(intake.locator("#case-body")).to_contain_text(SCRIPT)
    take_action(intake, "request_info", {"#id_note": "请补充照片"}, state=State.NEEDS_INFO)
    intake.goto(f"{site}/work/?tab=review")  # My work
    intake.goto(f"{site}/work/cases/?q=script")

    track(citizen, site, number, code)  # the citizen's own answer: a supplement and a file
    odd_name = tmp_path / "<img src=x onerror=alert(2)>.txt"
    odd_name.write_text("photo list")
    citizen.fill("form[action$='/supplement/'] textarea", SCRIPT)
    citizen.set_input_files("form[action$='/supplement/'] input[type=file]", str(odd_name))
    citizen.click("form[action$='/supplement/'] button[type=submit]")
    expect(citizen.locator(".timeline")).to_contain_text(SCRIPT)
    expect(citizen.locator(".timeline")).to_contain_text("<img src=x onerror=alert(2)>.txt")

    intake.goto(f"{site}/work/cases/{number}/")
    expect(intake.locator(".timeline")).to_contain_text(SCRIPT)
    expect(intake.locator("#case-panel")).to_contain_text("<img src=x onerror=alert(2)>.txt")
    shot(intake, "script-on-case-page")
    intake.goto(f"{site}/work/cases/")
    shot(intake, "script-in-list")
    assert dialogs == []


def test_without_javascript_a_citizen_can_submit_and_track(site, db, new_page, shot):
    citizen = new_page(java_script_enabled=False)
    citizen.goto(f"{site}/submit/")
    citizen.select_option("#id_kind", Kind.HELP)
    citizen.fill("#id_subject", "路口车祸求助")
    citizen.fill("#id_body", "路口发生车祸，需要疏导交通")
    citizen.fill("#id_name", "王芳")
    citizen.fill("#id_phone", "13700001111")
    citizen.check("#id_consent")
    citizen.click("#submission-form button[type=submit]")
    # Without JavaScript the emergency notice comes back with the form, the text kept.
    expect(citizen.locator("#emergency a[href='tel:120']")).to_be_visible()
    expect(citizen.locator("#id_subject")).to_have_value("路口车祸求助")
    shot(citizen, "emergency-interstitial")
    citizen.check("#id_consent")
    citizen.click("#submission-form button[type=submit]")
    citizen.wait_for_url(re.compile(r"/receipt/$"))
    number = citizen.inner_text("#case-number")
    code = citizen.inner_text("#query-code")
    shot(citizen, "receipt")

    other = new_page(java_script_enabled=False)
    track(other, site, number, code)
    expect(other.locator(".number")).to_have_text(number)
    shot(other, "tracked")
    assert Case.objects.get(number=number).severity == Severity.URGENT
