"""The demo app keeps no data of its own; `OfficeProfile` only gives the admin a page to
load an office profile from (`admin.OfficeProfileAdmin`)."""

from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Office


class OfficeProfile(Office):
    """The office's settings seen as one of the shipped profiles (`demo.profiles`)."""

    class Meta:
        proxy = True
        verbose_name = _("office profile")
        verbose_name_plural = _("office profiles")
