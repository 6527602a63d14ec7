"""A quicker get_FOO_display() for choice fields shown in long lists (only where it pays: see
Activity.get_kind_display).

Django's generated version rebuilds a dict of the field's choices on every call (about 35 µs);
pages that name a choice on every row of a week's entries or of fifty customers notice. Declared
in the model's class body, this one is kept by Django (it only adds the method when the class
has none) and looks the label up in a dict made once:

    get_kind_display = choice_display("kind", Kind)
"""

from collections.abc import Callable

from django.db import models


def choice_display(field_name: str, choices: type[models.Choices]) -> Callable[[models.Model], object]:
    labels = dict(choices.choices)  # lazy labels: each is translated when shown

    def display(instance: models.Model):
        value = getattr(instance, field_name)
        return labels.get(value, value)

    display.__doc__ = f"The label of {field_name}'s value (its value when it is not a choice)."
    return display
