from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Robot, Subscription
from teams.forms import ServiceCheckedModelForm, TeamChoiceField


class RobotForm(ServiceCheckedModelForm):
    """The secret is never shown back: left empty, the stored one stays."""

    new_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk: the robot's 加签 secret (SEC…); Feishu / Lark: the signature secret; WeCom has none."),
    )
    url = forms.URLField(label=_("Webhook URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Robot.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Robot
        fields = ["team", "name", "platform", "url", "language", "events", "is_active"]
        field_classes = {"team": TeamChoiceField}
        help_texts = {
            "url": _("The robot's webhook address as the platform shows it, with its access token or key."),
            "is_active": _("A robot that keeps failing is paused; tick this to send to it again."),
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if self.instance.secret:
            self.fields["new_secret"].help_text = _("Stored: %(secret)s. Leave empty to keep it.") % {
                "secret": self.instance.masked_secret
            }


class SubscriptionForm(ServiceCheckedModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Subscription.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "is_active"]
