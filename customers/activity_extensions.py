"""Activity extensions: fields that higher apps add to the one-line activity entry of the Today
page, acted on in the same transaction as the activity they come with.

customers sits below those apps and must not import them, so it owns this registry and a
higher app registers an extension in its AppConfig.ready() (the pipeline's: move an
opportunity's stage while logging a quote). The entry form adds each extension's fields and
includes its template inside the form (the Today page's and the edit page's alike);
services.log_activity, and update_activity when an entry is edited, hand the cleaned values to
the extension's apply() once the activity is saved. apply() raises ValidationError keyed by its
own field names to refuse: the whole entry is then rolled back and the errors show next to the
fields.
"""

from typing import Protocol

from django import forms


class ActivityExtension(Protocol):
    template: str  # included inside the entry form, with `form` in the context

    def fields(self, author) -> dict[str, forms.Field]:
        """The extra form fields for this author's entry; all optional."""
        ...

    def apply(self, *, actor, activity, data: dict) -> None:
        """Act on the cleaned values of fields(); raise ValidationError by field to refuse."""
        ...


_extensions: list[ActivityExtension] = []


def register(extension: ActivityExtension) -> None:
    if all(type(known) is not type(extension) for known in _extensions):
        _extensions.append(extension)


def registered() -> list[ActivityExtension]:
    return list(_extensions)
