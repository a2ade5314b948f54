"""Admin forms: a message template is checked by rendering it before it is saved; a
webhook target must be a public address."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.cases.workflow import Act
from minsheng.lib import outbound
from minsheng.notify import rendering
from minsheng.notify.models import NoticeChannel, NotificationTemplate, WebhookSubscription


class NotificationTemplateForm(forms.ModelForm):
    """Subject and body must compile and render against the sample context."""

    class Meta:
        model = NotificationTemplate
        fields = ["kind", "channel", "subject", "body", "is_active"]

    def _checked(self, name: str) -> str:
        source: str = self.cleaned_data.get(name) or ""
        try:
            rendering.render_text(source, rendering.SAMPLE_CONTEXT)
        except rendering.TemplateProblem as exc:
            raise forms.ValidationError(
                _("This template cannot be used: %(problem)s") % {"problem": exc}
            ) from exc
        return source

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body(self) -> str:
        return self._checked("body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == NoticeChannel.EMAIL and not (data.get("subject") or "").strip():
            self.add_error("subject", _("An e-mail needs a subject."))
        return data


class WebhookSubscriptionForm(forms.ModelForm):
    """The event filter must name events that exist."""

    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "actions", "is_active"]

    def clean_url(self) -> str:
        """Only a public address: not this server, not the internal network (the same
        check is made again at every send, `minsheng.lib.outbound`)."""
        url: str = self.cleaned_data.get("url") or ""
        problem = outbound.url_refusal(url) if url else None
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_actions(self) -> str:
        names = [a.strip() for a in (self.cleaned_data.get("actions") or "").split(",")]
        names = [a for a in names if a]
        unknown = [a for a in names if a not in set(Act)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown events: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(Act)}
            )
        return ", ".join(names)
