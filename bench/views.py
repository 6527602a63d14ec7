from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports import access as report_access

BASELINE_ROWS = 50


@require_GET
def baseline(request):
    """The project's own yardstick, routed only by bench/urls.py: a page with the project's
    middleware and base template that lists 50 rows from one indexed query (the user's reports,
    by the author-and-week unique index). bench/run.py times it beside the floor."""
    reports = report_access.visible_reports(request.user).filter(author=request.user).order_by("-week_start")
    return render(request, "bench/baseline.html", {"reports": reports[:BASELINE_ROWS]})
