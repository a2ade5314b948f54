"""Auto-dispatch in a browser: an administrator sets a policy for complaints and sees the
share it is expected to assign automatically; a confident complaint is then assigned by
the system when accepted; a dispatcher sees it marked in the case list, opens it, and
corrects it by re-assigning it; the report shows the correction. A screenshot of every
step, at desktop and phone widths."""

from minsheng.cases.models import Case, Category, State
from minsheng.cases.workflow import perform
from minsheng.dispatch.tests.conftest import LEVEL1, NOISE, POLLUTION
from tests.browser.steps import expect, take_action

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _accepted(cast, text: tuple[str, str]) -> Case:
    subject, body = text
    case = cast.submit(subject=subject, body=body).case
    perform(case=case, action="accept", actor=cast.intake)  # commits: the decision follows
    return Case.objects.get(pk=case.pk)


def test_administrator_sets_a_policy_and_a_dispatcher_corrects_an_auto_dispatch(
    site, cast, staff, shot, settings
):
    # Background work runs at once in the server (no worker in this test).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    departments = {"城乡建设": cast.housing, "环境保护": cast.environment}
    for name in LEVEL1:
        Category.objects.create(name=name, level=1, department=departments.get(name))

    admin = staff("admin", viewport=DESKTOP)
    admin.click("nav a[href='/work/dispatch/']")
    admin.wait_for_url(f"{site}/work/dispatch/")
    shot(admin, "no-policy")
    form = admin.locator("#new-policy")
    form.locator("#id_kind").select_option("complaint")
    form.locator("#id_is_enabled").check()
    form.locator("#id_precision").fill("0.98")
    shot(admin, "policy-filled")
    form.locator("button.primary").click()
    row = admin.locator("#policies tbody tr[data-policy]")
    expect(row).to_have_count(1)
    expect(row.locator(".expected-share")).to_have_text("65.1%")
    expect(row).to_contain_text("98.0%")
    shot(admin, "policy-set")

    sure = _accepted(cast, POLLUTION)
    unsure = _accepted(cast, NOISE)
    assert (sure.state, sure.department) == (State.ASSIGNED, cast.environment)
    assert unsure.state == State.ACCEPTED  # below the threshold: waits for a dispatcher

    dispatcher = staff("dispatcher", viewport=PHONE, is_mobile=True, has_touch=True)
    dispatcher.goto(f"{site}/work/cases/")
    sure_row = dispatcher.locator("table.cases tbody tr", has_text=sure.number)
    expect(sure_row.locator(".badge.auto")).to_be_visible()
    unsure_row = dispatcher.locator("table.cases tbody tr", has_text=unsure.number)
    expect(unsure_row.locator(".badge.auto")).to_have_count(0)
    assert dispatcher.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(dispatcher, "case-list-badge")
    sure_row.locator("a.number").click()
    dispatcher.wait_for_url(f"{site}/work/cases/{sure.number}/")
    expect(dispatcher.locator("#auto-dispatch")).to_contain_text("市生态环境局")
    expect(dispatcher.locator("ol.timeline")).to_contain_text("系统")
    shot(dispatcher, "case-auto-dispatched")
    take_action(
        dispatcher,
        "reassign",
        {"select:#id_department": "housing", "#id_note": "工地归住建局监管，改派。"},
        state=State.ASSIGNED,
    )
    expect(dispatcher.locator("main")).to_contain_text("市住房和城乡建设局")
    assert dispatcher.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(dispatcher, "reassigned")
    sure.refresh_from_db()
    assert sure.department == cast.housing

    dispatcher.goto(f"{site}/work/dispatch/report/")
    expect(dispatcher.locator("#corrections")).to_contain_text(sure.number)
    expect(dispatcher.locator("#awaiting")).not_to_contain_text(sure.number)  # corrected
    shot(dispatcher, "report-phone")
    admin.goto(f"{site}/work/dispatch/report/")
    expect(admin.locator("#corrections tbody tr")).to_have_count(1)
    expect(admin.locator("#report-figures tfoot")).to_contain_text("0.0%")  # 1 auto, corrected
    shot(admin, "report-desktop")
