"""The landing page (URL name `home`). It sits above the domain apps, so it may show any of them."""

from django.db.models import Count, Q
from django.shortcuts import render

from teams import access, services


def home(request):
    scope = access.scope(request.user)
    membership = services.current_membership(request.user)
    teams = access.visible_teams(request.user).filter(depth__lte=(membership.team.depth + 1) if membership else 1)
    return render(
        request,
        "home.html",
        {
            "membership": membership,
            "scope": scope,
            "teams": teams.annotate(member_count=_member_count())[:12] if scope.sees_teams else [],
        },
    )


def _member_count():
    return Count("memberships", filter=Q(memberships__ended_on__isnull=True), distinct=True)
