"""Filters on lists, and "export this list": one small helper every list page uses.

A list's filters are a Django form read from the query string, so a filtered list is a URL that
can be bookmarked and shared. Each filter field has a `filter_<name>(queryset, value)` method;
`apply()` runs those of the fields that were filled in and are valid. A bad value (a date that
is not one, a state that does not exist) shows its message next to the field, keeps what was
typed, and narrows nothing; the other filters still apply and the page never fails.

Chosen over django-filter: our lists filter on a handful of fields, several through the access
policy (whose teams, whose members), and a plain form with one method per field reads as what it
does; django-filter would add a dependency and a second way of declaring forms.

Exports: the filtered rows go out at once as CSV or XLSX (teams.spreadsheets' writers)
up to EXPORT_AT_ONCE rows; a longer list is refused with a message asking to narrow it (the
team exports on the dashboards go through the worker for whole periods).
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext_lazy as _

from teams import spreadsheets

EXPORT_AT_ONCE = 5000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SMALL = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


class FilterForm(forms.Form):
    """The filters of one list. Always bound (to the query string, empty or not)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        for field in self.fields.values():
            field.required = False

    def apply(self, queryset: QuerySet) -> QuerySet:
        """The queryset narrowed by every valid filled-in filter."""
        self.is_valid()
        for name, value in self.cleaned_data.items():
            method = getattr(self, f"filter_{name}", None)
            if method is not None and value not in (None, "", [], ()):
                queryset = method(queryset, value)
        return queryset

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)

    @property
    def query(self) -> str:
        """The filters as typed, for links that keep them (pages, exports)."""
        query = QueryDict(mutable=True)
        for name in self.fields:
            if self.data.get(name):
                query[name] = self.data[name]
        return query.urlencode()


def export_list(
    request, rows: QuerySet, *, filename: str, header: list[str], cells: Callable[[Any], list], title: str = ""
) -> HttpResponse | None:
    """The list as a download when the query string asks for one (?export=csv or xlsx) and it is
    short enough to write at once; otherwise None, with a message when it was too long."""
    file_format = request.GET.get("export", "")
    if file_format not in FORMATS:
        return None
    if rows[: EXPORT_AT_ONCE + 1].count() > EXPORT_AT_ONCE:
        messages.error(request, TOO_LONG % {"max": EXPORT_AT_ONCE})
        return None
    return export_response(
        file_format=file_format,
        filename=filename,
        header=header,
        rows=(cells(row) for row in rows.iterator(chunk_size=spreadsheets.CHUNK)),
        title=title,
    )


def export_response(
    *, file_format: str, filename: str, header: list[str], rows: Iterable[list], title: str = ""
) -> HttpResponse:
    """The rows as a download, in the file format asked for."""

    def no_progress(_count: int) -> None:
        return None

    row_iterator: Iterator[list] = iter(rows)
    if file_format == "xlsx":
        content = spreadsheets.write_xlsx(header, row_iterator, no_progress, title=title)
    else:
        content = spreadsheets.write_csv(header, row_iterator, no_progress)
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


TOO_LONG = _("This list has more than %(max)s rows: narrow it with the filters before exporting it.")
