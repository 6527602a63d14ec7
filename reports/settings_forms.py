"""Forms of the settings pages: KPIs, report templates, team calendars and the targets table."""

import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports import dates, services, settings_services
from reports.dates import BoundedDateField
from reports.models import KPI, ProblemCategory, ReportTemplate, TeamSettings, TemplateVersion
from teams.forms import CrispyMixin, ServiceCheckedModelForm


class KPIForm(ServiceCheckedModelForm):
    class Meta:
        model = KPI
        fields = settings_services.KPI_FIELDS
        help_texts = {
            "code": _("Letters, digits and underscores, e.g. sales_amount. It cannot change later."),
            "is_active": _("Inactive KPIs are no longer offered for templates; old reports keep them."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Report revisions and exports name KPIs by code, so the code stays what it was.
            self.fields["code"].disabled = True
        else:
            self.fields["code"].widget.attrs["autofocus"] = True


class ProblemCategoryForm(ServiceCheckedModelForm):
    class Meta:
        model = ProblemCategory
        fields = settings_services.CATEGORY_FIELDS
        help_texts = {"is_active": _("Inactive categories are no longer offered; reports that use them keep them.")}


# Templates ------------------------------------------------------------------------------------


def _initial_orders(values: list, chosen: list) -> dict:
    """Order numbers 1, 2, … for the chosen items in their order, then for the others."""
    ordered = [v for v in chosen if v in values] + [v for v in values if v not in chosen]
    return {value: position for position, value in enumerate(ordered, start=1)}


class TemplateForm(CrispyMixin, forms.Form):
    """The template's name, and per section and per KPI an "include" box with an order number.

    The rows are laid out by the page; crispy renders the name only."""

    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args, kpis: list[KPI], version: TemplateVersion | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("name")
        self.helper.disable_csrf = True
        if version and version.template.name == services.DEFAULT_TEMPLATE_NAME:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("Teams that name no template use this one, found by its name.")
        self.kpis = kpis
        sections = list(TemplateVersion.Section.values)
        chosen_sections = version.sections if version else sections
        section_orders = _initial_orders(sections, chosen_sections)
        chosen_kpis = (
            [kpi.pk for kpi in settings_services.version_kpis(version)]
            if version
            else [kpi.pk for kpi in kpis if kpi.is_active]
        )
        kpi_orders = _initial_orders([kpi.pk for kpi in kpis], chosen_kpis)
        for value, label in TemplateVersion.Section.choices:
            self._add_row(f"section_{value}", label, value in chosen_sections, section_orders[value])
        for kpi in kpis:
            self._add_row(f"kpi_{kpi.pk}", kpi.name, kpi.pk in chosen_kpis, kpi_orders[kpi.pk])
        self._section_rows = sorted(TemplateVersion.Section.choices, key=lambda choice: section_orders[choice[0]])
        self._kpi_rows = sorted(kpis, key=lambda kpi: kpi_orders[kpi.pk])

    def _add_row(self, name: str, label: str, included: bool, order: int) -> None:
        self.fields[name] = forms.BooleanField(label=label, required=False, initial=included)
        self.fields[f"{name}_order"] = forms.IntegerField(
            label=_("Order of %(name)s") % {"name": label},
            min_value=1,
            max_value=99,
            required=False,
            initial=order,
            widget=forms.NumberInput(
                attrs={
                    "class": "form-control form-control-sm input-narrow",
                    "aria-label": _("Order of %(name)s") % {"name": label},
                }
            ),
        )

    def section_rows(self) -> list[dict]:
        return [
            {"label": label, "include": self[f"section_{value}"], "order": self[f"section_{value}_order"]}
            for value, label in self._section_rows
        ]

    def kpi_rows(self) -> list[dict]:
        return [
            {"kpi": kpi, "include": self[f"kpi_{kpi.pk}"], "order": self[f"kpi_{kpi.pk}_order"]}
            for kpi in self._kpi_rows
        ]

    def _chosen(self, prefix: str, items: list) -> list:
        chosen = [
            (position, key, item)
            for position, (key, item) in enumerate(items)
            if self.cleaned_data.get(f"{prefix}_{key}")
        ]
        chosen.sort(key=lambda row: (self.cleaned_data.get(f"{prefix}_{row[1]}_order") or 100, row[0]))
        return [item for _position, _key, item in chosen]

    def chosen_sections(self) -> list[str]:
        """The ticked sections, by their order numbers (ties keep the list's order)."""
        values = TemplateVersion.Section.values
        return self._chosen("section", list(zip(values, values, strict=True)))

    def chosen_kpis(self) -> list[KPI]:
        return self._chosen("kpi", [(kpi.pk, kpi) for kpi in self.kpis])

    def add_error(self, field, error):
        if field in ("sections", "kpis"):
            # Several include/order fields share these errors; the page shows them above the rows.
            self._errors.setdefault(field, self.error_class()).extend(ValidationError(error).messages)
            return
        super().add_error(field, error)


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=TemplateVersion.FieldType.choices,
        initial=TemplateVersion.FieldType.SHORT_TEXT,
        widget=forms.Select(attrs={"class": "form-select input-min-9"}),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    help = forms.CharField(label=_("Help text"), max_length=200, required=False)
    choices = forms.CharField(
        label=_("Choices (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def as_field(self) -> dict:
        data = self.cleaned_data
        return {
            "label": data["label"],
            "type": data["type"],
            "required": data["required"],
            "help": data["help"],
            "choices": data["choices"].splitlines(),
        }


class BaseCustomFieldFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].widget.attrs["class"] = "form-control input-narrow"


CustomFieldFormSet = forms.formset_factory(
    CustomFieldForm,
    formset=BaseCustomFieldFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=settings_services.MAX_CUSTOM_FIELDS,
    validate_max=True,
)


def custom_field_initial(version: TemplateVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {
            "label": f["label"],
            "type": f["type"],
            "required": f.get("required", False),
            "help": f.get("help", ""),
            "choices": "\n".join(f.get("choices", [])),
        }
        for f in version.fields
    ]


def place_template_errors(exc: ValidationError, form: TemplateForm, field_forms: list[CustomFieldForm]) -> None:
    """Put save_template's errors next to what they are about: "fields.<i>.<attr>" on the i-th
    custom field passed to it, the others on the template form."""
    for key, messages in exc.message_dict.items():
        if key.startswith("fields."):
            _prefix, index, attribute = key.split(".")
            field_forms[int(index)].add_error(attribute, messages)
        else:
            form.add_error(key, messages)


# Team calendars -----------------------------------------------------------------------------------

COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "UTC",
]


def _zone_label(name: str) -> str:
    offset = timezone.now().astimezone(ZoneInfo(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


class TeamSettingsForm(CrispyMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Weeks, deadlines and review days are counted in this time zone.")
    )

    class Meta:
        model = TeamSettings
        fields = settings_services.TEAM_SETTINGS_FIELDS
        widgets = {
            field: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for field in ("deadline_time", "digest_time", "pending_reminder_time")
        }

    def __init__(self, *args, inherited_template: ReportTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        template.queryset = ReportTemplate.objects.filter(Q(is_active=True) | Q(pk=self.instance.template_id))
        template.empty_label = _("Same as the parent team (now: %(name)s)") % {"name": inherited_template}
        zones = COMMON_TIME_ZONES + [z for z in [self.instance.time_zone] if z and z not in COMMON_TIME_ZONES]
        self.fields["time_zone"].choices = [(zone, _zone_label(zone)) for zone in zones]


# Targets ------------------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """?week=YYYY-MM-DD (any day of the week) or ?month=YYYY-MM."""

    week = BoundedDateField(required=False, input_formats=["%Y-%m-%d"])
    month = forms.RegexField(required=False, regex=r"^\d{4}-(0[1-9]|1[0-2])$")

    def clean_month(self) -> str:
        month = self.cleaned_data["month"]
        if month and not dates.is_supported(datetime.date.fromisoformat(f"{month}-01")):
            raise ValidationError(dates.out_of_range_message())
        return month

    def period(self, team_settings: TeamSettings, this_week: datetime.date) -> settings_services.Period:
        """The asked-for period; this week when none (or nonsense) is asked for."""
        if self.is_valid() and self.cleaned_data["month"]:
            year, month = map(int, self.cleaned_data["month"].split("-"))
            return settings_services.month_period(team_settings, year, month)
        if self.is_valid() and self.cleaned_data["week"]:
            return settings_services.week_period(team_settings, self.cleaned_data["week"])
        return settings_services.week_period(team_settings, this_week)


class TargetField(forms.CharField):
    """A number as people type it: "100,000", "１００００" (full-width) or empty for no target."""

    def to_python(self, value) -> Decimal | None:
        text = super().to_python(value)
        for separator in (",", "，", " ", "\u3000"):
            text = text.replace(separator, "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid")
        return number


class TargetTableForm(forms.Form):
    """One input per member and KPI; the page lays the table out."""

    def __init__(self, *args, table: settings_services.TargetTable, **kwargs):
        super().__init__(*args, **kwargs)
        self.table = table
        for membership in table.members:
            for kpi in table.kpis:
                value = table.values.get((membership.user_id, kpi.pk))
                self.fields[settings_services.cell_name(membership.user_id, kpi.pk)] = TargetField(
                    required=False,
                    label=f"{membership.user} · {kpi.name}",
                    initial=None if value is None else f"{value:.{kpi.decimals}f}",
                )

    def rows(self) -> list[dict]:
        return [
            {
                "membership": membership,
                "cells": [self[settings_services.cell_name(membership.user_id, kpi.pk)] for kpi in self.table.kpis],
            }
            for membership in self.table.members
        ]

    def values(self) -> dict[tuple[int, int], Decimal | None]:
        return {
            (membership.user_id, kpi.pk): self.cleaned_data[settings_services.cell_name(membership.user_id, kpi.pk)]
            for membership in self.table.members
            for kpi in self.table.kpis
        }
