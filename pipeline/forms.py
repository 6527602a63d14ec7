from django import forms
from django.utils.translation import gettext_lazy as _

from pipeline.models import LeadSource, Stage
from teams.forms import CrispyMixin, IsoDateInput


class OpportunityForm(CrispyMixin, forms.Form):
    """A new opportunity (with its customer) or a change to one (the customer stays)."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None)
    name = forms.CharField(label=_("Opportunity"), max_length=200)
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=0, max_digits=16, decimal_places=2)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.filter(is_active=True))
    expected_close_on = forms.DateField(label=_("Expected close"), widget=IsoDateInput())
    lead_source = forms.ModelChoiceField(
        label=_("Lead source"), queryset=LeadSource.objects.filter(is_active=True), required=False
    )
    competitor = forms.CharField(label=_("Competitor"), max_length=200, required=False)
    loss_reason = forms.CharField(
        label=_("Why lost"), max_length=300, required=False, help_text=_("Required when the stage is lost.")
    )

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is None:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = customers

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "customer"}


def _amount_input() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"})


class ForecastForm(forms.Form):
    """One member's row of the team's forecast table; the table is one form, each row prefixed
    with its member's id."""

    commit = forms.DecimalField(
        label=_("Commit"), min_value=0, max_digits=16, decimal_places=2, required=False, widget=_amount_input()
    )
    best_case = forms.DecimalField(
        label=_("Best case"), min_value=0, max_digits=16, decimal_places=2, required=False, widget=_amount_input()
    )

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors.keys() & self.fields.keys():
            self.fields[name].widget.attrs["aria-invalid"] = "true"
            if "is-invalid" not in self.fields[name].widget.attrs["class"]:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class ImportForm(CrispyMixin, forms.Form):
    file = forms.FileField(label=_("Spreadsheet"), help_text=_("A .csv or .xlsx file with the columns below."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
