"""The home page: what needs each person now, by role (home/selectors.py)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from home import selectors
from home.forms import ReadingListFilter
from teams import access


@require_GET
def home(request):
    user = request.user
    s = access.scope(user)
    reading_filter = None
    director = None
    if s.readable_paths and not s.is_manager:
        reading_filter = ReadingListFilter(request.GET, teams=access.visible_teams(user).order_by("path"))
        reading_filter.is_valid()
        director = selectors.director_home(user, team=reading_filter.cleaned_data.get("team"))
    return render(
        request,
        "home/home.html",
        {
            "membership": s.membership,
            "scope": s,
            "salesperson": selectors.salesperson_home(user) if access.writes_reports(user) else None,
            "manager": selectors.manager_home(user),
            "director": director,
            "reading_filter": reading_filter,
            "setup": selectors.admin_home(user),
        },
    )
