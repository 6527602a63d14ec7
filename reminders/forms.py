from django import forms
from django.utils.translation import gettext_lazy as _

from teams.forms import CrispyMixin, IsoDateInput, TeamChoiceField
from teams.models import Leave, Team


class DayOffForm(CrispyMixin, forms.Form):
    """A plain form: add_day_off checks for duplicates, with a message people understand."""

    on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label=_("Team"),
        empty_label=_("Whole company"),
        help_text=_("A team's day off applies to its sub-teams too."),
    )
    name = forms.CharField(label=_("Reason"), max_length=100, required=False)
    is_working_day = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("", _("Day off")), ("1", _("Make-up working day (调休补班)"))],
        coerce=bool,
        empty_value=False,
        required=False,
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class LeaveForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Leave
        fields = ["starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": IsoDateInput(),
            "ends_on": IsoDateInput(),
        }

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The leave cannot end before it starts."))
        return cleaned
