"""What staff reuse when they answer: reply templates (答复模板) and the policy knowledge base
(政策知识库). Administrators maintain both in the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Category


class TemplateField(models.TextChoices):
    """The text box of an action form a reply template is written for."""

    ANY = "any", _("Any text")
    NOTE = "note", _("Answer or message")
    FACTS = "facts", _("Facts found")
    BASIS = "basis", _("Legal or policy basis")
    MEASURES = "measures", _("Measures taken")
    OUTCOME = "outcome", _("Outcome")
    REMEDY = "remedy", _("Remedy path")


class ReplyTemplate(models.Model):
    """A canned text that staff insert into an answer, a message or a part of a result."""

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    field = models.CharField(
        _("for"), max_length=20, choices=TemplateField.choices, default=TemplateField.ANY
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["field", "title"]
        constraints = [
            models.UniqueConstraint(fields=["field", "title"], name="replytemplate_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class PolicyEntry(models.Model):
    """One question the public asks about a policy, with the answer staff give, its source,
    and whether the public may read it on the portal."""

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    basis = models.CharField(_("source"), max_length=300, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_entries",
    )
    tags = models.CharField(
        _("tags"),
        max_length=200,
        blank=True,
        help_text=_("Words people use for this topic, separated by spaces or commas."),
    )
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the portal's help page.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("policy entry")
        verbose_name_plural = _("policy knowledge base")
        ordering = ["question"]
        indexes = [models.Index(fields=["is_public"], name="policyentry_public_idx")]

    def __str__(self) -> str:
        return self.question
