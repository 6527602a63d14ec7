"""The reviewer's forms: feedback that marks a report reviewed, and the reason for returning it."""

import uuid

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.forms import style
from reviews.services import MAX_GOALS
from teams import filters
from teams.filters import FilterForm
from teams.models import User

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


def _name_matches(person: User, name: str) -> bool:
    name = name.casefold()
    return name in (person.display_name or "").casefold() or name in person.username.casefold()


class QueueFilter(FilterForm):
    """The review queue narrowed to a member (part of the name) and one group of the week."""

    STATES = [
        ("", _("Every group")),
        ("awaiting", _("Awaiting review")),
        ("returned", _("Returned for revision")),
        ("reviewed", _("Reviewed")),
        ("overdue", _("Overdue reviews")),
        ("late", _("Late")),
        ("missing", _("Missing")),
        ("not_yet_due", _("Not yet due")),
        ("on_leave", _("On leave")),
    ]

    member = forms.CharField(
        label=_("Member"),
        max_length=100,
        widget=forms.TextInput(attrs={**filters.SMALL, "type": "search", "placeholder": _("Name")}),
    )
    state = forms.ChoiceField(label=_("Group"), choices=STATES, widget=forms.Select(attrs=filters.SMALL_SELECT))

    def filter_member(self, reports, name):
        return reports.filter(Q(author__display_name__icontains=name) | Q(author__username__icontains=name))

    def matches(self, person: User) -> bool:
        """Whether a roster entry's member passes the name filter (the roster is a list, not a query)."""
        self.is_valid()
        name = self.cleaned_data.get("member")
        return not name or _name_matches(person, name)


class OverviewFilter(FilterForm):
    """The reviews overview narrowed to teams or managers by name, and to the teams behind."""

    name = forms.CharField(
        label=_("Team or manager"),
        max_length=100,
        widget=forms.TextInput(attrs={**filters.SMALL, "type": "search", "placeholder": _("Name")}),
    )
    state = forms.ChoiceField(
        label=_("Reviews"),
        choices=[("", _("Every team")), ("behind", _("Reviews overdue")), ("on_time", _("Reviews on time"))],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )

    def rows(self, rows: list) -> list:
        """The overview's rows that pass the filters (rows are computed, not queried)."""
        self.is_valid()
        name, state = self.cleaned_data.get("name"), self.cleaned_data.get("state")
        if name:
            rows = [
                row
                for row in rows
                if name.casefold() in row.team.name.casefold() or any(_name_matches(m, name) for m in row.managers)
            ]
        if state:
            rows = [row for row in rows if row.is_behind == (state == "behind")]
        return rows
