"""The fast form renderer writes plain inputs exactly as Django's widget templates do."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from salesreports.renderers import FastInputRenderer


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="x", widget=forms.TextInput({"placeholder": "\"<&>'"}))
    number = forms.DecimalField(decimal_places=2, widget=forms.NumberInput({"step": "0.01", "class": "a b"}))
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False, disabled=True)
    date = forms.DateField(widget=forms.DateInput({"type": "date"}))
    time = forms.TimeField()
    datetime = forms.DateTimeField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(assume_scheme="https", widget=forms.URLInput({"autofocus": True, "hidden": False}))
    search = forms.CharField(widget=forms.TextInput({"type": "search", "data-x": "中文"}))
    tel = forms.CharField(widget=forms.TextInput({"type": "tel"}))
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "A <b>"), ('"x', "引号")])
    grouped = forms.ChoiceField(choices=[("Group <1>", [("g", "G")]), ("h", "H")], widget=forms.Select({"class": "s"}))
    radio = forms.ChoiceField(choices=[("done", "Done"), ("no", "<no>")], widget=forms.RadioSelect({"class": "r"}))
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])  # SelectMultiple: the same writer
    note = forms.CharField(widget=forms.Textarea)
    file = forms.FileField(widget=forms.FileInput({"accept": ".pdf,.png"}))


VALUES = {
    "text": '<script>"x"</script>',
    "number": "12.5",
    "hidden": "7",
    "email": "a@example.com",
    "date": datetime.date(2026, 12, 2),
    "time": "09:30",
    "datetime": "2026-12-02 09:30",
    "password": "p&w",
    "url": "https://example.com/?a=1&b=2",
    "search": "华为",
    "tel": "+86 138",
    "choice": "a",
    "grouped": "g",
    "radio": "no",
    "many": ["a", "b"],
    "note": "line\nline",
    "file": "",
}


@pytest.mark.parametrize("data", [None, VALUES, {"number": "x"}])
def test_every_field_renders_as_with_the_templates(data):
    slow = Everything(data, renderer=DjangoTemplates(), initial={"text": "初始"})
    fast = Everything(data, renderer=FastInputRenderer(), initial={"text": "初始"})
    for name in VALUES:
        assert str(fast[name]) == str(slow[name]), name
    for radio_fast, radio_slow in zip(fast["radio"], slow["radio"], strict=True):
        assert radio_fast.tag() == radio_slow.tag() and str(radio_fast) == str(radio_slow)
    assert fast.as_div() == slow.as_div()
