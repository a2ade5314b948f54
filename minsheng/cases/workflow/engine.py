"""Asking and doing: which actions an actor may take on a case now (`allowed_actions`,
`why_not`), and taking one (`perform`, the only writer of `case.state`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, Role, User
from minsheng.cases import access, clocks, office
from minsheng.cases.clocks import STOP_ALL
from minsheng.cases.models import Case, CaseEvent, Category, RejectionReason, State
from minsheng.cases.workflow.events import event_record
from minsheng.cases.workflow.spec import (
    RESTING_STATES,
    STEP_STATES,
    Act,
    Action,
    Context,
    Input,
    InputKind,
    TransitionNotAllowed,
)
from minsheng.cases.workflow.table import ACTIONS
from minsheng.deadlines.models import CaseClass

TEXT_MAX = 20000


@dataclass(frozen=True)
class _Held:
    """The roles an actor holds on a case: as lead department, and as co-handler."""

    lead: frozenset[Role]
    co: frozenset[Role]


def _held(actor: access.Actor, case: Case) -> _Held:
    return _Held(
        lead=access.roles_on_case(actor, case),
        co=access.roles_on_case(actor, case, co_department=True),
    )


def _acting_role(spec: Action, held: _Held, case: Case) -> Role | None:
    """The role under which the actor may take `spec` on `case`, if any."""
    if spec.scope.co_department:
        pool = held.co
    elif spec.scope.either:
        pool = held.lead | held.co
    else:
        pool = held.lead
    roles = spec.roles
    if spec.roles_from is not None and case.state in spec.sources:
        # Where the case waits for it, the office's configuration names who (the approval
        # level's role); elsewhere the table's roles answer, so a head asking to approve a
        # case still in progress hears "not now" rather than "never".
        roles = roles & spec.roles_from(case)
    usable = sorted(roles & pool)
    return Role(usable[0]) if usable else None


def _spec(action: str) -> Action | None:
    return ACTIONS[Act(action)] if action in ACTIONS else None


def may_take(case: Case, actor: access.Actor, action: str) -> bool:
    """Whether `actor` holds a role that may take `action` on `case` at all, whatever the
    case's state. Interfaces ask this before they read an action's input, so a reader who
    may never act (an auditor) is refused as such, not told what the input lacks."""
    spec = _spec(action)
    return spec is not None and _acting_role(spec, _held(actor, case), case) is not None


def why_not(
    case: Case,
    actor: access.Actor,
    action: str,
    *,
    now: datetime | None = None,
    held: _Held | None = None,
) -> str | None:
    """Why `actor` may not take `action` on `case` now, or None if they may."""
    spec = _spec(action)
    if spec is None:
        return _("Unknown action.")
    if _acting_role(spec, held or _held(actor, case), case) is None:
        return _("You may not take this action on this case.")
    if case.state not in spec.sources:
        return _("Not possible while the case is %(state)s.") % {"state": State(case.state).label}
    if (
        spec.step is not None
        and STEP_STATES.get(State(case.state)) != spec.step
        and not office.uses(spec.step)
    ):
        return _("This office does not use this step.")
    if spec.condition is not None:
        return spec.condition(case, now or timezone.now())
    return None


def allowed_actions(case: Case, actor: access.Actor) -> list[str]:
    """The actions `actor` may take on `case` now. Pages draw their buttons from this and
    the API lists it; nothing else decides it."""
    now = timezone.now()
    held = _held(actor, case)
    return [str(name) for name in ACTIONS if why_not(case, actor, name, now=now, held=held) is None]


def _clean_inputs(spec: Action, raw: dict[str, Any]) -> dict[str, Any]:
    """Check the inputs' presence and types; raise ValidationError naming each field."""
    known = {i.name for i in spec.inputs}
    errors: dict[str, list[str]] = {
        name: [_("This action takes no field of this name.")] for name in raw if name not in known
    }
    clean: dict[str, Any] = {}
    for spec_input in spec.inputs:
        value = raw.get(spec_input.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if spec_input.required:
                errors[spec_input.name] = [_("This field is required.")]
            clean[spec_input.name] = value
            continue
        problem = _type_problem(spec_input, value)
        if problem:
            errors[spec_input.name] = [problem]
        clean[spec_input.name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _type_problem(spec_input: Input, value: Any) -> str | None:
    kind = spec_input.kind
    if kind == InputKind.TEXT and not isinstance(value, str):
        return _("Enter text.")
    if kind == InputKind.TEXT and len(value) > TEXT_MAX:
        return _("This text is too long.")
    if kind == InputKind.INT and (isinstance(value, bool) or not isinstance(value, int)):
        return _("Enter a whole number.")
    if kind == InputKind.BOOL and not isinstance(value, bool):
        return _("Enter yes or no.")
    if kind == InputKind.CHOICE and spec_input.choices and value not in spec_input.choices.values:
        return _("Choose one of: %(choices)s.") % {"choices": ", ".join(spec_input.choices.values)}
    if kind == InputKind.DEPARTMENT and not isinstance(value, Department):
        return _("Choose a department.")
    if kind == InputKind.DEPARTMENTS and not all(isinstance(v, Department) for v in value):
        return _("Choose departments.")
    if kind == InputKind.CASE and not isinstance(value, Case):
        return _("Choose a case.")
    if kind == InputKind.CATEGORY and not isinstance(value, Category):
        return _("Choose a category.")
    if kind == InputKind.CASE_CLASS and not isinstance(value, CaseClass):
        return _("Choose one of the office's classes.")
    if kind == InputKind.REJECTION_REASON and not isinstance(value, RejectionReason):
        return _("Choose one of the office's rejection reasons.")
    return None


def _event_data(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as JSON for the event: objects by their number or id."""
    data: dict[str, Any] = {}
    for name, value in inputs.items():
        if value in (None, "", []) or name == "note":
            continue
        if isinstance(value, Case):
            data[name] = value.number
        elif isinstance(value, CaseClass | RejectionReason):
            data[name] = value.code
        elif isinstance(value, Department):
            data[name] = value.pk
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


@transaction.atomic
def perform(*, case: Case, action: str, actor: access.Actor, **inputs: Any) -> CaseEvent:
    """Take `action` on `case` as `actor`. The only writer of `case.state`.

    1. check the actor may take the action, and that the state and conditions allow it;
    2. check the inputs (ValidationError names the field);
    3. compare and set: move the state and the case's version with a conditional UPDATE on
       the version that was read, so that of two people acting at once (whether or not the
       action changes the state) one wins and the other is told to reload;
    4. apply the action's own writes and its effect on the clocks;
    5. append its CaseEvent (and the lines it causes on other cases).
    """
    now = timezone.now()
    spec = _spec(action)
    if spec is None:
        raise ValidationError({"action": [_("Unknown action.")]})
    name = Act(action)
    current = Case.objects.get(pk=case.pk)
    held = _held(actor, current)
    role = _acting_role(spec, held, current)
    if role is None:
        raise PermissionDenied(_("You may not take this action on this case."))
    reason = why_not(current, actor, action, now=now, held=held)
    if reason is not None:
        raise TransitionNotAllowed(reason)
    clean = _clean_inputs(spec, inputs)
    if spec.check is not None:
        spec.check(current, clean)

    from_state = State(current.state)
    to_state = spec.choose(current, clean) if spec.choose else (spec.target or from_state)
    changed = Case.objects.filter(pk=current.pk, version=current.version).update(
        state=to_state, version=F("version") + 1, updated_at=now
    )
    if changed != 1:
        raise TransitionNotAllowed(_("Someone else changed this case first; reload it."))
    current.refresh_from_db(fields=["state", "version", "updated_at"])

    user = actor if isinstance(actor, User) else None
    ctx = Context(
        case=current,
        actor=actor,
        user=user,
        role=role,
        inputs=clean,
        now=now,
        from_state=from_state,
    )
    if spec.effect is not None:
        spec.effect(ctx)
    effects = spec.clocks
    if to_state in RESTING_STATES and from_state not in RESTING_STATES:
        # Replied, rejected, transferred, merged, closed: nothing is due any more.
        effects = (*effects, STOP_ALL)
    clocks.apply_effects(case=current, effects=effects, now=now, extension=ctx.extension)
    event = event_record(
        case=current,
        act=name,
        actor=user,
        actor_role=role,
        from_state=from_state,
        to_state=to_state,
        note=clean.get("note") or "",
        data={**_event_data({k: v for k, v in clean.items() if k not in ctx.data}), **ctx.data},
        now=now,
    )
    for line in ctx.also:
        event_record(
            case=line.case,
            act=line.act,
            actor=user,
            actor_role=role,
            note=line.note,
            data=line.data,
            now=now,
        )
    case.refresh_from_db()
    return event
