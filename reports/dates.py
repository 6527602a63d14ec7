"""The dates the app works with: from 2000-01-01 to the end of next year.

No report, target or log entry can be older than the app or more than a year ahead, and every date
in between has a whole week, month and quarter around it (year 1 and 9999 do not). Every `week=`,
`day=` and period parameter goes through `parse_day` (address bar: nearest valid date) or
`BoundedDateField` (forms: an error next to the field).
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)


def latest() -> datetime.date:
    return datetime.date(timezone.localdate().year + 1, 12, 31)


def is_supported(day: datetime.date) -> bool:
    return EARLIEST <= day <= latest()


def nearest_supported(day: datetime.date) -> datetime.date:
    return min(max(day, EARLIEST), latest())


def parse_day(text: str | None) -> datetime.date | None:
    """The date in an ISO `YYYY-MM-DD` parameter, moved into the supported range; None for anything
    that is not a date."""
    try:
        return nearest_supported(datetime.date.fromisoformat((text or "").strip()))
    except ValueError:
        return None


def out_of_range_message() -> str:
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": EARLIEST.isoformat(),
        "last": latest().isoformat(),
    }


class BoundedDateField(forms.DateField):
    """A date field that refuses dates outside the supported range with a message next to it."""

    def validate(self, value) -> None:
        super().validate(value)
        if value and not is_supported(value):
            raise forms.ValidationError(out_of_range_message(), code="out_of_range")
