"""A paginator that stops counting: at a million rows `SELECT COUNT(*)` over a filtered
list costs more than the page itself, and nobody pages through ten thousand cases."""

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (or as far as the requested page reaches, if further).

    When there are more, `is_capped` is true, `count` is one row past what was counted
    and `num_pages` includes one page beyond, so "Next" keeps working page by page. Show
    the total as "10,000+" then (`count_label`).
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.is_capped = False
        self._reach = cap

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
        if isinstance(items, QuerySet) and items._result_cache is None:
            counted: int = items.order_by()[:limit].count()
        else:
            counted = len(items[:limit])
        self.is_capped = counted >= limit
        return counted

    @property
    def shown_total(self) -> int:
        """The total to show: exact, or the number counted when `is_capped` ("N+")."""
        count = self.count
        return count - 1 if self.is_capped else count
