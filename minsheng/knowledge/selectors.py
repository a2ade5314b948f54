"""Reads of the reply templates and the policy knowledge base."""

from functools import reduce
from operator import and_

from django.db.models import Q, QuerySet

from minsheng.knowledge.models import PolicyEntry, ReplyTemplate, TemplateField

SEARCH_LIMIT = 20


def reply_templates_for(field: str) -> QuerySet[ReplyTemplate]:
    """The templates in use for a text box named `field`, and those meant for any text."""
    return ReplyTemplate.objects.filter(
        is_active=True, field__in=[field, TemplateField.ANY]
    ).order_by("title")


def reply_template_get(pk: int) -> ReplyTemplate | None:
    """One template in use, or None."""
    return ReplyTemplate.objects.filter(pk=pk, is_active=True).first()


def policy_entries_search(
    *, query: str, public_only: bool, limit: int = SEARCH_LIMIT
) -> QuerySet[PolicyEntry]:
    """Entries whose question, answer, source, tags or category contain every word of
    `query` (all entries when it is empty); only the public ones if `public_only`.

    A plain `icontains` on both databases: PostgreSQL's text search does not split Chinese
    into words, and the knowledge base is a few thousand rows at most.
    """
    entries = PolicyEntry.objects.select_related("category")
    if public_only:
        entries = entries.filter(is_public=True)
    words = query.replace(",", " ").replace("，", " ").split()[:8]
    if words:
        entries = entries.filter(
            reduce(
                and_,
                (
                    Q(question__icontains=w)
                    | Q(answer__icontains=w)
                    | Q(basis__icontains=w)
                    | Q(tags__icontains=w)
                    | Q(category__name__icontains=w)
                    for w in words
                ),
            )
        )
    return entries.order_by("question")[:limit]


def policy_entry_get(pk: int, *, public_only: bool) -> PolicyEntry | None:
    """One entry (only a public one if `public_only`), or None."""
    entries = PolicyEntry.objects.filter(pk=pk)
    return (entries.filter(is_public=True) if public_only else entries).first()
