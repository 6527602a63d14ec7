"""Forms of the author's report screen: the report itself (built from its template version),
problem and plan rows, and attachment uploads."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from reports import sections as report_sections
from reports import services
from reports.dates import BoundedDateField
from reports.models import KpiValue, PlanReview, ProblemCategory, TemplateVersion, WeeklyReport
from teams import filters
from teams.filters import FilterForm
from teams.forms import IsoDateInput

SECTION_TITLES = dict(TemplateVersion.Section.choices)


class GroupedDecimalField(forms.DecimalField):
    """A number as people type or see it: "145,000", "145，000" or "145 000" is 145000."""

    def to_python(self, value):
        if isinstance(value, str):
            for separator in (",", "，", " ", "\u3000"):
                value = value.replace(separator, "")
        return super().to_python(value)


def _plain(value) -> str:
    """A value as the text stored in a draft: decimals without trailing zeros, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def style(form: forms.Form) -> None:
    """Bootstrap classes, and each input pointed at its error box (which autosave refreshes)."""
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        if not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput):
            default = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if default not in attrs.get("class", ""):
                attrs["class"] = f"{default} {attrs.get('class', '')}".strip()
        attrs["aria-describedby"] = f"{form[name].auto_id}_errors"


def _custom_field(spec: dict) -> forms.Field:
    """A form field for one custom field of the template. Never required here: drafts may be
    incomplete; submitting checks required fields (services.missing_for_submission)."""
    common = {"label": spec.get("label") or spec["key"], "help_text": spec.get("help", ""), "required": False}
    kind = spec.get("type")
    if kind == TemplateVersion.FieldType.LONG_TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == TemplateVersion.FieldType.NUMBER:
        return forms.DecimalField(
            max_digits=16, decimal_places=4, widget=forms.NumberInput(attrs={"step": "any"}), **common
        )
    if kind == TemplateVersion.FieldType.CHOICE:
        choices = [("", "—")] + [(str(c), str(c)) for c in spec.get("choices", [])]
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "form-select"}), **common)
    if kind == TemplateVersion.FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    return forms.CharField(max_length=500, **common)


def kpi_actual_field(kpi) -> forms.Field:
    """A KPI's actual figure. A text input, so that report-form.js can show 145,000 once the
    field is left; the server takes the number with or without the separators."""
    return GroupedDecimalField(
        label=kpi.name,
        required=False,
        min_value=0,
        max_value=services.MAX_KPI_VALUE,
        max_digits=16,
        decimal_places=4,
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "class": "form-control text-end kpi-input",
                "data-kpi-actual": "",
                "data-decimals": kpi.decimals,
            }
        ),
    )


def outcome_fields(item_text: str) -> tuple[forms.Field, forms.Field]:
    """Whether an earlier plan item was done (done, partly, not done) and a note: the closed loop
    of weekly plans, and of period summaries' action items."""
    outcome = forms.ChoiceField(
        label=item_text,
        choices=PlanReview.Outcome.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Why, or what is left")}),
    )
    return outcome, note


class ReportForm(forms.Form):
    """The report's own fields; which ones exist depends on the template version's sections.

    Field names match the keys of services' ValidationErrors ("summary", "kpi_<id>",
    "plan_review_<id>", "custom_<key>") so a refused submission lands next to the right field.
    """

    # A version is a PositiveIntegerField: anything larger is not one of ours (and would overflow).
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        report: WeeklyReport,
        kpi_values: list[KpiValue],
        plan_reviews: list[PlanReview],
        extra_sections: list | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        sections = report.template_version.sections
        self.initial.setdefault("base_version", report.version)
        if "review" in sections:
            self.fields["summary"] = forms.CharField(
                label=_("What you did this week"),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("Results, customers, deals. Markdown works: **bold**, lists with -, links."),
            )
            self.initial.setdefault("summary", report.summary)
            for review in plan_reviews:
                self.fields[f"plan_review_{review.pk}"], self.fields[f"plan_review_{review.pk}_note"] = outcome_fields(
                    review.item_text
                )
                self.initial.setdefault(f"plan_review_{review.pk}", review.outcome)
                self.initial.setdefault(f"plan_review_{review.pk}_note", review.note)
        for section in extra_sections or []:
            name = report_sections.field_name(section)
            self.fields[name] = forms.CharField(
                label=section.comment_label,
                required=False,
                max_length=report_sections.COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.initial.setdefault(name, report.section_comments.get(section.key, ""))
        if "kpis" in sections:
            for value in kpi_values:
                self.fields[f"kpi_{value.kpi_id}"] = kpi_actual_field(value.kpi)
                self.initial.setdefault(f"kpi_{value.kpi_id}", _plain(value.actual))
        if "custom" in sections:
            for spec in report.template_version.fields:
                self.fields[f"custom_{spec['key']}"] = _custom_field(spec)
                self.initial.setdefault(f"custom_{spec['key']}", report.custom_values.get(spec["key"], ""))
        style(self)


class ProblemForm(forms.Form):
    problem = forms.CharField(label=_("Problem"), max_length=500, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    customer = forms.CharField(
        label=_("Customer"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "own-customers", "autocomplete": "off"}),
    )
    cause = forms.CharField(label=_("Cause"), max_length=500, required=False)
    action = forms.CharField(label=_("Action taken"), max_length=500, required=False)
    help_needed = forms.CharField(label=_("Help needed"), max_length=500, required=False)

    # Bootstrap columns of each field in the row: the problem and its category and customer first.
    columns = {"problem": "col-md-6", "category": "col-6 col-md-3", "customer": "col-6 col-md-3"}

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]
        style(self)
        for name, field in self.fields.items():
            field.column = self.columns.get(name, "col-md-4")

    def clean(self):
        data = super().clean()
        if any(data.get(k) for k in ("cause", "action", "help_needed")) and not data.get("problem"):
            self.add_error("problem", _("Describe the problem, or clear the row."))
        return data


class PlanForm(forms.Form):
    item = forms.CharField(label=_("Plan item"), max_length=500, required=False)
    customer = forms.CharField(
        label=_("Customer"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "own-customers", "autocomplete": "off"}),
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    # Bootstrap columns of each field in the row: the item takes half of it.
    columns = {"item": "col-md-6"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        for name, field in self.fields.items():
            field.column = self.columns.get(name, "col-md-3")

    def clean(self):
        data = super().clean()
        if (data.get("customer") or data.get("due_on")) and not data.get("item"):
            self.add_error("item", _("Describe the plan item, or clear the row."))
        return data


# One blank row is always offered, so rows can be added without JavaScript too.
ProblemFormSet = forms.formset_factory(ProblemForm, extra=1, max_num=services.MAX_ROWS, validate_max=True)
PlanFormSet = forms.formset_factory(PlanForm, extra=1, max_num=services.MAX_ROWS, validate_max=True)


class ReportEditor:
    """The whole edit screen of one report: the report form and its row formsets, bound to the
    same POST. Turns valid input into the `data` of services.save_draft and puts the services'
    errors back next to the fields they are about."""

    def __init__(self, report: WeeklyReport, data=None):
        self.report = report
        self.sections = list(report.template_version.sections)
        self.kpi_values = list(report.kpi_values.select_related("kpi").order_by("kpi__position", "kpi_id"))
        self.plan_reviews = list(report.plan_reviews.all()) if "review" in self.sections else []
        # The plan's items, each knowing whether next week's report answers it (the plan is then
        # locked: services.plan_is_locked), in one query.
        answered = PlanReview.objects.filter(plan_item=OuterRef("pk"))
        self.plan_items = (
            list(report.plan_items.annotate(is_answered=Exists(answered))) if "plan" in self.sections else []
        )
        self.plan_locked = any(item.is_answered for item in self.plan_items)
        self.section_errors: dict[str, list[str]] = {}
        self.extra_sections = report_sections.for_report(report)
        self.form = ReportForm(
            data,
            report=report,
            kpi_values=self.kpi_values,
            plan_reviews=self.plan_reviews,
            extra_sections=self.extra_sections,
        )
        self.problems = self.plan = None
        if "problems" in self.sections:
            stored = list(report.problems.all())
            initial = (
                None
                if data is not None
                else [
                    {
                        "problem": p.problem,
                        "category": str(p.category_id or ""),
                        "customer": p.customer,
                        "cause": p.cause,
                        "action": p.action,
                        "help_needed": p.help_needed,
                    }
                    for p in stored
                ]
            )
            used = {p.category_id for p in stored}
            categories = [
                (str(c.pk), c.name)
                for c in ProblemCategory.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("position", "pk")
            ]
            self.problems = ProblemFormSet(
                data, initial=initial, prefix="problems", form_kwargs={"categories": categories}
            )
        if "plan" in self.sections and not self.plan_locked:
            initial = (
                None
                if data is not None
                else [{"item": p.item, "customer": p.customer, "due_on": p.due_on} for p in self.plan_items]
            )
            self.plan = PlanFormSet(data, initial=initial, prefix="plan")

    @property
    def formsets(self) -> list[forms.BaseFormSet]:
        return [fs for fs in (self.problems, self.plan) if fs is not None and fs.is_bound]

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), *(fs.is_valid() for fs in self.formsets)])

    def content(self) -> dict:
        """The valid input as services.save_draft's `data` (JSON-safe: it may be kept in a DraftConflict)."""
        cleaned = self.form.cleaned_data
        data = {}
        if "review" in self.sections:
            data["summary"] = cleaned["summary"]
            data["plan_reviews"] = {
                str(r.pk): {"outcome": cleaned[f"plan_review_{r.pk}"], "note": cleaned[f"plan_review_{r.pk}_note"]}
                for r in self.plan_reviews
            }
        if "kpis" in self.sections:
            data["kpis"] = {str(v.kpi_id): _plain(cleaned[f"kpi_{v.kpi_id}"]) for v in self.kpi_values}
        if self.problems is not None:
            data["problems"] = self._rows(self.problems)
        if self.plan is not None:
            data["plan"] = self._rows(self.plan)
        if self.extra_sections:
            data["sections"] = {
                section.key: cleaned[report_sections.field_name(section)] for section in self.extra_sections
            }
        if "custom" in self.sections:
            data["custom"] = {
                spec["key"]: _plain(cleaned[f"custom_{spec['key']}"]) for spec in self.report.template_version.fields
            }
        return data

    @staticmethod
    def _rows(formset) -> list[dict]:
        rows = []
        for form in formset.forms:
            row = {key: _plain(value) for key, value in form.cleaned_data.items()}
            if any(row.values()):
                rows.append(row)
        return rows

    def base_version(self) -> int:
        return self.form.cleaned_data["base_version"]

    def add_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields its keys name."""
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key in self.form.fields:
                self.form.add_error(key, messages)
            elif key in ("plan", "problems"):
                self.section_errors.setdefault(key, []).extend(messages)
            else:
                self.form.add_error(None, messages)

    # Presentation ---------------------------------------------------------------------------------

    def first_error(self) -> str:
        """One message for the autosave indicator: the first problem on the page, with its label."""
        for message in self.form.non_field_errors():
            return message
        for field in self.bound_fields():
            if field.errors:
                return f"{field.label}: {field.errors[0]}"
        for formset in self.formsets:
            for message in formset.non_form_errors():
                return message
        for messages in self.section_errors.values():
            return messages[0]
        return ""

    def bound_fields(self) -> list[forms.BoundField]:
        """Every visible field on the page, in page order, each with its error box."""
        fields = [f for f in self.form if not f.is_hidden]
        for formset in (self.problems, self.plan):
            if formset is not None:
                fields += [field for form in formset.forms for field in form]
        return fields

    def context(self) -> dict:
        """What edit.html needs, with invalid fields marked for screen readers and Bootstrap."""
        for field in self.bound_fields():
            attrs = field.field.widget.attrs
            if field.errors and "is-invalid" not in attrs.get("class", ""):
                attrs["aria-invalid"] = "true"
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
        form = self.form
        cleaned = getattr(form, "cleaned_data", {})
        kpi_rows = []
        if "kpis" in self.sections:
            for value in self.kpi_values:
                name = f"kpi_{value.kpi_id}"
                actual = cleaned[name] if name in cleaned else value.actual
                kpi_rows.append(
                    {"value": value, "field": form[name], "rate": services.achievement(actual, value.target)}
                )
        custom_rows = []
        if "custom" in self.sections:
            custom_rows = [
                {"field": form[f"custom_{spec['key']}"], "required": bool(spec.get("required"))}
                for spec in self.report.template_version.fields
            ]
        return {
            "editor": self,
            "form": form,
            "sections": self.sections,
            "review_rows": [
                {"review": r, "outcome": form[f"plan_review_{r.pk}"], "note": form[f"plan_review_{r.pk}_note"]}
                for r in self.plan_reviews
            ],
            "kpi_rows": kpi_rows,
            "custom_rows": custom_rows,
            "problems": self.problems,
            "plan": self.plan,
            "plan_locked": self.plan_locked,
            "section_errors": self.section_errors,
            "extra_sections": [
                {
                    "section": section,
                    "field": form[report_sections.field_name(section)],
                    "template": section.template,
                    "data": section.context(self.report),
                }
                for section in self.extra_sections
            ],
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_("PDF, images (PNG, JPEG, GIF, WebP) or Office documents."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class MyReportsFilter(FilterForm):
    """My reports: the weeks of a period, a state, late or on time."""

    LATE_CHOICES = [("", _("Late or on time")), ("late", _("Late")), ("on_time", _("On time"))]

    start = BoundedDateField(label=_("Weeks from"), widget=IsoDateInput(filters.SMALL))
    end = BoundedDateField(label=_("Until"), widget=IsoDateInput(filters.SMALL))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *WeeklyReport.Status.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    late = forms.ChoiceField(
        label=_("Submitted"), choices=LATE_CHOICES, widget=forms.Select(attrs=filters.SMALL_SELECT)
    )

    def filter_start(self, reports, day):
        # A week counts when it ends on or after the first day asked for.
        return reports.filter(week_start__gt=day - datetime.timedelta(days=7))

    def filter_end(self, reports, day):
        return reports.filter(week_start__lte=day)

    def filter_status(self, reports, status):
        return reports.filter(status=status)

    def filter_late(self, reports, late):
        submitted = reports.exclude(status=WeeklyReport.Status.DRAFT)
        return submitted.filter(late_by__isnull=late != "late")
