import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from planning import services
from planning.models import PlanTarget
from planning.selectors import PERIODS, Node, Values, period_label
from reports.models import KPI
from reports.settings_forms import TargetField


class StartPlanForm(forms.Form):
    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=KPI.objects.filter(is_active=True), empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = datetime.date.today().year + 1


class PlanForm(forms.Form):
    """One input per row and period (the base target), and the yearly stretch target."""

    def __init__(self, *args, nodes: list[Node], values: Values, kpi: KPI, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes, self.values, self.kpi = nodes, values, kpi
        for node in nodes:
            for kind, number in PERIODS:
                self.fields[services.cell_name(node.key, kind, number, "base")] = self._field(
                    node, kind, number, 0, period_label(kind, number)
                )
            self.fields[services.cell_name(node.key, PlanTarget.Kind.YEAR, 1, "stretch")] = self._field(
                node, PlanTarget.Kind.YEAR, 1, 1, _("Stretch")
            )

    def _field(self, node: Node, kind: str, number: int, level: int, label) -> TargetField:
        figure = self.values.get((node.key, kind, number))
        value = None if figure is None else figure[level]
        return TargetField(
            required=False,
            label=f"{node.name} · {label}",
            initial=None if value is None else f"{value:.{self.kpi.decimals}f}",
        )

    def rows(self) -> list[dict]:
        return [
            {
                "node": node,
                "stretch": self[services.cell_name(node.key, PlanTarget.Kind.YEAR, 1, "stretch")],
                "cells": [self[services.cell_name(node.key, kind, number, "base")] for kind, number in PERIODS],
            }
            for node in self.nodes
        ]

    def figures(self) -> dict[tuple[str, str, int], tuple[Decimal | None, Decimal | None]]:
        """What was typed, as save_plan() takes it. Quarters and months keep the stretch targets a
        split gave them while their target is unchanged."""
        result = {}
        for node in self.nodes:
            for kind, number in PERIODS:
                base = self.cleaned_data[services.cell_name(node.key, kind, number, "base")]
                current = self.values.get((node.key, kind, number))
                if kind == PlanTarget.Kind.YEAR:
                    stretch = self.cleaned_data[services.cell_name(node.key, kind, number, "stretch")]
                else:
                    stretch = current[1] if current is not None and current[0] == base else None
                result[(node.key, kind, number)] = (base, stretch)
        return result


class SplitForm(forms.Form):
    people = forms.ChoiceField(
        label=_("Split among teams and people"),
        choices=[
            (services.PeopleSplit.EQUAL, _("Equally")),
            (services.PeopleSplit.WEIGHTS, _("In proportion to their current yearly targets")),
            (services.PeopleSplit.LAST_YEAR, _("In proportion to last year's actuals")),
        ],
    )
    time = forms.ChoiceField(
        label=_("Split each year into months"),
        choices=[
            (services.TimeSplit.WORKING_DAYS, _("By working days (holidays and make-up days)")),
            (services.TimeSplit.LAST_YEAR, _("Like last year's months")),
        ],
    )


class ProposeForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
