import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.dates import BoundedDateField
from search.selectors import Filters
from search.text import MAX_QUERY_LENGTH
from summaries.rollups import period_bounds
from teams import access
from teams.forms import IsoDateInput
from teams.models import Membership, Team, User

SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class SearchForm(forms.Form):
    """The query and its filters, all in the address so a search can be bookmarked and shared.

    Team and member filters are offered to those who read teams; the member list is the chosen
    team's (or, for a manager, their own subtree's), so it stays short at any company size."""

    PERIODS = [
        ("", _("Any time")),
        ("month", _("This month")),
        ("quarter", _("This quarter")),
        ("year", _("This year")),
    ]

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        widget=forms.TextInput(
            attrs={**SMALL, "type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": _("e.g. 宁德时代 报价")}
        ),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All teams"),
        widget=forms.Select(SELECT),
    )
    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        widget=forms.Select(SELECT),
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, widget=forms.Select(SELECT))
    start = BoundedDateField(label=_("Weeks from"), required=False, widget=IsoDateInput(SMALL))
    end = BoundedDateField(label=_("to"), required=False, widget=IsoDateInput(SMALL))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        s = access.scope(user)
        if not s.sees_teams:
            del self.fields["team"], self.fields["member"]
            return
        teams = access.visible_teams(user).order_by("path")
        self.fields["team"].queryset = teams
        team = self._chosen_team(teams)
        paths = (team.path,) if team else s.managed_paths
        if not paths:  # a director or admin who has not chosen a team: the whole company is too long a list
            del self.fields["member"]
            return
        members = Membership.objects.active().filter(access.in_subtrees(paths)).values("user_id")
        self.fields["member"].queryset = (
            access.visible_members(user).filter(pk__in=members).order_by("display_name", "username")
        )

    def _chosen_team(self, teams) -> Team | None:
        value = self.data.get("team", "")
        return teams.filter(pk=int(value)).first() if str(value).isdigit() else None

    def clean_q(self) -> str:
        """Long input is cut rather than refused: the search uses only its first words anyway."""
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        start, end = self._period(data.get("period") or "")
        return Filters(
            team=data.get("team"),
            member=data.get("member"),
            start=data.get("start") or start,
            end=data.get("end") or end,
        )

    @staticmethod
    def _period(kind: str) -> tuple[datetime.date | None, datetime.date | None]:
        today = timezone.localdate()
        if kind in ("month", "quarter"):
            return period_bounds(kind, today)
        if kind == "year":
            return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        return None, None
