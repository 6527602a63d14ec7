from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams import access, filters, selectors
from teams.filters import FilterForm
from teams.models import Membership, Team, User


class CrispyMixin:
    """Crispy renders the fields; the template owns <form> so its hx-* attributes stay visible."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class IsoDateInput(forms.DateInput):
    """A date picker filled in as YYYY-MM-DD, the only value format <input type="date"> takes:
    the Chinese locale's 2026/12/03 leaves the picker blank, and the field then "required"."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%Y-%m-%d")


class ServiceCheckedModelForm(CrispyMixin, forms.ModelForm):
    """A ModelForm that checks each field, but leaves rules about other rows (unique names and
    emails, tree moves) to the service, which reports them against the right field."""

    def _post_clean(self):
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self._update_errors(exc)


def save_or_show_errors(form: forms.Form, change) -> bool:
    """Run a service call; put its ValidationError next to the form's fields instead of failing."""
    try:
        change()
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team: Team) -> str:
        return "\u3000" * team.depth + team.name


class TeamForm(ServiceCheckedModelForm):
    parent = TeamChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Parent"), empty_label=_("(top level)")
    )

    class Meta:
        model = Team
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Offering the team's own subtree as a parent would only produce an error.
            teams = teams.exclude(access.in_subtrees((self.instance.path,), prefix=""))
        self.fields["parent"].queryset = teams
        self.fields["name"].widget.attrs["autofocus"] = True


class MemberCreateForm(ServiceCheckedModelForm):
    team = TeamChoiceField(queryset=Team.objects.none(), label=_("Team"))
    role = forms.ChoiceField(choices=Membership.Role.choices, label=_("Role"), initial=Membership.Role.SALESPERSON)
    send_invitation = forms.BooleanField(label=_("Email an invitation to set a password"), required=False, initial=True)

    class Meta:
        model = User
        fields = ["display_name", "email", "username", "position", "phone", "wechat", "hired_on", "language"]
        widgets = {"hired_on": IsoDateInput()}
        help_texts = {"username": _("Optional: the email address is used when left empty.")}

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["email"].required = True
        self.fields["username"].required = False
        self.fields["display_name"].widget.attrs["autofocus"] = True


class MemberProfileForm(ServiceCheckedModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "position", "phone", "wechat", "hired_on", "language"]
        widgets = {"hired_on": IsoDateInput()}


class PreferencesForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "phone", "wechat"]


class MemberMoveForm(CrispyMixin, forms.Form):
    team = TeamChoiceField(queryset=Team.objects.none(), label=_("Team"))
    role = forms.ChoiceField(choices=Membership.Role.choices, label=_("Role"))
    on = forms.DateField(label=_("From"), widget=IsoDateInput())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["on"].initial = timezone.localdate()


class MemberStatusForm(CrispyMixin, forms.Form):
    status = forms.ChoiceField(choices=User.Status.choices, label=_("Status"))
    on = forms.DateField(label=_("From"), widget=IsoDateInput())
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label=_("Team"),
        help_text=_("Only when someone who left comes back."),
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices, label=_("Role"), initial=Membership.Role.SALESPERSON, required=False
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["on"].initial = timezone.localdate()


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for username-or-email; its error never says which part was wrong."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")
        self.fields["username"].widget.attrs["autofocus"] = True


class MemberFilter(FilterForm):
    """The members list: a name, email or phone, a team of the subtree (or none), a status."""

    NO_TEAM = "none"

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        widget=forms.TextInput(attrs={**filters.SMALL, "placeholder": _("Name, email or phone"), "type": "search"}),
    )
    team = forms.ChoiceField(label=_("Team"), widget=forms.Select(attrs=filters.SMALL_SELECT))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *User.Status.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )

    def __init__(self, data=None, *, teams, **kwargs):
        super().__init__(data, **kwargs)
        self.teams = {str(t.pk): t for t in teams}
        self.fields["team"].choices = [
            ("", _("All teams")),
            (self.NO_TEAM, _("In no team")),
            *[(pk, "\u3000" * t.depth + t.name) for pk, t in self.teams.items()],
        ]

    def filter_q(self, members, query):
        return members.filter(
            Q(display_name__icontains=query)
            | Q(email__icontains=query)
            | Q(username__icontains=query)
            | Q(phone__icontains=query)
        )

    def filter_team(self, members, team_id):
        if team_id == self.NO_TEAM:
            return selectors.without_team(members)
        path = self.teams[team_id].path
        return members.filter(
            access.in_subtrees((path,), prefix="memberships__team__"), memberships__ended_on__isnull=True
        )

    def filter_status(self, members, status):
        return members.filter(status=status)
