from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sso.forms import PolicyLoginForm
from teams import access

BASELINE_ROWS = 50


@login_not_required
@never_cache
def healthz(request):
    """Liveness for load balancers and docker-compose: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    form_class = PolicyLoginForm
    redirect_authenticated_user = True


@require_GET
def baseline(request):
    """The benchmark's yardstick (routed only when BENCHMARK is on, see bench_urls.py): a page
    with the project's middleware and base template that lists 50 rows from one indexed query
    (the user's reports, by the author-and-week unique index). Key pages are timed against it."""
    reports = access.visible_reports(request.user).filter(author=request.user).order_by("-week_start")
    return render(request, "bench/baseline.html", {"reports": reports[:BASELINE_ROWS]})
