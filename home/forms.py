from django import forms
from django.utils.translation import gettext_lazy as _

from teams import filters
from teams.filters import FilterForm


class ReadingListFilter(FilterForm):
    """The director's reading list, narrowed to one team of the subtree."""

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, empty_label=_("Every team"), widget=forms.Select(attrs=filters.SMALL_SELECT)
    )

    def __init__(self, data=None, *, teams, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["team"].queryset = teams
