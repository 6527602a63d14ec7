import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.dates import BoundedDateField
from reports.models import KPI, TeamSettings
from summaries.rollups import period_bounds
from teams.forms import IsoDateInput

MAX_DAYS = 366
SMALL = {"class": "form-control form-control-sm"}


class DashboardForm(forms.Form):
    PERIODS = [
        ("week", _("Week")),
        ("month", _("Month")),
        ("quarter", _("Quarter")),
        ("year", _("Year")),
        ("custom", _("Custom")),
    ]

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PERIODS,
        initial="month",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    day = BoundedDateField(label=_("Any day in it"), required=False, widget=IsoDateInput(SMALL))
    start = BoundedDateField(label=_("From"), required=False, widget=IsoDateInput(SMALL))
    end = BoundedDateField(label=_("Until"), required=False, widget=IsoDateInput(SMALL))
    kpi = forms.CharField(
        label=_("Rank by"), required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, team_settings: TeamSettings, kpis: list[KPI], **kwargs):
        super().__init__(*args, **kwargs)
        self.team_settings = team_settings
        self.kpis = {kpi.code: kpi for kpi in kpis}
        self.fields["kpi"].widget.choices = [(kpi.code, kpi.name) for kpi in kpis]

    def clean(self):
        cleaned = super().clean()
        period, today = cleaned.get("period"), timezone.localdate()
        if period == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None:
                self.add_error("start", _("Choose the first day."))
            if end is None:
                self.add_error("end", _("Choose the last day."))
            if start and end and start > end:
                self.add_error("end", _("The last day is before the first."))
            elif start and end and (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose at most a year."))
            field = "start"
        elif period:
            day = cleaned.get("day") or today
            cleaned["day"] = day
            if period == "week":
                start = self.team_settings.week_start_for(day)
                end = start + datetime.timedelta(days=6)
            else:
                start, end = period_bounds(period, day)
            field = "day"
        else:
            return cleaned
        if start and start > today and not self.errors.get(field):
            self.add_error(field, _("This period has not started yet."))
        code = cleaned.get("kpi")
        if code and code not in self.kpis:
            self.add_error("kpi", _("Unknown KPI “%(code)s”.") % {"code": code})
        cleaned["bounds"] = (start, end)
        return cleaned

    @property
    def primary(self) -> KPI | None:
        code = self.cleaned_data.get("kpi")
        return self.kpis.get(code) if code else next(iter(self.kpis.values()), None)


class ExportForm(forms.Form):
    start = BoundedDateField(widget=forms.HiddenInput)
    end = BoundedDateField(widget=forms.HiddenInput)
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    layout = forms.ChoiceField(
        label=_("Rows"),
        choices=[
            ("long", _("One row per member, week and KPI")),
            ("wide", _("One row per member and week")),
            ("log", _("One row per sales activity")),
            ("kpis", _("One row per KPI, against the previous period and a year before")),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The last day is before the first."))
        if start and start > timezone.localdate():
            raise forms.ValidationError(_("This period has not started yet."))
        return cleaned
