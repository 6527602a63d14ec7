"""Filters on lists, and "export this list": one small helper every list page uses.

A list's filters are a Django form read from the query string, so a filtered list is a URL that
can be bookmarked and shared. Each filter field has a `filter_<name>(queryset, value)` method;
`apply()` runs those of the fields that were filled in and are valid. A bad value (a date that
is not one, a state that does not exist) shows its message next to the field, keeps what was
typed, and narrows nothing; the other filters still apply and the page never fails.

Chosen over django-filter: our lists filter on a handful of fields, several through the access
policy (whose teams, whose members), and a plain form with one method per field reads as what it
does; django-filter would add a dependency and a second way of declaring forms.

A list is a QuerySet, or a Python list where the page computes its rows (the review queue and
overview add up rosters): both export the same way.

Exports: the filtered rows go out at once as CSV or XLSX (teams.spreadsheets' writers)
up to EXPORT_AT_ONCE rows (setting EXPORT_AT_ONCE). A longer list goes through the worker: each
exportable list is registered here by name (`register_list`: rows for a person and a query
string, header, cells), and a higher app (summaries) registers the `LIST_WORKER` that stores the
list's name and query string on a job and, in the worker, rebuilds the same rows with the same
cells under the requester's access policy. teams stays the bottom layer: it imports neither.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from teams import spreadsheets

EXPORT_AT_ONCE = 5000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SMALL = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}

# A list's rows: a query, or rows the page computed.
Rows = QuerySet | Sequence


class FilterForm(forms.Form):
    """The filters of one list. Always bound (to the query string, empty or not)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        """A period's filters (fields `start` and `end`): a last day before the first is refused."""
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last day is before the first."))
            cleaned.pop("end", None)
        return cleaned

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


@dataclass(frozen=True)
class ExportableList:
    """A list that can be exported, rebuilt from who asks and the query string alone.

    rows(user, data) gives the filter form and the filtered rows the user may see (the page's
    own access policy); header() and title() are called in the language of the file."""

    rows: Callable[[Any, QueryDict], tuple[FilterForm, Rows]]
    header: Callable[[], list[str]]
    cells: Callable[[Any], list]
    filename: str
    title: Callable[[], str]


LISTS: dict[str, ExportableList] = {}

# Set by a higher app in its ready(): (user, list name, query string, file format) -> the URL of
# the job that renders the list in a worker. Raises ValidationError when it cannot be queued.
LIST_WORKER: list[Callable[..., str]] = []


def register_list(name: str, exportable: ExportableList) -> None:
    LISTS[name] = exportable


def moment_cell(moment: datetime.datetime | None) -> str:
    """A moment in an exported list: local time to the minute; none, an empty cell."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def row_count(rows: Rows, limit: int | None = None) -> int:
    """How many rows the list has (counting no further than limit + 1 when given)."""
    if isinstance(rows, QuerySet):
        return (rows if limit is None else rows[: limit + 1]).count()
    return len(rows)


def list_cells(name: str, rows: Rows) -> Iterator[list]:
    """The export's rows of a registered list, at once or in the worker: its cells, with
    translatable labels (choices' displays) turned into text."""
    cells = LISTS[name].cells
    for row in rows.iterator(chunk_size=spreadsheets.CHUNK) if isinstance(rows, QuerySet) else rows:
        yield [str(cell) if isinstance(cell, Promise) else cell for cell in cells(row)]


def export_at_once() -> int:
    return getattr(settings, "EXPORT_AT_ONCE", EXPORT_AT_ONCE)


def list_rows(name: str, user, data: QueryDict) -> tuple[FilterForm, Rows]:
    """The filter form and filtered rows of a registered list, as its page shows them."""
    return LISTS[name].rows(user, data)


def export_list(request, name: str, rows: Rows) -> HttpResponse | None:
    """The list as a download when the query string asks for one (?export=csv or xlsx): at once
    when it is short, otherwise a redirect to the worker's job for it; None when no export was
    asked for (or it could not be queued, with a message saying why)."""
    file_format = request.GET.get("export", "")
    if file_format not in FORMATS:
        return None
    exportable = LISTS[name]
    limit = export_at_once()
    if row_count(rows, limit) > limit:
        if not LIST_WORKER:
            messages.error(request, TOO_LONG % {"max": limit})
            return None
        query = request.GET.copy()
        for key in ("export", "page"):
            query.pop(key, None)
        try:
            url = LIST_WORKER[0](user=request.user, name=name, query=query.urlencode(), file_format=file_format)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return None
        messages.info(request, TO_WORKER % {"max": limit})
        return HttpResponseRedirect(url)
    return export_response(
        file_format=file_format,
        filename=exportable.filename,
        header=exportable.header(),
        rows=list_cells(name, rows),
        title=exportable.title(),
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


TO_WORKER = _(
    "This list has more than %(max)s rows: it is being prepared in the background. Download it here when it is ready."
)
TOO_LONG = _("This list has more than %(max)s rows: narrow it with the filters before exporting it.")
