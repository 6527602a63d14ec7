"""The reviewer's forms: feedback that marks a report reviewed, and the reason for returning it."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.forms import style
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("goals", "").splitlines() if line.strip()]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the author change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the author should change.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown works. Mention someone who can see this report with @name."),
        error_messages={"required": _("Write something before posting.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A new token each time the form is shown: posting the same form twice posts one comment.
    client_token = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4().hex)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before posting.")},
    )
