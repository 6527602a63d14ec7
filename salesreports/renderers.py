"""The form renderer: Django's, with the plain <input> widgets written out in Python.

Every text, number, hidden, email, date … field is rendered by Django through two templates
(the widget's, which includes input.html, which includes attrs.html): about a tenth of a
millisecond each, and the weekly report form has over forty of them. Here those widgets produce
the very same HTML directly (tests/project/test_renderers.py compares the two for each type);
every other widget, and any project override of a widget template, still goes through templates.
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

INPUT_TYPES = ("text", "number", "hidden", "email", "date", "datetime", "time", "password", "url", "search", "tel")
DJANGO_FORM_TEMPLATES = str(Path(django.forms.__file__).parent / "templates")
PLAIN_INPUTS = frozenset(f"django/forms/widgets/{name}.html" for name in INPUT_TYPES)


def _text(value) -> str:
    return conditional_escape(f"{value}")  # as {{ value|stringformat:'s' }} under autoescape


def render_input(widget: dict) -> SafeString:
    """input.html and attrs.html, in Python."""
    parts = [f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_text(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{_text(value)}"')
    parts.append(">")
    return mark_safe("".join(parts))


class FastInputRenderer(DjangoTemplates):
    def __init__(self):
        super().__init__()
        self._plain: dict[str, bool] = {}

    def render(self, template_name, context, request=None):
        if self._is_plain(template_name):
            return render_input(context["widget"])
        return super().render(template_name, context, request=request)

    def _is_plain(self, template_name: str) -> bool:
        """A plain input whose templates (and input.html, attrs.html) are Django's own: an app
        that overrides one of them gets its templates used."""
        if template_name not in PLAIN_INPUTS:
            return False
        if template_name not in self._plain:
            names = (template_name, "django/forms/widgets/input.html", "django/forms/widgets/attrs.html")
            self._plain[template_name] = all(
                self.get_template(name).template.origin.name.startswith(DJANGO_FORM_TEMPLATES) for name in names
            )
        return self._plain[template_name]
