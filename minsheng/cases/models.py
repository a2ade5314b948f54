"""The case (诉求/工单) and what hangs off it: complainants, events, attachments, links,
clocks, results and extension requests; plus the two trees a case is filed under (area and
topic category).

Models hold data. State changes go through `cases.workflow.perform`, other writes through
`cases.services`.
"""

from pathlib import PurePath
from typing import Any, ClassVar
from uuid import uuid4

from django.conf import settings
from django.core.validators import validate_email
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department, Role
from minsheng.deadlines.models import (
    CaseClass,
    Channel,
    DeadlinePolicy,
    Kind,
    Severity,
    Step,
    Unit,
)
from minsheng.lib.crypto import EncryptedTextField


class State(models.TextChoices):
    """Where a case is in its life. `cases.workflow` owns the moves between them."""

    SUBMITTED = "submitted", _("Submitted")  # 待受理
    NEEDS_INFO = "needs_info", _("Awaiting material")  # 待补正
    ACCEPTED = "accepted", _("Accepted")  # 已受理, 待分拨
    REJECTED = "rejected", _("Rejected")  # 不予受理
    TRANSFERRED = "transferred", _("Transferred")  # 已转送
    ASSIGNED = "assigned", _("Assigned")  # 已分拨, 待签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    # Handling waits for the complainant's further evidence (补充材料告知书); the result
    # clock is paused.
    AWAITING_EVIDENCE = "awaiting_evidence", _("Awaiting evidence")  # 待补充材料
    PENDING_ACCEPTANCE = "pending_acceptance", _("Awaiting acceptance approval")  # 待立案审批
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")  # 待审核
    PENDING_LEADER_APPROVAL = "pending_leader_approval", _("Awaiting leader approval")  # 待领导审批
    REPLIED = "replied", _("Replied")  # 已答复
    UNDER_REVIEW = "under_review", _("Under review")  # 复查中
    CLOSED = "closed", _("Closed")  # 已办结
    MERGED = "merged", _("Merged")  # 已并案
    ARCHIVED = "archived", _("Archived")  # 已归档


class Rating(models.TextChoices):
    """The complainant's satisfaction with the answer."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")  # 较满意
    NEUTRAL = "neutral", _("Neutral")  # 一般
    POOR = "poor", _("Poor")  # 较差


DISSATISFIED_RATINGS = frozenset({Rating.NEUTRAL, Rating.POOR})


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    RELATED = "related", _("Related")


class MediationOutcome(models.TextChoices):
    """How a mediation (调解) ended."""

    AGREEMENT = "agreement", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    # A structured close of a failed mediation: the parties were told where to go next.
    ADVISED_ARBITRATION = "advised_arbitration", _("Advised to seek arbitration")  # 建议仲裁
    ADVISED_COURT = "advised_court", _("Advised to go to court")  # 建议诉讼


class NoticeKind(models.TextChoices):
    """What a message is about. The first group goes to the complainant, the second to staff.
    The lifecycle table says which events cause which; notify sends them."""

    RECEIPT = "receipt", _("Matter received")  # 受理回执
    INFO_REQUESTED = "info_requested", _("Material requested")  # 补正告知
    ACCEPTED = "accepted", _("Accepted")  # 受理告知
    REJECTED = "rejected", _("Rejected")  # 不予受理告知
    TRANSFERRED = "transferred", _("Transferred")  # 转送告知
    PROGRESS = "progress", _("Progress message")  # 进展告知
    RESULT = "result", _("Result")  # 答复
    SURVEY = "survey", _("Satisfaction survey")  # 满意度回访
    APPEAL_OUTCOME = "appeal_outcome", _("Appeal outcome")  # 复查结果
    ASSIGNED = "assigned", _("New assignment")  # 新派单 (staff)
    DUE_SOON = "due_soon", _("Due soon")  # 临期提醒 (staff)
    OVERDUE = "overdue", _("Overdue")  # 超期提醒 (staff)
    SUPERVISION = "supervision", _("Supervision notice")  # 督办通知 (staff)


class Area(models.Model):
    """An administrative division: district (区), street (街道) or community (社区)."""

    class Level(models.IntegerChoices):
        DISTRICT = 1, _("District")
        STREET = 2, _("Street")
        COMMUNITY = 3, _("Community")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A topic in the three-level category tree; a category may name the department that
    usually handles it (used for routing suggestions)."""

    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="category_level_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StoredDocument(str):
    """A search document read back from PostgreSQL, in `tsvector`'s own text form
    (`'token':1,5 'other':2`): written back unchanged (reading it costs no parsing)."""


class SearchDocumentField(models.TextField):
    """A keyword-search document (`cases.search.document`: tokens separated by spaces),
    stored as PostgreSQL's `tsvector` with each token at its position, as text on SQLite
    (where an FTS5 index reads it). Read back from PostgreSQL it is a `StoredDocument`, which
    is written back as it is: a case loaded with it (a join does) and saved whole keeps it."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(
        self, value: object, compiler: object, connection: BaseDatabaseWrapper
    ) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(
        self, value: object, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> object:
        if isinstance(value, StoredDocument):
            return str(value)
        value = super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "postgresql" and isinstance(value, str):
            # `'token':position`; tokens are letters and digits only (no quoting needed).
            return " ".join(f"'{t}':{min(k, 16383)}" for k, t in enumerate(value.split(), 1))
        return value

    def from_db_value(
        self, value: str | None, expression: object, connection: BaseDatabaseWrapper
    ) -> str | None:
        if connection.vendor != "postgresql" or value is None:
            return value
        return StoredDocument(value)


@SearchDocumentField.register_lookup
class DocumentMatches(models.Lookup[str]):
    """`search_subject__matches=tsquery` (PostgreSQL): the document holds the query
    (`cases.search.Keyword.as_tsquery`), answered by the column's GIN index."""

    lookup_name = "matches"
    prepare_rhs = False

    def get_db_prep_lookup(
        self, value: str | int, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str | int]]:
        return ("%s", [value])  # the query as it is, not made into a document

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


class CaseManager(models.Manager["Case"]):
    """Cases without their search documents: no page shows them, and the text's is a few
    kilobytes (`Case.SEARCH_DOCUMENTS`; ask for them with `.defer(None)` or `.only`)."""

    def get_queryset(self) -> models.QuerySet["Case"]:
        return super().get_queryset().defer(*Case.SEARCH_DOCUMENTS)


class Case(models.Model):
    """One matter raised by the public (诉求/工单), from submission to archive."""

    number = models.CharField(_("case number"), max_length=24, unique=True)
    query_code_hash = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.GENERAL
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=30, choices=State.choices, default=State.SUBMITTED
    )

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    desired_outcome = models.TextField(_("what the person wants"), blank=True)
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    location = models.CharField(_("where it happened"), max_length=200, blank=True)
    respondent = models.CharField(_("respondent unit"), max_length=200, blank=True)
    respondent_department = models.ForeignKey(
        Department,
        verbose_name=_("respondent department"),
        help_text=_(
            "When the complaint is about one of our departments: it never sees who complained."
        ),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complained_about",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )

    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_collective = models.BooleanField(_("collective complaint"), default=False)
    # The office's class of the case (`deadlines.CaseClass`), when it defines classes;
    # `severity` is then the class's handling.
    case_class = models.ForeignKey(
        CaseClass, verbose_name=_("class"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The office's extra fields for the case's category (`ExtraField`), by code.
    extra = models.JSONField(_("further details"), default=dict, blank=True)
    # A complaint a regulator transferred (监管转办): its reference, and when it was answered.
    regulator_reference = models.CharField(_("regulator's reference"), max_length=60, blank=True)
    regulator_answered_at = models.DateTimeField(_("regulator answered at"), null=True, blank=True)

    department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-handling departments"), blank=True, related_name="co_cases"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    return_count = models.PositiveSmallIntegerField(_("returns by departments"), default=0)
    is_info_requested = models.BooleanField(default=False)
    plan = models.TextField(_("handling plan"), blank=True)
    answer = models.TextField(_("answer given at intake"), blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    rejection_ground = models.ForeignKey(
        "RejectionReason",
        verbose_name=_("ground for rejection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The approval level the result waits at (1 to 3), 0 when none is waiting.
    approval_level = models.PositiveSmallIntegerField(_("approval level"), default=0)
    feedback_at = models.DateTimeField(_("first feedback given at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    appeal_until = models.DateTimeField(_("appeal possible until"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )

    # The earliest running clock, kept by the workflow so lists sort and filter on it.
    next_due_step = models.CharField(max_length=20, choices=Step.choices, blank=True)
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)

    created_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(_("updated at"))
    # Raised by every lifecycle action: `perform` compares and sets it, so of two actions
    # taken at once on the same case only one goes through.
    version = models.PositiveIntegerField(default=0)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # What keyword search finds the case by (`cases.search`): its subject, and its text with
    # the respondent unit and the place, as bigram documents with personal data masked;
    # written at registration. On the case row, so that a match is one visit to the case
    # (GIN indexes on PostgreSQL, an FTS5 index on SQLite: migration 0015). Lists never read
    # them (`CaseManager`).
    search_subject = SearchDocumentField(editable=False, blank=True, default="")
    search_text = SearchDocumentField(editable=False, blank=True, default="")

    SEARCH_DOCUMENTS: ClassVar[tuple[str, str]] = ("search_subject", "search_text")
    objects = CaseManager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="case_state_created"),
            models.Index(fields=["department", "state"], name="case_department_state"),
            models.Index(
                fields=["next_due_at"],
                name="case_open_next_due",
                condition=Q(next_due_at__isnull=False),
            ),
            # The case list at a million cases (see cases/bench.py): newest first, a
            # department's newest first, sorted by due time (all, or in one state).
            models.Index(fields=["-created_at"], name="case_created"),
            models.Index(fields=["department", "-created_at"], name="case_department_created"),
            # A department's cases in a category (a handler's list filtered by category),
            # counted from this index alone: the department's and the category's indexes
            # combined read every matching row (143 ms of SQL at a million cases).
            models.Index(fields=["department", "category"], name="case_department_category"),
            # A department's overdue and due-soon cases (its list, its My work tabs).
            models.Index(fields=["department", "next_due_at"], name="case_department_due"),
            # Sorted by due time, the cases without one come last, newest first
            # (`selectors.case_sections_by_due`): `next_due_at IS NULL` and then the
            # created_at range of a cursor, in the list's order. An index on next_due_at
            # alone answered the first half only, and SQLite took it (an IS NULL lookup
            # looks as narrow as an equality to its planner) and then sorted the 90 % of
            # the table without a due time for every page. Cases with one: case_open_next_due.
            models.Index(fields=["next_due_at", "-created_at"], name="case_due_created"),
            models.Index(fields=["state", "next_due_at"], name="case_state_due"),
            # The archive sweep: ended cases (closed, rejected ...) by when they ended.
            models.Index("state", Coalesce("closed_at", "updated_at"), name="case_state_ended"),
            # Keyword search on PostgreSQL: trigram indexes, migration 0003 (not on SQLite).
        ]

    def __str__(self) -> str:
        return self.number


class Complainant(models.Model):
    """A person who raised the case. A collective complaint has several, some of them
    representatives. Anonymous cases have none."""

    class Contact(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone call")
        NONE = "none", _("No notifications")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="complainants")
    # Encrypted at rest (lib.crypto); exact look-ups go through the keyed hashes
    # (`cases.services.phone_hash`, `email_hash`, `name_hash`).
    name = EncryptedTextField(_("name"), max_length=100)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email = EncryptedTextField(_("e-mail"), max_length=254, blank=True, validators=[validate_email])
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number = EncryptedTextField(_("ID number"), max_length=30, blank=True)
    address = EncryptedTextField(_("address"), max_length=200, blank=True)
    is_representative = models.BooleanField(_("representative"), default=False)
    contact_by = models.CharField(
        _("notify by"), max_length=10, choices=Contact.choices, default=Contact.SMS
    )
    # Set when the retention policy removed the personal data (`complainants_anonymise`).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complainant")
        verbose_name_plural = _("complainants")

    def __str__(self) -> str:
        return str(self.name)


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when, and what they wrote.

    `is_public` events are shown to the complainant. Every workflow action writes exactly
    one event; the event also serves as the outbox for notifications.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_role = models.CharField(max_length=20, blank=True)
    from_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(_("visible to the complainant"), default=False)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Where a file is stored: under a random name with the file's extension, since the
    name people gave it may name them (the name itself is kept encrypted in the row)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case.number}/{uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file that came with the case or was added later (evidence, supplements, scans)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = EncryptedTextField(_("file name"), max_length=200)  # encrypted at rest
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    is_public = models.BooleanField(_("visible to the complainant"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.original_name)


class CaseLink(models.Model):
    """Two cases that are about the same matter (duplicate) or connected (related)."""

    from_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(_("link"), max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="caselink_unique_pair"),
            models.CheckConstraint(
                condition=~Q(from_case=models.F("to_case")), name="caselink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} {self.kind} {self.to_case_id}"


class CaseClock(models.Model):
    """One step of a case running against its deadline (review, dispatch, plan, result).

    The amount is copied from the policy when the clock starts, so editing a policy never
    moves a running deadline. Pauses (waiting for material) and extensions are kept so the
    due time can be recomputed and explained. A clock is open while `stopped_at` is null.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clocks")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField()
    extension = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    # [[paused_at_iso, resumed_at_iso_or_null], ...]
    pauses = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # The deadline policy the amount came from, so a due date can say why: the row (named
    # in the reader's language), and its keys in words in case the row is deleted later.
    deadline_policy = models.ForeignKey(
        DeadlinePolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy = models.CharField(_("deadline policy"), max_length=200, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    overdue_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case clock")
        verbose_name_plural = _("case clocks")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"], name="caseclock_open_due", condition=Q(stopped_at__isnull=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=Q(stopped_at__isnull=True),
                name="caseclock_one_open_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step}"

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None


class CaseResult(models.Model):
    """A department's answer with the five parts the rules require (答复五要素).

    A result that was sent back stays here; the newest one is the current answer.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="results")
    facts = models.TextField(_("facts found"))  # 调查核实的事实
    basis = models.TextField(_("legal or policy basis"))  # 依据
    measures = models.TextField(_("measures taken"))  # 采取的措施
    outcome = models.TextField(_("outcome"))  # 处理结果
    remedy = models.TextField(_("remedy path"))  # 救济途径
    remedy_days = models.PositiveIntegerField(_("remedy deadline (days)"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    submitted_at = models.DateTimeField()
    # The customer's signature on the result (the insurer's 客户签字确认), when it was given.
    customer_signed_at = models.DateTimeField(_("signed by the customer at"), null=True, blank=True)
    customer_signed_name = models.CharField(_("signed by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-submitted_at", "-id"]
        get_latest_by = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} result"


class ExtensionRequest(models.Model):
    """A department head's request for more time on the result (延期申请)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extension_requests")
    amount = models.PositiveIntegerField(_("extra time"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="extensionrequest_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.amount}"


class MediationAgreement(models.Model):
    """A mediation agreement (调解协议书) reached on a case: the parties, the terms, who
    signed and when, how many copies were issued (the agriculture bureau's triplicate), and
    its fulfilment, followed up by a date."""

    class Fulfilment(models.TextChoices):
        PENDING = "pending", _("Not yet followed up")
        FULFILLED = "fulfilled", _("Fulfilled")
        NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mediation_agreements")
    parties = models.TextField(_("parties"))
    terms = models.TextField(_("terms"))
    copies = models.PositiveSmallIntegerField(_("copies"), default=3)
    copies_issued_at = models.DateTimeField(_("copies issued at"), null=True, blank=True)
    signed_by = models.TextField(_("signed by"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    follow_up_by = models.DateTimeField(_("follow up fulfilment by"), null=True, blank=True)
    fulfilment = models.CharField(
        _("fulfilment"), max_length=20, choices=Fulfilment.choices, default=Fulfilment.PENDING
    )
    fulfilment_note = models.TextField(_("fulfilment note"), blank=True)
    fulfilment_checked_at = models.DateTimeField(_("fulfilment checked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} agreement"


class CaseNumberCounter(models.Model):
    """The last case number given out on one day; see `cases.numbering`."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class PersonalDataAccess(models.Model):
    """One look at a complainant's personal data, by whom, when and where (access log)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    purpose = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["case", "at"], name="personaldataaccess_case_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.case_id} {self.at}"


class ReporterGrant(models.Model):
    """A supervisor's permission for one department, or one user, to see who reported
    (举报人) a report-kind case, with the reason and an optional expiry. Revoking sets
    `revoked_at`; a grant is never deleted (`cases.access.can_see_personal_data` reads it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reporter_grants")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter disclosure grant")
        verbose_name_plural = _("reporter disclosure grants")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(department__isnull=False, user__isnull=True)
                    | Q(department__isnull=True, user__isnull=False)
                ),
                name="reportergrant_department_xor_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id or self.user_id}"


# --- The office's process as configuration -------------------------------------------------
# What differs between the offices that run Minsheng (a 12345 centre, a hospital's petition
# office, a labour inspectorate, an insurer ...) is data: which optional steps of the
# lifecycle they use, their case classes and approval levels (`deadlines.CaseClass`), their
# deadline policies, rejection reasons, admissibility rules, extra fields and reception
# information. `cases.workflow` reads it through `cases.selectors.office_get` and friends;
# `manage.py load_profile` loads one office's whole set.


class Office(models.Model):
    """The office that runs this Minsheng: its name, its reception information, and which
    optional steps of the lifecycle it uses. One row; without it, the defaults below (the
    municipal 12345 centre's process)."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    profile = models.SlugField(_("profile"), max_length=40, blank=True)
    reception_place = models.CharField(_("reception place"), max_length=200, blank=True)
    reception_hours = models.CharField(_("reception hours"), max_length=200, blank=True)
    reception_phone = models.CharField(_("reception phone"), max_length=60, blank=True)
    reception_days = models.CharField(
        _("reception days"),
        max_length=200,
        blank=True,
        help_text=_("Days on which leaders receive the public in person."),  # 接待日
    )
    # The kinds and channels the office takes (codes); empty: all of them.
    kinds = models.JSONField(_("kinds used"), default=list, blank=True)
    channels = models.JSONField(_("channels used"), default=list, blank=True)
    uses_acceptance_approval = models.BooleanField(
        _("acceptance approval"),  # 立案审批
        default=False,
        help_text=_("An accepted case waits for a head's approval before it is dispatched."),
    )
    acceptance_role = models.CharField(
        _("who approves acceptance"), max_length=20, choices=Role.choices, default=Role.LEADER
    )
    uses_feedback = models.BooleanField(
        _("first feedback"),
        default=False,
        help_text=_("The complainant gets a first feedback within its own time limit."),
    )
    uses_plan = models.BooleanField(_("handling plan"), default=True)
    uses_evidence_request = models.BooleanField(
        _("request for further evidence"),
        default=False,
        help_text=_("Handling may wait for the complainant's evidence; the result clock pauses."),
    )
    uses_return_visit = models.BooleanField(_("return visit"), default=True)
    departments_see_subtree = models.BooleanField(
        _("departments see their branches"),
        default=False,
        help_text=_("A department's staff see and act on the cases of the departments under it."),
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("office")

    def __str__(self) -> str:
        return self.name or str(_("This office"))


class RejectionReason(models.Model):
    """A ground on which a matter is not taken up, with its legal text (e.g. older than two
    years: 劳动保障监察条例 第二十条), chosen when rejecting and told to the complainant."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("reason"), max_length=200)
    legal_text = models.TextField(_("legal basis"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class AdmissibilityRule(models.Model):
    """A rule checked at registration: a matter of this kind (blank: any) that happened more
    than `max_age_days` before it is registered is not taken up, for `reason`."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    max_age_days = models.PositiveIntegerField(_("at most this many days old"))
    reason = models.ForeignKey(
        RejectionReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("admissibility rule")
        verbose_name_plural = _("admissibility rules")

    def __str__(self) -> str:
        return f"{self.get_kind_display() or '*'} ≤ {self.max_age_days}"


class ExtraField(models.Model):
    """A further detail the office asks for on cases of a category and the categories under
    it (blank: every case): the clinic's procedure, the insurer's policy number."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Whole number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extra_fields",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    is_required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression the text must match."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("extra field")
        verbose_name_plural = _("extra fields")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="extrafield_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label
