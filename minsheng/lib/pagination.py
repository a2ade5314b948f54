"""Paginators for long lists: one that stops counting (at a million rows `SELECT COUNT(*)`
over a filtered list costs more than the page itself, and nobody pages through ten thousand
cases), and keyset pagination by cursor, whose every page costs what the first one does."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Q, QuerySet

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (or as far as the requested page reaches, if further).

    When there are more, `is_capped` is true, `count` is one row past what was counted
    and `num_pages` includes one page beyond, so "Next" keeps working page by page. Show
    the total as "10,000+" then (`count_label`).
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        cap: int = COUNT_CAP,
        parts: Sequence[QuerySet[Any]] = (),
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.is_capped = False
        self._reach = cap
        # Disjoint querysets whose union is the list, counted one after the other in its
        # place when given (`cases.access.cases_visible_parts`): each can be counted from
        # an index where their union cannot.
        self.parts = parts

    def validate_number(self, number: Any) -> int:
        # `page` and `get_page` validate (and so count) first: count as far as asked.
        if "count" not in self.__dict__:
            try:
                wanted = int(number)
            except (TypeError, ValueError):
                wanted = 1
            self._reach = max(self.cap, wanted * self.per_page)
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:
        limit = self._reach + 1
        # On a queryset: COUNT over a LIMITed subquery, unordered (any `limit` rows will
        # do, and the database need not sort or follow an index to find them).
        items: Any = self.object_list
        if self.parts:
            counted = 0
            for part in self.parts:
                if counted < limit:
                    counted += part.order_by()[: limit - counted].count()
        elif isinstance(items, QuerySet) and items._result_cache is None:
            counted = items.order_by()[:limit].count()
        else:
            counted = len(items[:limit])
        self.is_capped = counted >= limit
        return counted

    @property
    def shown_total(self) -> int:
        """The total to show: exact, or the number counted when `is_capped` ("N+")."""
        count = self.count
        return count - 1 if self.is_capped else count


def counts_capped(querysets: Sequence[QuerySet[Any]], *, cap: int) -> list[int]:
    """How many rows each queryset holds, counting at most `cap` + 1 of each (a result above
    `cap` means "more than `cap`"), in one query: each count reads no further than the
    index range that yields its first `cap` + 1 rows."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for number, queryset in enumerate(querysets):
        limited = queryset.order_by().values("pk")[: cap + 1]
        try:
            sql, found = limited.query.get_compiler(using=limited.db).as_sql()
        except EmptyResultSet:  # `.none()`, or a filter on an empty list
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{number})")  # noqa: S608 - compiled ORM SQL, values are parameters
        params.extend(found)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [int(value) for value in row]


# --- keyset pagination ---------------------------------------------------------------------
#
# OFFSET pagination reads and throws away every row before the page: page 500 of a
# department's list sorted 12,500 rows to show 25. Keyset pagination asks for the rows after
# the last one shown (`created_at < x OR (created_at = x AND id < y)`), which an index on
# the sort key answers by reading 25 rows wherever the page is. The links carry that
# position as an opaque cursor (`after=` for the next page, `before=` for the previous);
# rows added meanwhile never shift a page, so none is skipped or shown twice.
#
# A list is one or more *sections* read one after the other, each a queryset with its own
# sort keys (non-null, the last one unique): keyword matches in the subject before those in
# the text, cases with a due time before those without.

CURSOR_VERSION = 1


class BadCursor(ValueError):
    """A cursor that this list did not make (altered, or from another list or version)."""


@dataclass(frozen=True)
class Section:
    """Part of a list: its rows and the keys they are sorted by (`-created_at`, `pk` ...)."""

    queryset: QuerySet[Any]
    keys: tuple[str, ...]

    def _fields(self) -> list[tuple[str, bool]]:
        return [(key.lstrip("-"), key.startswith("-")) for key in self.keys]

    def ordered(self, *, reverse: bool = False) -> QuerySet[Any]:
        keys = [(k[1:] if k.startswith("-") else f"-{k}") if reverse else k for k in self.keys]
        return self.queryset.order_by(*keys)

    def values_of(self, row: Any) -> list[Any]:
        return [getattr(row, name) for name, _descending in self._fields()]

    def beyond(self, values: list[Any], *, reverse: bool = False) -> QuerySet[Any]:
        """The rows after `values` in this order (before them with `reverse`), sorted so
        the nearest comes first. The first key also bounds the scan (`>=`/`<=`), which lets
        the database start the index scan at the cursor."""
        fields = self._fields()
        if len(values) != len(fields):
            raise BadCursor("wrong number of keys")
        condition = Q()
        for position in reversed(range(len(fields))):
            name, descending = fields[position]
            later = "lt" if descending != reverse else "gt"
            step = Q(**{f"{name}__{later}": values[position]})
            condition = (
                step
                if position == len(fields) - 1
                else step | (Q(**{name: values[position]}) & condition)
            )
        first, descending = fields[0]
        bound = Q(**{f"{first}__{'lte' if descending != reverse else 'gte'}": values[0]})
        return self.ordered(reverse=reverse).filter(bound & condition)

    def parse(self, raw: list[Any]) -> list[Any]:
        model = self.queryset.model
        parsed = []
        for (name, _descending), value in zip(self._fields(), raw, strict=True):
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            try:
                parsed.append(field.to_python(value))
            except ValidationError as exc:
                raise BadCursor(name) from exc
            if parsed[-1] is None:
                raise BadCursor(name)
        return parsed


def cursor_make(section: int, values: list[Any], number: int) -> str:
    """The opaque token of a position: the section, the keys of the row there, the page."""
    payload = [CURSOR_VERSION, section, [_plain(v) for v in values], number]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def cursor_read(token: str) -> tuple[int, list[Any], int]:
    """(section, raw key values, page number) of a token; BadCursor if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, section, values, number = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor("not a cursor") from exc
    if (
        version != CURSOR_VERSION
        or not isinstance(section, int)
        or not isinstance(values, list)
        or not isinstance(number, int)
        or number < 1
    ):
        raise BadCursor("not a cursor")
    return section, values, number


class KeysetPage(Sequence[Any]):
    """One page of a keyset-paginated list, shaped like Django's `Page` for the templates
    (`object_list`, `number`, `has_next`, `has_previous`, `paginator` for the count), with
    the cursors of the pages either side."""

    def __init__(
        self,
        object_list: list[Any],
        *,
        number: int,
        paginator: "KeysetPaginator",
        next_cursor: str,
        previous_cursor: str,
    ) -> None:
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: Any) -> Any:
        return self.object_list[index]

    def has_next(self) -> bool:
        return bool(self.next_cursor)

    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()


class KeysetPaginator:
    """Pages through `sections` in order, `per_page` rows at a time, by cursor. `counted`
    (the whole list as one queryset) is counted as `CappedPaginator` counts it, for the
    total shown above the list. A page number (`page`) still works for the first pages
    of old links: it reads by OFFSET, and its links go on by cursor."""

    def __init__(
        self,
        sections: list[Section],
        per_page: int,
        *,
        counted: QuerySet[Any] | None = None,
        cap: int = COUNT_CAP,
        parts: Sequence[QuerySet[Any]] = (),
    ) -> None:
        self.sections = sections
        self.per_page = per_page
        self._counter = CappedPaginator(
            counted if counted is not None else sections[0].queryset,
            per_page,
            cap=cap,
            parts=parts,
        )

    # The count, as CappedPaginator gives it, up to the cap only: a deep page reached by
    # cursor does not count its way down to itself (it says "Page N" of "10,000+").
    @cached_property
    def count(self) -> int:
        return self._counter.count

    @property
    def is_capped(self) -> bool:
        self.count  # noqa: B018 - counting sets it
        return self._counter.is_capped

    @property
    def shown_total(self) -> int:
        return self._counter.shown_total

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def page(self, *, after: str = "", before: str = "", number: int = 1) -> KeysetPage:
        """The page after the cursor `after`, before the cursor `before`, or else page
        `number` (counted from the start). BadCursor for a token this list did not make,
        EmptyPage for a page number past the end."""
        if after:
            section, raw, shown = cursor_read(after)
            rows = self._forward(section, self._values(section, raw))
            return self._page(
                rows[: self.per_page],
                number=shown + 1,
                more=len(rows) > self.per_page,
                earlier=True,
            )
        if before:
            section, raw, shown = cursor_read(before)
            rows = self._backward(section, self._values(section, raw))
            earlier = len(rows) > self.per_page
            # The page it was asked from follows this one.
            return self._page(
                list(reversed(rows[: self.per_page])),
                number=max(shown - 1, 2) if earlier else 1,
                more=bool(rows),
                earlier=earlier,
            )
        rows = self._from_start(offset=(number - 1) * self.per_page)
        if not rows and number > 1:
            raise EmptyPage(number)
        return self._page(
            rows[: self.per_page], number=number, more=len(rows) > self.per_page, earlier=number > 1
        )

    def _values(self, section: int, raw: list[Any]) -> list[Any]:
        if not 0 <= section < len(self.sections):
            raise BadCursor("no such section")
        return self.sections[section].parse(raw)

    def _collect(self, found: list[tuple[int, list[Any], Any]], section: int, rows: Any) -> None:
        for row in rows:
            found.append((section, self.sections[section].values_of(row), row))

    def _forward(self, section: int, values: list[Any]) -> list[tuple[int, list[Any], Any]]:
        """Up to per_page + 1 rows after a position (the extra one says there is more)."""
        wanted = self.per_page + 1
        found: list[tuple[int, list[Any], Any]] = []
        self._collect(found, section, self.sections[section].beyond(values)[:wanted])
        for later in range(section + 1, len(self.sections)):
            if len(found) >= wanted:
                break
            self._collect(found, later, self.sections[later].ordered()[: wanted - len(found)])
        return found

    def _backward(self, section: int, values: list[Any]) -> list[tuple[int, list[Any], Any]]:
        """Up to per_page + 1 rows before a position, nearest first."""
        wanted = self.per_page + 1
        found: list[tuple[int, list[Any], Any]] = []
        self._collect(found, section, self.sections[section].beyond(values, reverse=True)[:wanted])
        for earlier in range(section - 1, -1, -1):
            if len(found) >= wanted:
                break
            rows = self.sections[earlier].ordered(reverse=True)[: wanted - len(found)]
            self._collect(found, earlier, rows)
        return found

    def _from_start(self, *, offset: int) -> list[tuple[int, list[Any], Any]]:
        """Up to per_page + 1 rows from `offset` on (OFFSET: for the first pages only)."""
        wanted = self.per_page + 1
        found: list[tuple[int, list[Any], Any]] = []
        for index, section in enumerate(self.sections):
            if len(found) >= wanted:
                break
            rows = list(section.ordered()[offset : offset + wanted - len(found)])
            if not rows and offset:
                # This section ends before the offset: skip the rows it has.
                offset -= section.queryset.order_by()[:offset].count()
                continue
            offset = 0
            self._collect(found, index, rows)
        return found

    def _page(
        self, rows: list[tuple[int, list[Any], Any]], *, number: int, more: bool, earlier: bool
    ) -> KeysetPage:
        first, last = (rows[0], rows[-1]) if rows else (None, None)
        return KeysetPage(
            [row for _s, _v, row in rows],
            number=number,
            paginator=self,
            next_cursor=cursor_make(last[0], last[1], number) if more and last else "",
            previous_cursor=cursor_make(first[0], first[1], number) if earlier and first else "",
        )


def page_from_query(paginator: KeysetPaginator, query: Any) -> KeysetPage:
    """The page a request's query asks for: `after` or `before` a cursor, else `page`
    (a number, 1 if absent). BadCursor, EmptyPage or PageNotAnInteger when it names none."""
    number = query.get("page") or "1"
    if not str(number).isdigit() or int(number) < 1:
        raise PageNotAnInteger(number)
    return paginator.page(
        after=query.get("after") or "", before=query.get("before") or "", number=int(number)
    )
