"""Every page and every form label speaks the language the person chose.

In English no Chinese character leaks into a page or a form label; in Chinese no English
label is left untranslated (the message catalogue is complete). The pages are walked as each
role uses them, with data written in the page's language (so whatever the other script
shows is the interface's own text), and the walk must render every template of the portal,
the workbench and the import pages.
"""

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import django_filters
import pytest
import time_machine
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.accounts.models import Department, User
from minsheng.cases.forms import action_form_class
from minsheng.cases.models import Case, Category, MediationAgreement, Rating, State
from minsheng.cases.services import PersonInput, Registered, mediation_signatures_record
from minsheng.cases.tests.factories import Cast
from minsheng.cases.workflow import ACTIONS, allowed_actions, perform
from minsheng.deadlines.models import Kind
from minsheng.knowledge.models import PolicyEntry, ReplyTemplate

# Chinese characters and the punctuation of Chinese text (not symbols such as ＝ or ▲).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words a Chinese page may show as they are.
LATIN_IN_CHINESE = {"MB", "Excel", "API", "GET", "Open311", "YYYY", "MM", "PDF", "URL"}
BARE_DASH = "---------"  # Django's empty choice, which says nothing
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-search-label")
# Templates the walk must render: everything under these folders of templates/.
WALKED = ("", "portal", "workbench", "intake")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@dataclass(frozen=True)
class Words:
    """The data of the walk, in the page's language."""

    subject: str
    body: str
    person: str
    note: str
    housing: str
    environment: str
    staff: str
    result: dict[str, Any]
    csv: bytes


WORDS = {
    "en": Words(
        subject="Night construction noise",
        body="The building site works after eleven at night.",
        person="Zhang Wei",
        note="Check on site within three days",
        housing="Housing Bureau",
        environment="Environment Bureau",
        staff="Li Ming",
        result={
            "facts": "The site worked at night.",
            "basis": "Noise law, article 43.",
            "measures": "Night work was stopped.",
            "outcome": "No more night work.",
            "remedy": "Ask for a review within 15 working days.",
            "remedy_days": 15,
        },
        csv=b"subject,body,phone\nBroken street light,The light is out,13800000000\n,,\n",
    ),
    "zh-hans": Words(
        subject="工地夜间施工噪音扰民",
        body="小区旁边的工地每天晚上十一点以后还在施工。",
        person="张伟",
        note="三日内现场核查",
        housing="市住房和城乡建设局",
        environment="市生态环境局",
        staff="李明",
        result={
            "facts": "经现场核查，工地确有夜间施工。",
            "basis": "《噪声污染防治法》第四十三条。",
            "measures": "责令停止夜间施工。",
            "outcome": "夜间施工已停止。",
            "remedy": "不满意可在15个工作日内申请复查。",
            "remedy_days": 15,
        },
        csv="标题,内容,电话\n路灯不亮,幸福路路灯坏了,13800000000\n,,\n".encode(),
    ),
}


class _Text(HTMLParser):
    """The text a person sees on a page (and in the attributes read to them), leaving out
    scripts and whatever is marked as another language (the language switch's options)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.skip: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang") or ""
        if self.skip or tag in ("script", "style") or (lang and tag != "html"):
            if tag not in ("input", "meta", "link", "br", "img", "hr"):
                self.skip.append(tag)
            return
        for name, value in attrs:
            if value and (name in SHOWN_ATTRIBUTES or name.startswith("data-text-")):
                self.found.append(value)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.found.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.found.append(data.strip())


def shown_text(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    return parser.found


# Data that is Latin in any language: case numbers, query codes, e-mail addresses, file
# names and login names.
LATIN_DATA = re.compile(
    r"MS-\d{8}-\d{6}|\b[A-Z0-9]{8}\b|\S+@\S+|\S+\.(csv|xlsx|jpg|pdf)\b"
    r"|\b(intake|dispatcher|handler2?|head2?|supervisor|leader|admin|auditor)\b"
)


def foreign(text: str, language: str) -> bool:
    """Whether `text` is in the other language: Chinese on an English page, or English
    words without a Chinese character on a Chinese page."""
    if language == "en":
        return bool(CJK.search(text))
    if CJK.search(text):
        return False
    return bool(set(LATIN_WORD.findall(LATIN_DATA.sub("", text))) - LATIN_IN_CHINESE)


# --- the data --------------------------------------------------------------------------


def _register(cast: Cast, words: Words) -> Registered:
    return cast.submit(
        subject=words.subject,
        body=words.body,
        people=[PersonInput(name=words.person, phone="13812345678", email="zw@example.cn")],
    )


def _cases(cast: Cast, words: Words) -> dict[str, Registered]:
    """A case in each state a page shows differently, reached by legal actions."""
    made: dict[str, Registered] = {}
    for state in (
        State.SUBMITTED,
        State.NEEDS_INFO,
        State.ACCEPTED,
        State.ASSIGNED,
        State.IN_PROGRESS,
        State.PENDING_APPROVAL,
        State.REPLIED,
        State.UNDER_REVIEW,
    ):
        registered = _register(cast, words)
        made[state] = registered
        case = registered.case
        if state == State.NEEDS_INFO:
            perform(case=case, action="request_info", actor=cast.intake, note=words.note)
        if state in (State.SUBMITTED, State.NEEDS_INFO):
            continue
        perform(case=case, action="accept", actor=cast.intake)
        if state == State.ACCEPTED:
            continue
        perform(
            case=case,
            action="assign",
            actor=cast.dispatcher,
            department=cast.housing,
            co_departments=[cast.environment],
            note=words.note,
        )
        if state == State.ASSIGNED:
            continue
        perform(case=case, action="sign", actor=cast.handler)
        perform(case=case, action="plan", actor=cast.handler, note=words.note)
        if state == State.IN_PROGRESS:
            perform(case=case, action="extension_request", actor=cast.head, amount=2, note="x")
            continue
        perform(case=case, action="submit_result", actor=cast.handler, **words.result)
        if state == State.PENDING_APPROVAL:
            continue
        perform(case=case, action="approve", actor=cast.head)
        if state == State.UNDER_REVIEW:
            perform(case=case, action="rate", actor=cast.intake, rating=Rating.POOR)
            perform(case=case, action="appeal", actor=cast.intake, note=words.note)
    return made


def _dress(cast: Cast, words: Words) -> None:
    """Names in the page's language; no seeded Chinese texts in an English walk."""
    Department.objects.filter(pk=cast.housing.pk).update(name=words.housing)
    Department.objects.filter(pk=cast.environment.pk).update(name=words.environment)
    User.objects.update(first_name=words.staff)
    ReplyTemplate.objects.all().delete()
    PolicyEntry.objects.all().delete()
    ReplyTemplate.objects.create(title=words.staff, field="note", text=words.note)
    PolicyEntry.objects.create(question=words.subject, answer=words.note, is_public=True)
    Category.objects.create(name=words.housing, level=1)


# --- the walk --------------------------------------------------------------------------


def _walk(client: Any, cast: Cast, words: Words) -> Iterator[tuple[str, Any]]:
    """Every page as its users see it: (what, response)."""
    cases = _cases(cast, words)
    anonymous = [
        "/",
        "/submit/",
        "/guide/?q=" + words.subject[:4],
        "/track/",
        "/work/login/",
        "/open/",
        "/no-such-page/",
    ]
    for path in anonymous:
        yield path, client.get(path)
    yield "empty submission", client.post("/submit/", {"identity": "named"})
    yield "emergency", client.post("/submit/emergency/", {"body": "着火了"})
    yield "wrong code", client.post("/track/", {"number": "MS-20260101-000001", "code": "X"})
    yield "bad login", client.post("/work/login/", {"username": "intake", "password": "no"})
    submitted = client.post(
        "/submit/",
        {
            "kind": "complaint",
            "subject": words.subject,
            "body": words.body,
            "identity": "named",
            "name": words.person,
            "phone": "13812345678",
            "contact_by": "sms",
            "consent": "on",
        },
    )
    yield "receipt", client.get(submitted["Location"])
    for state in (State.NEEDS_INFO, State.REPLIED, State.IN_PROGRESS):
        registered = cases[state]
        client.post("/track/", {"number": registered.case.number, "code": registered.query_code})
        yield f"tracking {state}", client.get(f"/track/{registered.case.number}/")
    neutral = cases[State.REPLIED].case
    yield "rated", client.post(f"/track/{neutral.number}/rate/", {"rating": Rating.NEUTRAL})
    yield "tracking rated", client.get(f"/track/{neutral.number}/")

    for user in (cast.intake, cast.dispatcher, cast.handler, cast.head, cast.supervisor):
        client.force_login(user)
        for path in ("/work/", "/work/cases/?q=x", "/work/knowledge/?q=" + words.subject[:4]):
            yield f"{user.username} {path}", client.get(path)
        for registered in cases.values():
            case = Case.objects.get(pk=registered.case.pk)
            yield f"{user.username} {case.number}", client.get(f"/work/cases/{case.number}/")
            for action in allowed_actions(case, user):
                path = f"/work/cases/{case.number}/actions/{action}/"
                yield f"{user.username} {action}", client.get(path)
                yield f"{user.username} {action} sent empty", client.post(path, {})

    client.force_login(cast.intake)
    yield "register", client.get("/work/register/")
    yield "register empty", client.post("/work/register/", {"identity": "named"})
    yield "similar", client.post("/work/register/similar/", {"subject": words.subject})
    yield "category", client.post("/work/register/category/", {"subject": words.subject})
    yield "imports", client.get("/work/import/")
    upload = SimpleUploadedFile("records.csv", words.csv, content_type="text/csv")
    form = {"file": upload, "default_channel": "phone", "default_kind": "complaint"}
    detail = client.post("/work/import/", form)["Location"]
    yield "import checked", client.get(detail)
    client.post(detail, {"start": "1"})  # queued: the page shows its progress
    yield "import queued", client.get(detail)
    yield "return visits", client.get("/work/supervision/visits/")

    # A mediation agreement to sign, then to follow up (the handler), and the supervisors' list.
    client.force_login(cast.handler)
    mediated = cases[State.IN_PROGRESS].case
    agreement = MediationAgreement.objects.create(
        case=mediated, parties=words.person, terms=words.note, created_at=mediated.created_at
    )
    page, signing = f"/work/cases/{mediated.number}/", f"mediation/{agreement.pk}/signatures/"
    yield "agreement to sign", client.get(page)
    yield "agreement signed empty", client.post(page + signing, {})
    mediation_signatures_record(
        agreement=agreement,
        signed_by=words.person,
        signed_at=mediated.created_at,
        copies_issued_at=mediated.created_at,
        actor=cast.handler,
    )
    yield "agreement to follow up", client.get(page)
    client.force_login(cast.supervisor)
    yield "mediation follow-ups", client.get("/work/mediation/")
    MediationAgreement.objects.filter(pk=agreement.pk).update(follow_up_by=mediated.created_at)
    yield "mediation follow-ups overdue", client.get("/work/mediation/?due=1")

    client.force_login(cast.supervisor)
    for path in (
        "/work/hot-topics/",
        "/work/supervision/notices/",
        "/work/supervision/notices/new/",
        "/work/stats/",
        "/work/stats/evaluation/",
        "/work/exports/cases/",
    ):
        yield path, client.get(path)
    report = cast.submit(kind=Kind.REPORT).case  # who reported it is hidden, and granted
    yield "reporter grants", client.get(f"/work/cases/{report.number}/reporter/")
    yield "reporter grants empty", client.post(f"/work/cases/{report.number}/reporter/", {})
    client.force_login(cast.handler)
    yield "forbidden", client.get("/work/hot-topics/")

    # The second login step: enrolling an authenticator app, and the code asked at login.
    yield "second factor enrol", client.get("/work/account/second-factor/")
    yield "second factor wrong", client.post("/work/account/second-factor/", {"token": "x"})
    TOTPDevice.objects.create(user=cast.head, name="totp", confirmed=True)
    client.force_login(cast.head)
    yield "second factor code", client.get("/work/login/code/")
    yield "second factor code wrong", client.post("/work/login/code/", {"token": "000000"})


def _templates_under_walk() -> set[str]:
    found = set()
    for folder in WALKED:
        for path in (TEMPLATES / folder).glob("*.html"):
            found.add(str(path.relative_to(TEMPLATES)))
    return found


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_speaks_the_chosen_language(client, cast, settings, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    words = WORDS[language]
    rendered: set[str] = set()
    problems: list[str] = []
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        _dress(cast, words)
        client.post("/language/", {"language": language, "next": "/"})
        pages = list(_walk(client, cast, words))
        pages.append(("too long", client.post("/submit/", {"body": "x" * 20_000})))
    for what, response in pages:
        assert response.status_code in (200, 302, 400, 403, 404), (what, response.status_code)
        rendered |= {t.name for t in response.templates if t.name}
        problems += [
            f"{what}: {text!r}"
            for text in shown_text(response.content.decode(), language)
            if foreign(text, language) or text == BARE_DASH
        ]
    assert problems == []
    assert _templates_under_walk() - rendered == set()


# --- every form label ------------------------------------------------------------------


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _form_classes() -> list[type[forms.Form]]:
    """Every form and filter form of our apps, and every lifecycle action's form."""
    for app in settings.INSTALLED_APPS:
        if app.startswith("minsheng."):
            for module in ("forms", "filters", "views"):
                try:
                    importlib.import_module(f"{app}.{module}")
                except ModuleNotFoundError as missing:
                    if missing.name != f"{app}.{module}":
                        raise
    for action in ACTIONS:
        action_form_class(action)
    ours = [c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("minsheng.")]
    found = [c for c in ours if ".tests." not in c.__module__]
    filtersets: list[Any] = list(_subclasses(django_filters.FilterSet))
    found += [
        c(queryset=c._meta.model.objects.none()).form.__class__
        for c in filtersets
        if c.__module__.startswith("minsheng.")
    ]
    return found


def _texts(field: forms.Field) -> Iterator[Any]:
    yield field.label
    yield field.help_text
    for name in ("empty_label", "null_label"):
        if getattr(field, name, None):
            yield getattr(field, name)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices: Any = field.choices
        for _value, label in choices:
            if isinstance(label, list | tuple):  # a group
                yield from (inner for _v, inner in label)
            else:
                yield label
    for attribute in ("placeholder", "data-search-label"):
        if field.widget.attrs.get(attribute):
            yield field.widget.attrs[attribute]


@pytest.mark.django_db
def test_every_form_label_is_english_in_english_and_translated_in_chinese():
    classes = _form_classes()
    assert len(classes) > 20
    untranslated, leaking = [], []
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            for text in _texts(field):
                if not text:
                    continue
                with translation.override("en"):
                    english = str(text)
                with translation.override("zh-hans"):
                    chinese = str(text)
                where = f"{form_class.__module__}.{form_class.__name__}.{name}: {english!r}"
                if CJK.search(english):
                    leaking.append(where)
                if chinese == english and foreign(chinese, "zh-hans"):
                    untranslated.append(where)
    assert leaking == []
    assert untranslated == []
