import functools

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from search import selectors, text
from search.forms import SearchForm

RESULTS_PER_PAGE = 20
# Counting stops here: a common word in a year of a whole company's texts would otherwise cost a
# count of every match; the newest MAX_RESULTS can be paged through.
MAX_RESULTS = 5000


class CappedPaginator(Paginator):
    """Counts up to MAX_RESULTS + 1 matches, with the page's rows (one query), and pages through the
    first MAX_RESULTS. `newest_page(offset=, limit=, cap=)` finds a page's rows and the count
    (selectors.kept_newest_page for a person's search)."""

    def __init__(self, object_list, per_page, *, newest_page):
        super().__init__(object_list, per_page)
        self.newest_page = newest_page

    @cached_property
    def matches(self) -> int:
        return self.object_list.order_by()[: MAX_RESULTS + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.matches, MAX_RESULTS)

    @property
    def is_capped(self) -> bool:
        return self.matches > MAX_RESULTS

    def get_page(self, number):
        """The page and the count from `newest_page`; past the last page, the
        last page, as Paginator.get_page does."""
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        offset = (number - 1) * self.per_page
        if offset < MAX_RESULTS:
            rows, matches = self.newest_page(
                offset=offset, limit=min(self.per_page, MAX_RESULTS - offset), cap=MAX_RESULTS + 1
            )
            if rows or number == 1:
                self.__dict__["matches"] = matches
                return self._get_page(rows, number, self)
        return super().get_page(number)


@require_GET
def results(request):
    """Reports, comments and feedback the user may open that mention every term of the query."""
    form = SearchForm(request.GET or None, user=request.user)
    terms: list[text.Term] = []
    page = rows = None
    if form.is_valid():
        terms = text.terms(form.cleaned_data["q"])
        if terms:
            filters = form.filters()
            teams = selectors.reach(request.user)
            entries = selectors.search(request.user, terms, filters, teams)
            kept = functools.partial(selectors.kept_newest_page, request.user, terms, filters, teams)
            page = CappedPaginator(entries, RESULTS_PER_PAGE, newest_page=kept).get_page(request.GET.get("page"))
            rows = getattr(page.object_list, "html", None) or selectors.drawn_rows(list(page), terms)
    return render(
        request,
        "search/results.html",
        {"form": form, "page": page, "rows": rows, "query": form.data.get("q", ""), "has_terms": bool(terms)},
    )
