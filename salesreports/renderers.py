"""The form renderer: Django's, with the plain <input>, <select>, <textarea> and radio widgets
written out in Python.

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

INPUT_TYPES = (
    "text",
    "number",
    "hidden",
    "email",
    "date",
    "datetime",
    "time",
    "password",
    "url",
    "search",
    "tel",
    "file",
)
DJANGO_FORM_TEMPLATES = str(Path(django.forms.__file__).parent / "templates")
PLAIN_INPUTS = frozenset(f"django/forms/widgets/{name}.html" for name in INPUT_TYPES)
SELECT, OPTION = "django/forms/widgets/select.html", "django/forms/widgets/select_option.html"
# A radio button: radio_option.html includes input_option.html, which wraps input.html in a label.
RADIO_OPTION = "django/forms/widgets/radio_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# What each widget template includes, all of which must be Django's own for it to be written here.
INCLUDES = {
    **{name: ("django/forms/widgets/input.html", "django/forms/widgets/attrs.html") for name in PLAIN_INPUTS},
    SELECT: (OPTION, "django/forms/widgets/attrs.html"),
    TEXTAREA: ("django/forms/widgets/attrs.html",),
    RADIO_OPTION: (
        "django/forms/widgets/input_option.html",
        "django/forms/widgets/input.html",
        "django/forms/widgets/attrs.html",
    ),
}


def _text(value) -> str:
    return conditional_escape(f"{value}")  # as {{ value|stringformat:'s' }} under autoescape


def _attrs(attrs: dict) -> str:
    """attrs.html, in Python."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(parts)


def render_input(widget: dict) -> SafeString:
    """input.html and attrs.html, in Python."""
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    return mark_safe(  # nosec B308, B703 # every value is escaped above
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def render_radio_option(widget: dict) -> SafeString:
    """radio_option.html (input_option.html), in Python."""
    field = render_input(widget)
    if not widget.get("wrap_label"):
        return field
    label_for = f' for="{conditional_escape(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    # input.html ends with a line break, which the include keeps (only the outer result is stripped).
    return mark_safe(f"<label{label_for}>{field}\n {conditional_escape(widget['label'])}</label>")  # nosec B308, B703 # every value is escaped above


def render_select(widget: dict) -> SafeString:
    """select.html and select_option.html, in Python, to the same whitespace: an included
    template keeps its closing line break; only the whole widget's output is stripped."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # nosec B308, B703 # every value is escaped above


def render_textarea(widget: dict) -> SafeString:
    """textarea.html, in Python (the line break after the opening tag is the template's)."""
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return mark_safe(  # nosec B308, B703 # every value is escaped above
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


WRITERS = {
    **dict.fromkeys(PLAIN_INPUTS, render_input),
    SELECT: render_select,
    RADIO_OPTION: render_radio_option,
    TEXTAREA: render_textarea,
}


class FastInputRenderer(DjangoTemplates):
    def __init__(self):
        super().__init__()
        self._plain: dict[str, bool] = {}

    def render(self, template_name, context, request=None):
        if self._is_plain(template_name) and self._options_are_plain(context["widget"]):
            return WRITERS[template_name](context["widget"])
        return super().render(template_name, context, request=request)

    def _is_plain(self, template_name: str) -> bool:
        """A widget whose templates (and those they include) are Django's own: an app that
        overrides one of them gets its templates used."""
        if template_name not in WRITERS:
            return False
        if template_name not in self._plain:
            names = (template_name, *INCLUDES[template_name])
            self._plain[template_name] = all(
                self.get_template(name).template.origin.name.startswith(DJANGO_FORM_TEMPLATES) for name in names
            )
        return self._plain[template_name]

    @staticmethod
    def _options_are_plain(widget: dict) -> bool:
        """A select's options use the standard option template (a custom widget may not)."""
        return all(
            option["template_name"] == OPTION
            for _name, options, _index in widget.get("optgroups", ())
            for option in options
        )
