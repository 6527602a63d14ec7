"""The reviewer's forms: feedback that marks a report reviewed, and the reason for returning it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.services import MAX_GOALS

RATING_CHOICES = [("", "—"), *((i, str(i)) for i in range(1, 6))]


class FeedbackForm(forms.Form):
    praise = forms.CharField(
        label=_("What went well"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestions = forms.CharField(
        label=_("Suggestions"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(
        label=_("Goals for next week"),
        required=False,
        max_length=MAX_GOALS * 510,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One goal per line. The next report must say whether each was met."),
    )
    rating = forms.TypedChoiceField(
        label=_("Overall rating"), required=False, choices=RATING_CHOICES, coerce=int, empty_value=None
    )

    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("goals", "").splitlines() if line.strip()]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the author change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the author should change.")},
    )
