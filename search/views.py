from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search import selectors, text
from search.forms import SearchForm

RESULTS_PER_PAGE = 20


@require_GET
def results(request):
    """Reports, comments and feedback the user may open that mention every term of the query."""
    form = SearchForm(request.GET or None, user=request.user)
    terms: list[text.Term] = []
    page = None
    if form.is_valid():
        terms = text.terms(form.cleaned_data["q"])
        if terms:
            entries = selectors.search(request.user, terms, form.filters())
            page = Paginator(entries, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            for entry in page:
                entry.passage = text.passage(entry.text, terms)
    return render(
        request,
        "search/results.html",
        {"form": form, "page": page, "query": form.data.get("q", ""), "has_terms": bool(terms)},
    )
