"""Forms of period summaries: starting one, the editor (texts, figures with causes, last
period's checklist, next period's plan), practices and the team's deviation threshold. Review
feedback uses reviews.forms (the same four parts as for weekly reports)."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from periodsummaries import selectors, services
from periodsummaries.models import PeriodSummary, SummaryKpi
from reports.forms import kpi_actual_field, outcome_fields, style
from reports.services import MAX_ROWS

TEXT_LABELS = {
    "overview": (_("Overview"), _("The period in a few sentences: results against the goals, what stood out.")),
    "customers": (_("Customer development"), _("New and key customers, follow-up, customers lost or at risk.")),
    "process": (_("Sales process"), _("How the sales strategy and activities worked: channels, conversion.")),
    "market": (_("Market and competitors"), _("Prices, competitors' moves, changes in demand.")),
    "problems": (_("Problems and challenges"), _("Bottlenecks and their root causes.")),
    "lessons": (_("Lessons learned"), _("What worked and can be repeated; what to avoid.")),
}


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class StartForm(forms.Form):
    level = forms.ChoiceField(label=_("Summary of"), choices=PeriodSummary.Level.choices)
    period = forms.ChoiceField(label=_("Period"), choices=PeriodSummary.Period.choices)
    day = forms.DateField(
        label=_("Any day in the period"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, can_lead: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("day", timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
        if not can_lead:
            self.fields["level"].choices = [
                c for c in PeriodSummary.Level.choices if c[0] == PeriodSummary.Level.MEMBER
            ]
        style(self)


class SummaryForm(forms.Form):
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, summary: PeriodSummary, kpis: list[SummaryKpi], reviews: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("base_version", summary.version)
        for name, (label, help_text) in TEXT_LABELS.items():
            self.fields[name] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=services.TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.initial.setdefault(name, getattr(summary, name))
        for row in kpis:
            self.fields[f"kpi_{row.kpi_id}"] = kpi_actual_field(row.kpi)
            self.fields[f"cause_{row.kpi_id}"] = forms.CharField(
                label=_("Causes of the deviation"),
                required=False,
                max_length=services.CAUSE_MAX_LENGTH,
                widget=forms.TextInput(),
            )
            self.initial.setdefault(f"kpi_{row.kpi_id}", _plain(row.actual))
            self.initial.setdefault(f"cause_{row.kpi_id}", row.cause)
        for review in reviews:
            outcome, note = outcome_fields(review.item_text)
            self.fields[f"action_review_{review.pk}"], self.fields[f"action_review_{review.pk}_note"] = outcome, note
            self.initial.setdefault(f"action_review_{review.pk}", review.outcome)
            self.initial.setdefault(f"action_review_{review.pk}_note", review.note)
        style(self)


class ActionForm(forms.Form):
    item = forms.CharField(label=_("Action"), max_length=500, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    measure = forms.CharField(label=_("Measure of success"), max_length=300, required=False)

    columns = {"item": "col-md-5", "owner": "col-6 col-md-2", "due_on": "col-6 col-md-2"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        for name, field in self.fields.items():
            field.column = self.columns.get(name, "col-md-3")

    def clean(self):
        data = super().clean()
        if any(data.get(k) for k in ("owner", "due_on", "measure")) and not data.get("item"):
            self.add_error("item", _("Describe the action, or clear the row."))
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=1, max_num=MAX_ROWS, validate_max=True)


class SummaryEditor:
    """The edit screen of one summary: the form and the plan's rows, bound to the same POST;
    turns valid input into services.save_draft's `data` and puts service errors back in place."""

    def __init__(self, summary: PeriodSummary, data=None):
        self.summary = summary
        self.kpis = list(summary.kpis.select_related("kpi"))
        self.reviews = list(summary.action_reviews.all())
        self.threshold = selectors.deviation_percent(summary.team)
        self.plan_items = list(summary.action_items.all())
        self.plan_locked = services.plan_is_locked(summary)
        self.section_errors: dict[str, list[str]] = {}
        self.form = SummaryForm(data, summary=summary, kpis=self.kpis, reviews=self.reviews)
        self.plan = None
        if not self.plan_locked:
            initial = (
                None
                if data is not None
                else [
                    {"item": a.item, "owner": a.owner, "due_on": a.due_on, "measure": a.measure}
                    for a in self.plan_items
                ]
            )
            self.plan = ActionFormSet(data, initial=initial, prefix="plan")

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), *([self.plan.is_valid()] if self.plan is not None else [])])

    def content(self) -> dict:
        cleaned = self.form.cleaned_data
        data: dict = {name: cleaned[name] for name in TEXT_LABELS}
        data["kpis"] = {
            str(r.kpi_id): {"actual": _plain(cleaned[f"kpi_{r.kpi_id}"]), "cause": cleaned[f"cause_{r.kpi_id}"]}
            for r in self.kpis
        }
        data["action_reviews"] = {
            str(r.pk): {"outcome": cleaned[f"action_review_{r.pk}"], "note": cleaned[f"action_review_{r.pk}_note"]}
            for r in self.reviews
        }
        if self.plan is not None:
            rows = []
            for form in self.plan.forms:
                row = {key: _plain(value) for key, value in form.cleaned_data.items()}
                if any(row.values()):
                    rows.append(row)
            data["plan"] = rows
        return data

    def base_version(self) -> int:
        return self.form.cleaned_data["base_version"]

    def add_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key in self.form.fields:
                self.form.add_error(key, messages)
            elif key == "plan":
                self.section_errors.setdefault(key, []).extend(messages)
            else:
                self.form.add_error(None, messages)

    def bound_fields(self) -> list[forms.BoundField]:
        fields = [f for f in self.form if not f.is_hidden]
        if self.plan is not None:
            fields += [field for form in self.plan.forms for field in form]
        return fields

    def first_error(self) -> str:
        for message in self.form.non_field_errors():
            return message
        for field in self.bound_fields():
            if field.errors:
                return f"{field.label}: {field.errors[0]}"
        if self.plan is not None:
            for message in self.plan.non_form_errors():
                return message
        for messages in self.section_errors.values():
            return messages[0]
        return ""

    def context(self) -> dict:
        for field in self.bound_fields():
            attrs = field.field.widget.attrs
            if field.errors and "is-invalid" not in attrs.get("class", ""):
                attrs["aria-invalid"] = "true"
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
        form = self.form
        return {
            "editor": self,
            "form": form,
            "text_fields": [form[name] for name in TEXT_LABELS],
            "kpi_rows": [
                {
                    "row": row,
                    "field": form[f"kpi_{row.kpi_id}"],
                    "cause": form[f"cause_{row.kpi_id}"],
                    "needs_cause": selectors.needs_cause(row, self.threshold),
                }
                for row in self.kpis
            ],
            "review_rows": [
                {"review": r, "outcome": form[f"action_review_{r.pk}"], "note": form[f"action_review_{r.pk}_note"]}
                for r in self.reviews
            ],
            "plan": self.plan,
            "plan_locked": self.plan_locked,
            "section_errors": self.section_errors,
            "threshold": self.threshold,
        }


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Practice"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class SummaryRulesForm(forms.Form):
    deviation_percent = forms.IntegerField(
        label=_("Causes required beyond (%)"),
        min_value=0,
        max_value=100,
        help_text=_("A KPI further than this from its target needs the causes of the deviation in a summary."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
