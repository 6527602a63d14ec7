import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.dates import BoundedDateField
from summaries.rollups import period_bounds
from teams.forms import IsoDateInput


class PeriodForm(forms.Form):
    PERIODS = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))]

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PERIODS,
        initial="month",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    day = BoundedDateField(
        label=_("Any day in it"),
        widget=IsoDateInput(attrs={"class": "form-control form-control-sm"}),
        initial=timezone.localdate,
        required=False,
    )

    def clean_day(self) -> datetime.date:
        day = self.cleaned_data["day"] or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a period that has started."))
        return day

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return period_bounds(self.cleaned_data["period"], self.cleaned_data["day"])
