from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification


class EmailPreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("Send me an email when"),
        required=False,
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everything also appears in your notifications inbox."),
    )
