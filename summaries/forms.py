import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.dates import BoundedDateField
from summaries.models import Document
from summaries.rollups import period_bounds
from teams import filters
from teams.filters import FilterForm
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


class DocumentFilter(FilterForm):
    """My documents: a kind, a state, the days they were asked for."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *Document.Kind.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    status = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *Document.Status.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    start = BoundedDateField(label=_("Asked for from"), widget=IsoDateInput(filters.SMALL))
    end = BoundedDateField(label=_("Until"), widget=IsoDateInput(filters.SMALL))

    def filter_kind(self, requests, kind):
        return requests.filter(document__kind=kind)

    def filter_status(self, requests, status):
        return requests.filter(document__status=status)

    def filter_start(self, requests, day):
        return requests.filter(requested_at__date__gte=day)

    def filter_end(self, requests, day):
        return requests.filter(requested_at__date__lte=day)
