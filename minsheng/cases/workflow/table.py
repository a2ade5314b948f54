"""THE lifecycle table: every action (from which states, to which, by whom, with which
inputs, what it does to the deadlines, what the complainant reads of it, which messages it
causes, which queue it is waited for in) and every other timeline event.

Pages, the API, notify, the queues and the docs read this table; none of them keeps its own
list of action names. `manage.py workflow_graph` draws it.
"""

from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role
from minsheng.cases import office
from minsheng.cases.clocks import extend, pause, resume, start, stop
from minsheng.cases.models import LinkKind, MediationOutcome, NoticeKind, Rating, State
from minsheng.cases.office import OptionalStep
from minsheng.cases.workflow import effects, rules
from minsheng.cases.workflow.spec import (
    ALL_STATES,
    ANY_DEPARTMENT,
    CO,
    Act,
    Action,
    Event,
    Input,
    InputKind,
    Queue,
)
from minsheng.deadlines.models import Kind, Severity, Step

R = Role
S = State
N = NoticeKind
OS = OptionalStep
NOTE = Input("note", _("Note"), is_long_text=True)
OPTIONAL_NOTE = Input("note", _("Note"), required=False, is_long_text=True)
STAFF_WRITERS = frozenset({R.INTAKE, R.DISPATCHER, R.HANDLER, R.HEAD, R.SUPERVISOR, R.LEADER})
MERGEABLE = frozenset(
    {State.SUBMITTED, State.NEEDS_INFO, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS}
)
# An approval answers the complainant only when the answer goes out (a major case's first
# approval goes on to the leader instead).
ANSWERED = frozenset({S.REPLIED})
RESULT_TOLD = (N.RESULT, N.SURVEY)
# The roles an approval level may name (`deadlines.ApprovalLevel.role`): a head of the
# department handling the case, or a leader.
APPROVERS = frozenset({R.HEAD, R.LEADER})
# The dispatch and result clocks start once the case is accepted: at once, or when its
# acceptance is approved (立案审批).
DISPATCH_AND_RESULT = (start(Step.DISPATCH), start(Step.RESULT))
WITHOUT_APPROVAL = office.not_using(OS.ACCEPTANCE_APPROVAL)

ACTIONS: dict[Act, Action] = {
    Act.REQUEST_INFO: Action(
        label=_("Request missing material"),
        public_label=_("We asked you for missing material"),
        sources=frozenset({S.SUBMITTED}),
        target=S.NEEDS_INFO,
        roles=frozenset({R.INTAKE}),
        inputs=(NOTE,),
        note_label=_("What material is missing"),
        clocks=(pause(Step.REVIEW),),
        is_public=True,
        note_for_complainant=True,
        notices=(N.INFO_REQUESTED,),
        queue=Queue.REVIEW,
        condition=rules.info_not_yet_requested,
        effect=effects.request_info,
    ),
    Act.SUPPLEMENT: Action(
        label=_("Supply material"),
        public_label=_("Material supplied"),
        sources=frozenset({S.NEEDS_INFO}),
        target=S.SUBMITTED,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(NOTE,),
        note_label=_("The material supplied"),
        clocks=(resume(Step.REVIEW),),
        is_public=True,
        note_for_complainant=True,
    ),
    Act.ACCEPT: Action(
        label=_("Accept"),
        public_label=_("Your matter was accepted"),
        sources=frozenset({S.SUBMITTED}),
        target=S.ACCEPTED,
        roles=frozenset({R.INTAKE}),
        inputs=(
            Input("kind", _("Kind"), InputKind.CHOICE, required=False, choices=Kind),
            Input("severity", _("Severity"), InputKind.CHOICE, required=False, choices=Severity),
            Input("case_class", _("Class"), InputKind.CASE_CLASS, required=False),
            Input("category", _("Category"), InputKind.CATEGORY, required=False),
            OPTIONAL_NOTE,
        ),
        clocks=(
            stop(Step.REVIEW),
            start(Step.DISPATCH, when=WITHOUT_APPROVAL),
            start(Step.RESULT, when=WITHOUT_APPROVAL),
            start(Step.ACCEPTANCE, when=office.using(OS.ACCEPTANCE_APPROVAL)),
        ),
        is_public=True,
        notices=(N.ACCEPTED,),
        notices_into=frozenset({S.ACCEPTED}),
        queue=Queue.REVIEW,
        choose=effects.accept_target,
        choices_of_target=frozenset({S.ACCEPTED, S.PENDING_ACCEPTANCE}),
        effect=effects.accept,
    ),
    # 立案审批: where the office uses it, a head approves each acceptance before dispatch.
    Act.APPROVE_ACCEPTANCE: Action(
        label=_("Approve the acceptance"),
        public_label=_("Your matter was accepted"),
        sources=frozenset({S.PENDING_ACCEPTANCE}),
        target=S.ACCEPTED,
        roles=office.ACCEPTANCE_APPROVERS,
        roles_from=office.acceptance_roles,
        step=OS.ACCEPTANCE_APPROVAL,
        inputs=(OPTIONAL_NOTE,),
        clocks=(stop(Step.ACCEPTANCE), *DISPATCH_AND_RESULT),
        is_public=True,
        notices=(N.ACCEPTED,),
        queue=Queue.ACCEPTANCE,
    ),
    Act.REFUSE_ACCEPTANCE: Action(
        label=_("Send the acceptance back"),
        sources=frozenset({S.PENDING_ACCEPTANCE}),
        target=S.SUBMITTED,
        roles=office.ACCEPTANCE_APPROVERS,
        roles_from=office.acceptance_roles,
        step=OS.ACCEPTANCE_APPROVAL,
        inputs=(NOTE,),
        note_label=_("Why the case is not to be accepted as it stands"),
        clocks=(stop(Step.ACCEPTANCE), start(Step.REVIEW)),
        queue=Queue.ACCEPTANCE,
    ),
    # 初步反馈: where the office uses it, the complainant hears from us within its own time.
    Act.FEEDBACK: Action(
        label=_("Give the first feedback"),
        public_label=_("First feedback on your matter"),
        sources=frozenset(
            {S.SUBMITTED, S.PENDING_ACCEPTANCE, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}
        ),
        target=None,
        roles=frozenset({R.INTAKE, R.HANDLER, R.HEAD}),
        step=OS.FEEDBACK,
        inputs=(NOTE,),
        note_label=_("Feedback to the complainant"),
        clocks=(stop(Step.FEEDBACK),),
        is_public=True,
        note_for_complainant=True,
        notices=(N.PROGRESS,),
        takes_knowledge_entry=True,
        condition=rules.feedback_not_given,
        effect=effects.feedback,
    ),
    Act.REJECT: Action(
        label=_("Reject"),
        public_label=_("Your matter cannot be taken up"),
        sources=frozenset({S.SUBMITTED}),
        target=S.REJECTED,
        roles=frozenset({R.INTAKE}),
        inputs=(
            Input("reason", _("Ground for rejection"), InputKind.REJECTION_REASON, required=False),
            NOTE,
        ),
        note_label=_("Reason for rejection"),
        is_public=True,
        note_for_complainant=True,
        notices=(N.REJECTED,),
        queue=Queue.REVIEW,
        check=rules.check_reject,
        effect=effects.reject,
    ),
    Act.TRANSFER: Action(
        label=_("Transfer to the competent body"),
        public_label=_("Passed on to the body that can act on it"),
        sources=frozenset({S.SUBMITTED}),
        target=S.TRANSFERRED,
        roles=frozenset({R.INTAKE}),
        inputs=(
            Input("body", _("Competent body")),
            Input("consent", _("The complainant agrees to the transfer"), InputKind.BOOL),
            OPTIONAL_NOTE,
        ),
        is_public=True,
        notices=(N.TRANSFERRED,),
        queue=Queue.REVIEW,
        check=rules.check_transfer,
        effect=effects.transfer,
    ),
    Act.ANSWER: Action(
        label=_("Answer at intake"),
        public_label=_("We answered you"),
        sources=frozenset({S.SUBMITTED}),
        target=S.REPLIED,
        roles=frozenset({R.INTAKE}),
        inputs=(NOTE,),
        note_label=_("Answer"),
        is_public=True,
        note_for_complainant=True,
        notices=RESULT_TOLD,
        notices_into=ANSWERED,
        queue=Queue.REVIEW,
        takes_knowledge_entry=True,
        condition=rules.is_inquiry,
        effect=effects.answer,
    ),
    Act.ASSIGN: Action(
        label=_("Assign to a department"),
        public_label=_("Passed to the office responsible"),
        sources=frozenset({S.ACCEPTED}),
        target=S.ASSIGNED,
        # The system assigns by an auto-dispatch policy (minsheng.dispatch).
        roles=frozenset({R.DISPATCHER, R.SYSTEM}),
        inputs=(
            Input("department", _("Lead department"), InputKind.DEPARTMENT),
            Input(
                "co_departments",
                _("Co-handling departments"),
                InputKind.DEPARTMENTS,
                required=False,
            ),
            OPTIONAL_NOTE,
        ),
        clocks=(stop(Step.DISPATCH), start(Step.PLAN)),
        is_public=True,
        notices=(N.ASSIGNED,),
        queue=Queue.DISPATCH,
        check=rules.check_assign,
        effect=effects.assign,
    ),
    # A dispatcher corrects an assignment (an automatic one, minsheng.dispatch) before the
    # department signs: the new department gets its own time to plan, as after a return.
    Act.REASSIGN: Action(
        label=_("Re-assign to another department"),
        public_label=_("Passed to the office responsible"),
        sources=frozenset({S.ASSIGNED}),
        target=S.ASSIGNED,
        roles=frozenset({R.DISPATCHER}),
        inputs=(
            Input("department", _("Lead department"), InputKind.DEPARTMENT),
            Input(
                "co_departments",
                _("Co-handling departments"),
                InputKind.DEPARTMENTS,
                required=False,
            ),
            NOTE,
        ),
        note_label=_("Why the case goes to another department"),
        clocks=(start(Step.PLAN),),
        is_public=True,
        notices=(N.ASSIGNED,),
        check=rules.check_reassign,
        effect=effects.assign,
    ),
    Act.SIGN: Action(
        label=_("Sign for the case"),
        public_label=_("The office responsible has taken it up"),
        sources=frozenset({S.ASSIGNED}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(OPTIONAL_NOTE,),
        # Without a handling plan, signing for the case is the whole of that step.
        clocks=(stop(Step.PLAN, when=office.not_using(OS.PLAN)),),
        is_public=True,
        queue=Queue.SIGN,
        effect=effects.sign,
    ),
    Act.RETURN: Action(
        label=_("Return as not ours"),
        sources=frozenset({S.ASSIGNED}),
        target=S.ACCEPTED,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        note_label=_("Why this is not your department's case"),
        # The result clock keeps running: a case must not gain time by bouncing around.
        clocks=(stop(Step.PLAN), start(Step.DISPATCH)),
        queue=Queue.SIGN,
        condition=rules.may_return,
        effect=effects.return_,
    ),
    Act.PLAN: Action(
        label=_("Write the handling plan"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        step=OS.PLAN,
        inputs=(NOTE,),
        note_label=_("Handling plan"),
        clocks=(stop(Step.PLAN),),
        queue=Queue.IN_PROGRESS,
        effect=effects.plan,
    ),
    Act.PROGRESS: Action(
        label=_("Send a progress message"),
        public_label=_("News on the progress"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        note_label=_("Progress message to the complainant"),
        is_public=True,
        note_for_complainant=True,
        notices=(N.PROGRESS,),
        queue=Queue.IN_PROGRESS,
        takes_knowledge_entry=True,
    ),
    # 补充材料告知书: handling waits for the complainant's further evidence.
    Act.EVIDENCE_REQUEST: Action(
        label=_("Request further evidence"),
        public_label=_("We asked you for further evidence"),
        sources=frozenset({S.IN_PROGRESS}),
        target=S.AWAITING_EVIDENCE,
        roles=frozenset({R.HANDLER, R.HEAD}),
        step=OS.EVIDENCE_REQUEST,
        inputs=(NOTE,),
        note_label=_("What evidence is needed, and by when"),
        clocks=(pause(Step.RESULT),),
        is_public=True,
        note_for_complainant=True,
        notices=(N.INFO_REQUESTED,),
        queue=Queue.IN_PROGRESS,
    ),
    Act.EVIDENCE_SUPPLY: Action(
        label=_("Record the evidence supplied"),
        public_label=_("Evidence supplied"),
        sources=frozenset({S.AWAITING_EVIDENCE}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.PUBLIC, R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        note_label=_("The evidence supplied"),
        clocks=(resume(Step.RESULT),),
        is_public=True,
        note_for_complainant=True,
        queue=Queue.IN_PROGRESS,
    ),
    Act.NOTE: Action(
        label=_("Add an internal note"),
        sources=ALL_STATES - {S.ARCHIVED},
        target=None,
        roles=STAFF_WRITERS,
        scope=ANY_DEPARTMENT,
        inputs=(NOTE,),
    ),
    Act.CO_REPORT: Action(
        label=_("Report the co-handling part"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        scope=CO,
        inputs=(NOTE,),
        note_label=_("Your department's part"),
    ),
    Act.EXTENSION_REQUEST: Action(
        label=_("Request an extension"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HEAD}),
        inputs=(Input("amount", _("Extra time (in the deadline's unit)"), InputKind.INT), NOTE),
        note_label=_("Reason for the extension"),
        queue=Queue.IN_PROGRESS,
        condition=rules.no_pending_extension,
        check=rules.check_positive_amount,
        effect=effects.extension_request,
    ),
    Act.EXTENSION_APPROVE: Action(
        label=_("Approve the extension"),
        public_label=_("The time limit was extended"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.SUPERVISOR}),
        inputs=(OPTIONAL_NOTE,),
        clocks=(extend(Step.RESULT),),
        is_public=True,
        queue=Queue.IN_PROGRESS,
        condition=rules.has_pending_extension,
        effect=effects.extension_approve,
    ),
    Act.EXTENSION_REFUSE: Action(
        label=_("Refuse the extension"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.SUPERVISOR}),
        inputs=(NOTE,),
        note_label=_("Reason for refusing"),
        queue=Queue.IN_PROGRESS,
        condition=rules.has_pending_extension,
        effect=effects.extension_refuse,
    ),
    Act.MEDIATE: Action(
        label=_("Record a mediation"),
        public_label=_("Mediation"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(
            Input("outcome", _("Outcome"), InputKind.CHOICE, choices=MediationOutcome),
            Input("parties", _("Parties to the agreement"), required=False),
            Input("copies", _("Copies of the agreement"), InputKind.INT, required=False),
            Input(
                "follow_up_days",
                _("Follow up fulfilment after (days)"),
                InputKind.INT,
                required=False,
            ),
            NOTE,
        ),
        note_label=_("Terms agreed, or why mediation failed and where to go next"),
        is_public=True,
        note_for_complainant=True,
        check=rules.check_mediation,
        effect=effects.mediate,
    ),
    Act.SUBMIT_RESULT: Action(
        label=_("Submit the result"),
        sources=frozenset({S.IN_PROGRESS}),
        target=S.PENDING_APPROVAL,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(
            Input("facts", _("Facts found"), is_long_text=True),
            Input("basis", _("Legal or policy basis"), is_long_text=True),
            Input("measures", _("Measures taken"), is_long_text=True),
            Input("outcome", _("Outcome"), is_long_text=True),
            Input("remedy", _("Remedy path"), is_long_text=True),
            Input("remedy_days", _("Days to seek a remedy"), InputKind.INT),
        ),
        clocks=(start(Step.APPROVAL),),
        queue=Queue.IN_PROGRESS,
        takes_knowledge_entry=True,
        condition=rules.has_plan,
        check=rules.check_result,
        effect=effects.submit_result,
    ),
    # The office's approval chain (`cases.office.approval_chain`: by default the head, and a
    # leader after them for a major case; a case class may name up to three levels, each
    # with its role and its own clock). The first level approves from pending_approval, the
    # later ones from pending_leader_approval; the last one sends the answer out.
    Act.APPROVE: Action(
        label=_("Approve the result"),
        public_label=_("The answer was approved"),
        sources=frozenset({S.PENDING_APPROVAL}),
        target=None,
        roles=APPROVERS,
        roles_from=office.approval_roles,
        inputs=(OPTIONAL_NOTE,),
        clocks=(start(Step.APPROVAL),),
        is_public=True,
        notices=RESULT_TOLD,
        notices_into=ANSWERED,
        queue=Queue.APPROVAL,
        choose=effects.approve_target,
        choices_of_target=frozenset({S.REPLIED, S.PENDING_LEADER_APPROVAL}),
        effect=effects.approve,
    ),
    Act.SEND_BACK: Action(
        label=_("Send the result back"),
        sources=frozenset({S.PENDING_APPROVAL}),
        target=S.IN_PROGRESS,
        roles=APPROVERS,
        roles_from=office.approval_roles,
        inputs=(NOTE,),
        note_label=_("What must change"),
        clocks=(stop(Step.APPROVAL),),
        queue=Queue.APPROVAL,
        effect=effects.sent_back,
    ),
    Act.LEADER_APPROVE: Action(
        label=_("Approve as leader"),
        public_label=_("The answer was approved by the leadership"),
        sources=frozenset({S.PENDING_LEADER_APPROVAL}),
        target=None,
        roles=APPROVERS,
        roles_from=office.approval_roles,
        inputs=(OPTIONAL_NOTE,),
        clocks=(start(Step.APPROVAL),),
        is_public=True,
        notices=RESULT_TOLD,
        notices_into=ANSWERED,
        queue=Queue.APPROVAL,
        choose=effects.approve_target,
        choices_of_target=frozenset({S.REPLIED, S.PENDING_LEADER_APPROVAL}),
        effect=effects.approve,
    ),
    Act.LEADER_SEND_BACK: Action(
        label=_("Send back as leader"),
        sources=frozenset({S.PENDING_LEADER_APPROVAL}),
        target=S.IN_PROGRESS,
        roles=APPROVERS,
        roles_from=office.approval_roles,
        inputs=(NOTE,),
        note_label=_("What must change"),
        clocks=(stop(Step.APPROVAL),),
        queue=Queue.APPROVAL,
        effect=effects.sent_back,
    ),
    Act.RATE: Action(
        label=_("Rate the answer"),
        public_label=_("The answer was rated"),
        sources=frozenset({S.REPLIED}),
        target=None,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(Input("rating", _("Rating"), InputKind.CHOICE, choices=Rating), OPTIONAL_NOTE),
        is_public=True,
        note_for_complainant=True,
        condition=rules.not_rated,
        choose=effects.rate_target,
        choices_of_target=frozenset({S.REPLIED, S.CLOSED}),
        effect=effects.rate,
    ),
    Act.APPEAL: Action(
        label=_("Appeal"),
        public_label=_("A review was asked for"),
        sources=frozenset({S.REPLIED}),
        target=S.UNDER_REVIEW,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(NOTE,),
        note_label=_("Why you are not satisfied"),
        clocks=(start(Step.REVIEW),),
        is_public=True,
        note_for_complainant=True,
        condition=rules.may_appeal,
    ),
    Act.REVIEW_REDO: Action(
        label=_("Order the case redone"),
        public_label=_("Review decided: the matter is handled again"),
        sources=frozenset({S.UNDER_REVIEW}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.SUPERVISOR, R.LEADER}),
        inputs=(NOTE,),
        note_label=_("Decision and what must be redone"),
        clocks=(stop(Step.REVIEW), start(Step.RESULT)),
        is_public=True,
        note_for_complainant=True,
        notices=(N.APPEAL_OUTCOME,),
        queue=Queue.APPEALS,
        effect=effects.review_redo,
    ),
    Act.REVIEW_UPHOLD: Action(
        label=_("Uphold the answer"),
        public_label=_("Review decided: the answer stands"),
        sources=frozenset({S.UNDER_REVIEW}),
        target=S.CLOSED,
        roles=frozenset({R.SUPERVISOR, R.LEADER}),
        inputs=(NOTE,),
        note_label=_("Reasons for upholding the answer"),
        is_public=True,
        note_for_complainant=True,
        notices=(N.APPEAL_OUTCOME,),
        queue=Queue.APPEALS,
        effect=effects.closed,
    ),
    Act.CLOSE: Action(
        label=_("Close"),
        public_label=_("Case closed"),
        sources=frozenset({S.REPLIED}),
        target=S.CLOSED,
        roles=frozenset({R.INTAKE, R.SUPERVISOR}),
        inputs=(OPTIONAL_NOTE,),
        is_public=True,
        condition=rules.appeal_window_over,
        effect=effects.closed,
    ),
    Act.ARCHIVE: Action(
        label=_("Archive"),
        sources=frozenset({S.CLOSED, S.REJECTED, S.TRANSFERRED, S.MERGED}),
        target=S.ARCHIVED,
        # The system archives closed cases after the retention policy's days.
        roles=frozenset({R.SUPERVISOR, R.ADMIN, R.SYSTEM}),
        inputs=(OPTIONAL_NOTE,),
        condition=rules.regulator_answered,
    ),
    # An archived case is read-only but for the auditor's notes.
    Act.AUDIT_NOTE: Action(
        label=_("Add an audit note"),
        sources=ALL_STATES,
        target=None,
        roles=frozenset({R.AUDITOR}),
        inputs=(NOTE,),
        note_label=_("Audit note"),
    ),
    Act.MERGE: Action(
        label=_("Merge into another case"),
        public_label=_("Handled together with the same matter"),
        sources=MERGEABLE,
        target=S.MERGED,
        roles=frozenset({R.INTAKE, R.DISPATCHER, R.SUPERVISOR}),
        inputs=(Input("into", _("Merge into case number"), InputKind.CASE), OPTIONAL_NOTE),
        is_public=True,
        check=rules.check_merge,
        effect=effects.merge,
    ),
    Act.LINK: Action(
        label=_("Link to another case"),
        sources=ALL_STATES - {S.ARCHIVED},
        target=None,
        roles=frozenset({R.INTAKE, R.DISPATCHER, R.SUPERVISOR}),
        inputs=(
            Input("other", _("Other case number"), InputKind.CASE),
            Input("kind", _("Kind"), InputKind.CHOICE, choices=LinkKind),
        ),
        check=rules.check_other_case,
        effect=effects.link,
    ),
    # 监管转办: the regulator that transferred a complaint is owed an answer by its own clock,
    # which runs on after the complainant is answered.
    Act.REGULATOR_ANSWER: Action(
        label=_("Answer the regulator"),
        sources=ALL_STATES - {S.ARCHIVED},
        target=None,
        roles=frozenset({R.INTAKE, R.SUPERVISOR, R.HEAD}),
        inputs=(NOTE,),
        note_label=_("The answer sent to the regulator"),
        clocks=(stop(Step.REGULATOR),),
        condition=rules.regulator_owed_answer,
        effect=effects.regulator_answer,
    ),
}

# Timeline events that are not lifecycle actions: written by `cases.services` (and, for
# `merged_in`, by the merge action on the other case) through `events.event_record`.
EVENTS: dict[Act, Event] = {
    Act.REGISTER: Event(
        label=_("Matter received"),
        public_label=_("We received your matter"),
        is_public=True,
        notices=(N.RECEIPT,),
    ),
    Act.MERGED_IN: Event(label=_("Another case was merged into this one")),
    Act.COLLECTIVE_FLAGGED: Event(label=_("Flagged as a collective complaint")),
    Act.COMPLAINANT_MESSAGE: Event(
        label=_("Message from the complainant"),
        public_label=_("Your message"),
        is_public=True,
        note_for_complainant=True,
    ),
    Act.FILES_ADDED: Event(
        label=_("Files added"), public_label=_("Files were added"), is_public=None
    ),
    Act.NOTIFIED: Event(label=_("Message delivered"), is_announced=False),
    Act.NOTIFY_FAILED: Event(label=_("Message could not be delivered"), is_announced=False),
    # data: notice (id), number, level, department (id), notify (user ids to tell, on the
    # first case's line only), and per action: due_at, escalated_to, files.
    Act.NOTICE_ISSUED: Event(label=_("Supervision notice issued"), notices=(N.SUPERVISION,)),
    Act.NOTICE_ACKNOWLEDGED: Event(label=_("Supervision notice acknowledged")),
    Act.NOTICE_ANSWERED: Event(label=_("Supervision notice answered")),
    Act.NOTICE_SENT_BACK: Event(
        label=_("Supervision notice answer sent back"), notices=(N.SUPERVISION,)
    ),
    Act.NOTICE_CLOSED: Event(label=_("Supervision notice closed")),
    Act.NOTICE_ESCALATED: Event(label=_("Supervision notice escalated")),
    Act.NOTICE_DUE_SOON: Event(label=_("Supervision notice due soon"), notices=(N.SUPERVISION,)),
    Act.NOTICE_OVERDUE: Event(label=_("Supervision notice overdue"), notices=(N.SUPERVISION,)),
    # data: outcome (reached, unreachable, refused), attempt, and once reached: rating,
    # is_explained, is_timely.
    Act.RETURN_VISIT: Event(label=_("Return visit")),
    # data: agreement (id), and copies and times, or fulfilment (never the names: staff who
    # may not see who complained read the timeline).
    Act.MEDIATION_SIGNED: Event(
        label=_("Mediation agreement signed"),
        public_label=_("The mediation agreement was signed"),
        is_public=True,
    ),
    Act.MEDIATION_FOLLOWED_UP: Event(label=_("Fulfilment of the agreement followed up")),
    # data: result (id), signed_at.
    Act.RESULT_SIGNED: Event(
        label=_("The customer signed the result"),
        public_label=_("You signed the result"),
        is_public=True,
    ),
    # data: enforcement (id), number.
    Act.ENFORCEMENT_OPENED: Event(label=_("Enforcement case opened")),
}

# Events that cause nothing further (notify's own delivery lines): no consumer hears of them.
UNANNOUNCED = frozenset(str(name) for name, spec in EVENTS.items() if not spec.is_announced)


# --- what the satellites read off the table ---------------------------------------------


def spec_for(name: str) -> Event | None:
    """The table row of a timeline event's name (an action or another event), if any."""
    if name in ACTIONS:
        return ACTIONS[Act(name)]
    if name in EVENTS:
        return EVENTS[Act(name)]
    return None


def event_label(name: str) -> str:
    """The translated name of a timeline event, for pages and the API."""
    spec = spec_for(name)
    return str(spec.label) if spec is not None else name


def public_event_label(name: str) -> str:
    """The translated name of a timeline event as the complainant reads it."""
    spec = spec_for(name)
    if spec is None:
        return name
    return str(spec.public_label if spec.public_label is not None else spec.label)


def notices_for(name: str, to_state: str) -> tuple[NoticeKind, ...]:
    """The messages an event of this name causes when it leaves the case in `to_state`."""
    spec = spec_for(name)
    return spec.notices_for(to_state) if spec is not None else ()


def is_note_for_complainant(name: str) -> bool:
    """Whether the complainant may read the note of a (public) event of this name."""
    spec = spec_for(name)
    return spec is not None and spec.note_for_complainant


def public_actions() -> tuple[Act, ...]:
    """The actions the complainant takes (with the query code), in table order."""
    return tuple(name for name, spec in ACTIONS.items() if R.PUBLIC in spec.roles)


def queue_actions(queue: Queue) -> tuple[Act, ...]:
    """The actions a queue's cases wait for, in table order."""
    return tuple(name for name, spec in ACTIONS.items() if spec.queue == queue)


def queue_in_use(queue: Queue) -> bool:
    """Whether the office uses a queue: one of its actions belongs to no optional step, or
    to one the office uses (the acceptance approvals of an office that has none are not a
    tab of anyone's "My work")."""
    return any(
        ACTIONS[name].step is None or office.uses(ACTIONS[name].step)  # type: ignore[arg-type]
        for name in queue_actions(queue)
    )


def queue_roles(queue: Queue) -> frozenset[Role]:
    """Who sees a queue: whoever may take one of its actions."""
    return frozenset(role for name in queue_actions(queue) for role in ACTIONS[name].roles)


def queue_states(queue: Queue) -> frozenset[State]:
    """Which cases a queue holds: those in a state one of its actions starts from."""
    return frozenset(state for name in queue_actions(queue) for state in ACTIONS[name].sources)


def takes_reply_templates(name: str) -> bool:
    """Whether reply templates (答复模板, text written for the complainant) fit the text
    boxes of an action: its note reaches the complainant, or it writes the answer. An
    assignment's or a plan's note is an internal instruction that no template fits."""
    spec = ACTIONS.get(Act(name)) if name in ACTIONS else None
    return spec is not None and (spec.note_for_complainant or spec.takes_knowledge_entry)


def knowledge_entry_actions() -> tuple[Act, ...]:
    """The actions whose text a knowledge base entry can start, in table order."""
    return tuple(name for name, spec in ACTIONS.items() if spec.takes_knowledge_entry)
