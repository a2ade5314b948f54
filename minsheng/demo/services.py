"""The demo data set (DESIGN.md §7): departments, topic categories, areas, one login per
role, and cases in every state, each brought there through `cases.services` and
`cases.workflow.perform` at plausible moments of the last four months.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from random import Random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from minsheng.accounts.models import Department, Role
from minsheng.accounts.services import user_create
from minsheng.api.services import open311_key_create
from minsheng.cases.models import Area, Category, State
from minsheng.deadlines.selectors import calendar_get
from minsheng.demo.catalogue import (
    AREAS,
    CATEGORIES,
    DEMO_OPEN311_KEY,
    DEMO_OPEN311_NAME,
    DEMO_PASSWORD,
    DEPARTMENTS,
    STAFF,
)
from minsheng.demo.scripts import Script, Stage
from minsheng.demo.stories import TIMINGS, stories_plan
from minsheng.supervision.services import watch_run

# The login whose presence means the demo is already loaded.
MARKER_USERNAME = STAFF[0].username


@dataclass(frozen=True)
class DemoLogin:
    """One demo login as the command prints it."""

    username: str
    full_name: str
    role: str
    department: str
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoSummary:
    """What `demo_load` did: whether it loaded anything, the cases per state, the logins."""

    is_new: bool
    cases: int
    per_state: dict[str, int]
    logins: list[DemoLogin]
    open311_key: str = DEMO_OPEN311_KEY


def demo_logins() -> list[DemoLogin]:
    """The demo logins, in the order of DESIGN.md §7."""
    names = {spec.code: spec.name for spec in DEPARTMENTS}
    return [
        DemoLogin(
            username=spec.username,
            full_name=spec.full_name,
            role=str(Role(spec.role).label),
            department=names[spec.department] if spec.department else "",
        )
        for spec in STAFF
    ]


def demo_exists() -> bool:
    """Whether the demo has been loaded into this database already."""
    return get_user_model().objects.filter(username=MARKER_USERNAME).exists()


@transaction.atomic
def demo_load(*, cases: int, seed: int) -> DemoSummary:
    """Load the demo data set unless it is there already; the same seed gives the same data.

    1. departments, topic categories and areas (rows already present are kept);
    2. the demo staff, through `accounts.services.user_create`;
    3. one story per case (or per case and its duplicate), each placed in time;
    4. the stories played in the order they start, every step at its own moment;
    5. one run of the deadline watch (supervision notices by policy, return visits).
    All or nothing: a failure leaves no half demo that would block the next attempt. The
    demo Open311 api_key is ensured on every run (it returns the existing key if present).
    """
    open311_key_create(name=DEMO_OPEN311_NAME, key=DEMO_OPEN311_KEY, actor=None)
    if demo_exists():
        return DemoSummary(is_new=False, cases=0, per_state={}, logins=demo_logins())
    rng = Random(seed)  # noqa: S311 - reproducible demo data, nothing secret
    departments = _departments_ensure()
    stage = Stage(
        staff={
            spec.username: user_create(
                username=spec.username,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                email=f"{spec.username}@demo.minsheng.example.cn",
                roles=[(spec.role, departments[spec.department] if spec.department else None)],
            )
            for spec in STAFF
        },
        departments=departments,
        categories=_categories_ensure(departments),
        communities=_areas_ensure(),
        calendar=calendar_get(),
    )
    now = timezone.now()
    scripts: list[Script] = []
    for story in stories_plan(rng, cases):
        script = Script(stage=stage, rng=rng, story=story)
        earliest_start, first_end, last_end = TIMINGS[story.timing]
        script.build().schedule(
            earliest_start=now - timedelta(days=earliest_start),
            ends=(now - timedelta(days=first_end), now - timedelta(days=last_end)),
        )
        scripts.append(script)
    scripts.sort(key=lambda s: s.play.starts_at)

    per_state: Counter[str] = Counter()
    for script in scripts:
        played = script.play.run()
        for case in played:
            case.refresh_from_db(fields=["state"])
            per_state[case.state] += 1
        stage.latest_by_topic[script.topic.path] = played[0]
    # The deadline watch catches up on the history: notices for overdue cases by policy,
    # return visits for the answered cases to call back.
    watch_run(now=timezone.now())
    return DemoSummary(
        is_new=True,
        cases=sum(per_state.values()),
        per_state={state.value: per_state[state.value] for state in State},
        logins=demo_logins(),
    )


# There are no services yet for creating departments, categories and areas (they are
# configuration an administrator edits in the admin), so the demo writes these rows itself,
# validated like any new row.


def _departments_ensure() -> dict[str, Department]:
    found = {d.code: d for d in Department.objects.filter(code__in=[s.code for s in DEPARTMENTS])}
    for spec in DEPARTMENTS:
        if spec.code not in found:
            department = Department(
                code=spec.code,
                name=spec.name,
                parent=found[spec.parent] if spec.parent else None,
            )
            department.full_clean()
            department.save()
            found[spec.code] = department
    return found


def _category_ensure(
    *, name: str, level: int, parent: Category | None, department: Department
) -> Category:
    category = Category.objects.filter(parent=parent, name=name).first()
    if category is None:
        category = Category(name=name, level=level, parent=parent, department=department)
        category.full_clean()
        category.save()
    elif category.department_id is None:
        category.department = department
        category.save(update_fields=["department"])
    return category


def _categories_ensure(departments: dict[str, Department]) -> dict[str, Category]:
    """The three-level topic tree; returns the third level by "L1/L2/L3" path."""
    leaves: dict[str, Category] = {}
    for l1_name, l1_code, children in CATEGORIES:
        l1 = _category_ensure(name=l1_name, level=1, parent=None, department=departments[l1_code])
        for spec in children:
            department = departments[spec.department or l1_code]
            l2 = _category_ensure(name=spec.name, level=2, parent=l1, department=department)
            for l3_name in spec.children:
                l3 = _category_ensure(name=l3_name, level=3, parent=l2, department=department)
                leaves[f"{l1_name}/{spec.name}/{l3_name}"] = l3
    return leaves


def _area_ensure(*, code: str, name: str, level: int, parent: Area | None) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area(code=code, name=name, level=level, parent=parent)
        area.full_clean()
        area.save()
    return area


def _areas_ensure() -> list[Area]:
    """District → street → community; returns the communities."""
    communities: list[Area] = []
    for district_code, district_name, streets in AREAS:
        district = _area_ensure(code=district_code, name=district_name, level=1, parent=None)
        for s, (street_name, community_names) in enumerate(streets, start=1):
            street_code = f"{district_code}{s:02d}"
            street = _area_ensure(code=street_code, name=street_name, level=2, parent=district)
            for c, community_name in enumerate(community_names, start=1):
                communities.append(
                    _area_ensure(
                        code=f"{street_code}{c:02d}", name=community_name, level=3, parent=street
                    )
                )
    return communities
