"""Spreadsheet import: existing hotline records (xlsx or csv) become cases.

A sheet has one header row and one record per row. A mapping says which column holds which
field (`FIELDS`); without one, `mapping_guess` picks columns by their Chinese or English
header names. `row_read` turns a row into a `Submission` or a list of `Problem`s (row number
as the spreadsheet shows it, the header being row 1). The services in `intake.services` run
a dry run (`sheet_check`) or the import, each good row through `submission_register`.

A row's key makes re-importing harmless: the external id column if mapped and filled
(`ext:<id>`), else a hash of all the row's cells (`hash:<sha256>`); `ImportedRow.key` is
unique.
"""

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.cases.models import Channel, Complainant
from minsheng.cases.services import PersonInput, Submission
from minsheng.deadlines.models import Kind
from minsheng.lib.phones import phone_normalise

# The fields a column can be mapped to, in the order the mapping form shows them.
FIELDS = (
    "external_id",
    "subject",
    "body",
    "name",
    "phone",
    "email",
    "address",
    "location",
    "respondent",
    "time",
    "kind",
    "channel",
)
REQUIRED_FIELDS = ("body",)
# Header names (lower case, spaces removed) that point to each field, Chinese and English.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "工单号", "工单编号", "编号", "来电编号", "流水号", "记录编号", "id", "externalid",
        "ticket", "ticketid", "recordid", "number",
    ),
    "subject": ("标题", "主题", "诉求标题", "事由", "subject", "title"),
    "body": (
        "内容", "诉求内容", "来电内容", "反映内容", "详情", "问题描述", "描述", "body",
        "content", "description", "details", "text",
    ),
    "name": ("姓名", "来电人", "诉求人", "联系人", "市民姓名", "name", "caller", "complainant"),
    "phone": (
        "电话", "联系电话", "手机", "手机号", "来电号码", "phone", "mobile", "telephone", "tel",
    ),
    "email": ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"),
    "address": ("地址", "联系地址", "住址", "address"),
    "location": ("事发地点", "地点", "发生地点", "事发地址", "location", "place"),
    "respondent": ("被投诉单位", "被反映单位", "涉及单位", "被投诉对象", "respondent"),
    "time": (
        "时间", "来电时间", "受理时间", "登记时间", "日期", "发生时间", "time", "date",
        "received", "created", "datetime",
    ),
    "kind": ("类型", "诉求类型", "类别", "性质", "kind", "type"),
    "channel": ("渠道", "来源", "来电渠道", "受理渠道", "channel", "source"),
}  # fmt: skip
KIND_NAMES = {
    "咨询": Kind.INQUIRY,
    "投诉": Kind.COMPLAINT,
    "举报": Kind.REPORT,
    "建议": Kind.SUGGESTION,
    "求助": Kind.HELP,
    "其他": Kind.OTHER,
    "其它": Kind.OTHER,
    "help request": Kind.HELP,
    **{k.value: k for k in Kind},  # inquiry, complaint, report, suggestion, help, other
}
CHANNEL_NAMES = {
    "网站": Channel.WEB,
    "网页": Channel.WEB,
    "电话": Channel.PHONE,
    "热线": Channel.PHONE,
    "12345": Channel.PHONE,
    "hotline": Channel.PHONE,
    "邮件": Channel.EMAIL,
    "电子邮件": Channel.EMAIL,
    "e-mail": Channel.EMAIL,
    "信件": Channel.LETTER,
    "来信": Channel.LETTER,
    "来访": Channel.WALK_IN,
    "走访": Channel.WALK_IN,
    "walk-in": Channel.WALK_IN,
    "visit": Channel.WALK_IN,
    "客户端": Channel.APP,
    **{c.value: c for c in Channel},
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
SUBJECT_MAX = 200
SUBJECT_FROM_BODY = 30
NAME_MAX = 100
# The longest text each field takes (the case and complainant columns' max_length).
TEXT_LIMITS = {"name": NAME_MAX, "phone": 30, "address": 200, "location": 200, "respondent": 200}
# A person who left a number but no name on the hotline (stored data, not interface text).
NO_NAME = "未留姓名"
SUFFIXES = (".csv", ".xlsx")


class SheetError(Exception):
    """The file cannot be read as a sheet at all (wrong type, no header row, broken)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one row (row 1 is the header), named by field."""

    row: int
    field: str
    message: str


@dataclass
class Sheet:
    """A sheet's header row and data rows (row number, cells by header)."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _norm(header: str) -> str:
    return "".join(str(header).split()).lower()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return "" if value is None else value


def _rows_from(cells: Iterable[Iterable[Any]]) -> Sheet:
    iterator: Iterator[Iterable[Any]] = iter(cells)
    try:
        first = [str(_cell(v)) for v in next(iterator)]
    except StopIteration as error:
        raise SheetError(_("The file is empty.")) from error
    headers = [h or f"column {i}" for i, h in enumerate(first, start=1)]
    if not any(first):
        raise SheetError(_("The first row must hold the column names."))
    sheet = Sheet(headers=headers)
    for number, values in enumerate(iterator, start=2):
        row = [_cell(v) for v in values]
        if not any(v != "" for v in row):
            continue  # blank lines are not records
        sheet.rows.append((number, dict(zip(headers, row, strict=False))))
    return sheet


def _csv_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves csv as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(_("The csv file is neither UTF-8 nor GBK text."))


def sheet_read(stream: IO[bytes], *, name: str) -> Sheet:
    """Read a .csv or .xlsx file (the first worksheet). Raises SheetError if it can't."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError(_("Upload a .xlsx or .csv file."))
    data = stream.read()
    if suffix == ".csv":
        text = _csv_text(data)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return _rows_from(csv.reader(io.StringIO(text, newline=""), dialect))
    from openpyxl import load_workbook  # imported here: only the xlsx path needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise SheetError(_("The file is not a readable .xlsx workbook.")) from error
    try:
        worksheet = workbook.worksheets[0]
        return _rows_from(worksheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def mapping_guess(headers: list[str]) -> dict[str, str]:
    """Field -> column for the columns whose names say what they hold."""
    mapping: dict[str, str] = {}
    for name in FIELDS:
        wanted = HEADER_NAMES[name]
        for header in headers:
            if _norm(header) in wanted and header not in mapping.values():
                mapping[name] = header
                break
    return mapping


def mapping_parse(text: str) -> dict[str, str]:
    """`subject=标题,body=内容` as a mapping. Raises ValueError naming a bad part."""
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, column = part.partition("=")
        if not sep or name.strip() not in FIELDS or not column.strip():
            raise ValueError(
                _("%(part)s: write field=column, fields are %(fields)s")
                % {"part": part, "fields": ", ".join(FIELDS)}
            )
        mapping[name.strip()] = column.strip()
    return mapping


def mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[Problem]:
    """What is wrong with a mapping for this sheet (reported on row 1, the header)."""
    problems = [
        Problem(1, name, _("No column is mapped to this field."))
        for name in REQUIRED_FIELDS
        if not mapping.get(name)
    ]
    problems += [
        Problem(1, name, _("There is no column %(column)s.") % {"column": column})
        for name, column in mapping.items()
        if column and column not in headers
    ]
    return problems


def row_key(cells: dict[str, Any], mapping: dict[str, str]) -> str:
    """The key that makes re-importing a row harmless (see the module docstring)."""
    external = str(cells.get(mapping.get("external_id", ""), "") or "").strip()
    if external:
        return f"ext:{external[:190]}"
    content = "\x1f".join(str(value) for value in cells.values())
    return f"hash:{hashlib.sha256(content.encode('utf-8')).hexdigest()}"


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        for pattern in TIME_FORMATS:
            try:
                moment = datetime.strptime(str(value), pattern)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            raise ValueError(str(value))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the sheet's times are local (Asia/Shanghai)
    return moment


def _choice(value: str, names: dict[str, Any], default: str) -> str | None:
    if not value:
        return default
    found = names.get(value.strip().lower()) or names.get(value.strip())
    return str(found) if found is not None else None


def row_read(
    number: int,
    cells: dict[str, Any],
    mapping: dict[str, str],
    *,
    default_channel: str,
    default_kind: str,
) -> tuple[Submission | None, list[Problem]]:
    """One data row as a Submission, or the problems that stop it (all of them)."""

    def text(name: str) -> str:
        column = mapping.get(name)
        return str(cells.get(column, "") or "").strip() if column else ""

    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(number, name, message))

    body, subject = text("body"), text("subject")
    if not body:
        problem("body", _("This field is required."))
    if len(subject) > SUBJECT_MAX:
        problem("subject", _("Longer than %(count)s characters.") % {"count": SUBJECT_MAX})
    subject = subject or body[:SUBJECT_FROM_BODY]
    kind = _choice(text("kind"), KIND_NAMES, default_kind)
    if kind is None:
        problem("kind", _("Unknown kind %(value)s.") % {"value": text("kind")})
    channel = _choice(text("channel"), CHANNEL_NAMES, default_channel)
    if channel is None:
        problem("channel", _("Unknown channel %(value)s.") % {"value": text("channel")})
    occurred_at = None
    time_column = mapping.get("time")
    raw_time = cells.get(time_column, "") if time_column else ""
    if raw_time not in ("", None):
        try:
            occurred_at = _time(raw_time)
        except ValueError:
            problem("time", _("Not a date and time: %(value)s.") % {"value": raw_time})
    phone, email, address, name = text("phone"), text("email"), text("address"), text("name")
    if phone and not 7 <= len(phone_normalise(phone)) <= 12:
        problem("phone", _("Enter a phone number of 7 to 12 digits."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", _("Enter a valid e-mail address."))
    for name_, limit in TEXT_LIMITS.items():
        if len(text(name_)) > limit:
            problem(name_, _("Longer than %(count)s characters.") % {"count": limit})
    has_contact = bool(phone or email or address)
    if name and not has_contact:
        # Problems are kept on the import job: they name the row, never the person in it.
        problem("phone", _("Give a phone number, e-mail or address."))
    if problems:
        return None, problems
    people = []
    if has_contact:
        contact_by = Complainant.Contact.SMS if phone else Complainant.Contact.EMAIL
        if not (phone or email):
            contact_by = Complainant.Contact.NONE
        people = [
            PersonInput(
                name=name or NO_NAME,
                phone=phone,
                email=email,
                address=address,
                contact_by=contact_by,
            )
        ]
    return (
        Submission(
            kind=str(kind),
            subject=subject,
            body=body,
            channel=str(channel),
            occurred_at=occurred_at,
            location=text("location"),
            respondent=text("respondent"),
            is_anonymous=not people,
            people=people,
        ),
        [],
    )
