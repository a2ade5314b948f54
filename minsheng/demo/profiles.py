"""Office profiles: one office's whole configuration and a small demo for it, as data.

Each profile is a TOML file in `offices/` (one per office the documents describe: a
labour inspectorate, a hospital's petition office, an insurer ...). `profile_load` writes
its departments, staff, categories and configuration (the `cases.models.Office` row, case
classes with their approval levels, deadline policies, rejection reasons, admissibility
rules, extra fields), refuses it as a whole if `cases.office.config_problems` finds the
configuration would leave a case stuck, and then registers its demo cases and drives them
through the lifecycle (`cases.workflow.perform`), so the demo shows the office's own flow.

`manage.py load_profile NAME` and the office admin's "Load a profile" page call it.
"""

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minsheng.accounts.models import Department, Role, User
from minsheng.accounts.services import user_create
from minsheng.cases import office
from minsheng.cases.access import Citizen
from minsheng.cases.models import (
    AdmissibilityRule,
    Case,
    Category,
    ExtraField,
    Office,
    RejectionReason,
)
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import ApprovalLevel, CaseClass, DeadlinePolicy
from minsheng.deadlines.services import deadlines_changed
from minsheng.demo.catalogue import DEMO_PASSWORD

OFFICES_DIR = Path(__file__).parent / "offices"
CITIZEN = "citizen"  # a demo step taken by the complainant, with the query code


class ProfileError(Exception):
    """A profile that cannot be loaded: unknown, or its configuration would not work."""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    summary: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ProfileLoaded:
    profile: Profile
    cases: list[Case]
    logins: list[tuple[str, str]]  # (username, what they do)


def profile_read(path: Path) -> Profile:
    """A profile from a TOML file (a shipped one, or an office's own written like them)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{path}: {error}") from error
    missing = [key for key in ("title", "summary") if key not in data]
    if missing:
        raise ProfileError(f"{path}: missing {', '.join(missing)}")
    return Profile(name=path.stem, title=data["title"], summary=data["summary"], data=data)


@cache
def profiles() -> dict[str, Profile]:
    """Every profile shipped with Minsheng, by name."""
    return {path.stem: profile_read(path) for path in sorted(OFFICES_DIR.glob("*.toml"))}


def profile_get(name: str) -> Profile:
    try:
        return profiles()[name]
    except KeyError:
        known = ", ".join(profiles())
        raise ProfileError(f"No profile named {name!r}. Profiles: {known}.") from None


@transaction.atomic
def profile_load(profile: Profile, *, demo: bool = True) -> ProfileLoaded:
    """Load `profile` (all or nothing): its organisation, its configuration (replacing the
    office's current one), and unless `demo` is false or the profile is loaded already,
    its demo cases."""
    data = profile.data
    again = Office.objects.filter(profile=profile.name).exists()
    try:
        departments = _departments_ensure(data.get("departments", []))
        users = _users_ensure(data.get("users", []), departments)
        categories = _categories_ensure(data.get("categories", []), departments)
        _configure(profile, categories)
    except KeyError as error:
        raise ProfileError(f"{profile.name}: nothing named {error} is defined") from error
    except (ValidationError, TypeError, ValueError) as error:
        raise ProfileError(f"{profile.name}: {error}") from error
    problems = office.config_problems()
    if problems:
        raise ProfileError("; ".join(problems))
    cases: list[Case] = []
    if demo and not again:
        cases = [
            _demo_case(spec, users=users, departments=departments, categories=categories)
            for spec in data.get("cases", [])
        ]
    logins = [(spec["username"], spec.get("full_name", "")) for spec in data.get("users", [])]
    return ProfileLoaded(profile=profile, cases=cases, logins=logins)


def _saved(row: Any) -> Any:
    row.full_clean()
    row.save()
    return row


def _departments_ensure(specs: list[dict[str, Any]]) -> dict[str, Department]:
    found = {d.code: d for d in Department.objects.all()}
    for spec in specs:
        if spec["code"] not in found:
            parent = found[spec["parent"]] if spec.get("parent") else None
            found[spec["code"]] = _saved(
                Department(code=spec["code"], name=spec["name"], parent=parent)
            )
    return found


def _users_ensure(
    specs: list[dict[str, Any]], departments: dict[str, Department]
) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in specs:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            roles = [
                (Role(role), departments[department] if department else None)
                for role, department in ((held.split("@") + [""])[:2] for held in spec["roles"])
            ]
            user = user_create(
                username=spec["username"],
                password=DEMO_PASSWORD,
                full_name=spec.get("full_name", ""),
                email=f"{spec['username']}@demo.minsheng.example.cn",
                roles=roles,
            )
        users[spec["username"]] = user
    return users


def _categories_ensure(
    specs: list[dict[str, Any]], departments: dict[str, Department]
) -> dict[str, Category]:
    """Categories by path ("L1/L2"), each under its parent path."""
    found: dict[str, Category] = {}
    for spec in specs:
        path = spec["path"]
        parent_path, _slash, name = path.rpartition("/")
        parent = found[parent_path] if parent_path else None
        department = departments[spec["department"]] if spec.get("department") else None
        category = Category.objects.filter(parent=parent, name=name).first()
        if category is None:
            category = _saved(
                Category(
                    name=name,
                    level=path.count("/") + 1,
                    parent=parent,
                    department=department,
                )
            )
        found[path] = category
    return found


def _configure(profile: Profile, categories: dict[str, Category]) -> None:
    """Replace the office's configuration by the profile's."""
    data = profile.data
    settings = {**data.get("office", {}), "profile": profile.name}
    row = Office.objects.first() or Office()
    for field in Office._meta.concrete_fields:
        if not field.primary_key:
            setattr(row, field.name, settings.get(field.name, field.get_default()))
    _saved(row)

    DeadlinePolicy.objects.all().delete()
    ApprovalLevel.objects.all().delete()
    classes: dict[str, CaseClass] = {}
    for position, spec in enumerate(data.get("classes", [])):
        case_class = CaseClass.objects.filter(code=spec["code"]).first() or CaseClass(
            code=spec["code"]
        )
        case_class.label = spec["label"]
        case_class.handling = spec.get("handling", "general")
        case_class.position = position
        classes[spec["code"]] = _saved(case_class)
        for number, level in enumerate(spec.get("levels", []), start=1):
            _saved(
                ApprovalLevel(
                    case_class=case_class,
                    level=number,
                    label=level["label"],
                    role=level["role"],
                    amount=level.get("amount"),
                )
            )
    CaseClass.objects.exclude(code__in=classes).filter(case__isnull=True).delete()
    for spec in data.get("policies", []):
        keys = {
            "case_class": classes[spec["class"]] if spec.get("class") else None,
            "category": categories[spec["category"]] if spec.get("category") else None,
        }
        values = {k: v for k, v in spec.items() if k not in ("class", "category")}
        _saved(DeadlinePolicy(**keys, **values))

    reasons: dict[str, RejectionReason] = {}
    for position, spec in enumerate(data.get("rejection_reasons", [])):
        reason = RejectionReason.objects.filter(code=spec["code"]).first() or RejectionReason(
            code=spec["code"]
        )
        reason.label = spec["label"]
        reason.legal_text = spec.get("legal_text", "")
        reason.position = position
        reason.is_active = True
        reasons[spec["code"]] = _saved(reason)
    RejectionReason.objects.exclude(code__in=reasons).update(is_active=False)
    AdmissibilityRule.objects.all().delete()
    for spec in data.get("admissibility", []):
        _saved(
            AdmissibilityRule(
                kind=spec.get("kind", ""),
                max_age_days=spec["max_age_days"],
                reason=reasons[spec["reason"]],
            )
        )
    ExtraField.objects.all().delete()
    for position, spec in enumerate(data.get("extra_fields", [])):
        category = categories[spec["category"]] if spec.get("category") else None
        values = {k: v for k, v in spec.items() if k != "category"}
        _saved(ExtraField(category=category, position=position, **values))
    deadlines_changed()


def _demo_case(
    spec: dict[str, Any],
    *,
    users: dict[str, User],
    departments: dict[str, Department],
    categories: dict[str, Category],
) -> Case:
    """Register one demo case and take its steps: each `[who, action, {inputs}]`."""
    people = [PersonInput(**person) for person in spec.get("people", [])]
    occurred_days = spec.get("occurred_days_ago")
    submission = Submission(
        kind=spec["kind"],
        subject=spec["subject"],
        body=spec["body"],
        channel=spec.get("channel", "phone"),
        respondent=spec.get("respondent", ""),
        location=spec.get("location", ""),
        category=categories[spec["category"]] if spec.get("category") else None,
        case_class=CaseClass.objects.get(code=spec["class"]) if spec.get("class") else None,
        extra=spec.get("extra", {}),
        regulator_reference=spec.get("regulator_reference", ""),
        occurred_at=timezone.now() - timedelta(days=occurred_days) if occurred_days else None,
        is_anonymous=not people,
        people=people,
    )
    case = case_create(submission=submission, actor=None).case
    for who, action, inputs in spec.get("steps", []):
        actor = Citizen(case_id=case.pk) if who == CITIZEN else users[who]
        perform(
            case=case,
            action=action,
            actor=actor,
            **_inputs(inputs, departments=departments, categories=categories),
        )
    return case


def _inputs(
    raw: dict[str, Any],
    *,
    departments: dict[str, Department],
    categories: dict[str, Category],
) -> dict[str, Any]:
    """A step's inputs as `perform` takes them: codes and paths turned into rows."""
    inputs = dict(raw)
    if "department" in inputs:
        inputs["department"] = departments[inputs["department"]]
    if "co_departments" in inputs:
        inputs["co_departments"] = [departments[code] for code in inputs["co_departments"]]
    if "category" in inputs:
        inputs["category"] = categories[inputs["category"]]
    if "case_class" in inputs:
        inputs["case_class"] = CaseClass.objects.get(code=inputs["case_class"])
    if "reason" in inputs:
        reason = RejectionReason.objects.filter(code=inputs["reason"]).first()
        if reason is None:
            raise ValidationError({"reason": [f"no rejection reason {inputs['reason']!r}"]})
        inputs["reason"] = reason
    return inputs
