"""The load test's people (a script `make load` runs before starting the server).

Picks, in the large demo, salespeople with this week's report still open, the managers of their
teams and the directors, opens the salespeople's reports for this week, and gives each person a
logged-in session, as if they had signed in earlier in the day (logins, with their deliberately
slow password hashing, are not part of the mix). Writes bench/results/load-users.json for the
locustfile. Run with the same SECRET_KEY and DATABASE_URL as the server: sessions depend on both.
"""

import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "load-users.json"
SALESPEOPLE, MANAGERS = 60, 39


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def main() -> None:
    from demo import large as demo_large
    from reports import services as report_services
    from reports.models import WeeklyReport
    from teams.models import Membership, User

    if not demo_large.exists():
        raise SystemExit("The large demo is not in this database: make seed-large first.")
    # Not the benchmark's team (mgr01's): its drafts and queue are what bench/run.py measures.
    managers = list(
        Membership.objects.active()
        .filter(role=Membership.Role.MANAGER, team__kind="team", user__username__startswith="mgr")
        .exclude(user__username="mgr01")
        .select_related("user", "team")
        .order_by("user__username")[:MANAGERS]
    )
    teams = [m.team for m in managers]
    salespeople = []
    candidates = (
        Membership.objects.active()
        .filter(role=Membership.Role.SALESPERSON, team__in=teams, user__status=User.Status.ACTIVE)
        .select_related("user", "team")
        .order_by("user__username")
    )
    for membership in candidates:
        report = report_services.open_report(author=membership.user)
        if report.status == WeeklyReport.Status.DRAFT:
            salespeople.append((membership, report))
        if len(salespeople) == SALESPEOPLE:
            break
    directors = list(User.objects.filter(username__startswith="dir").order_by("username"))
    people = {
        "salespeople": [
            {"username": m.user.username, "session": session_for(m.user), "report": r.pk, "team": m.team_id}
            for m, r in salespeople
        ],
        "managers": [
            {"username": m.user.username, "session": session_for(m.user), "team": m.team_id} for m in managers
        ],
        "directors": [
            {
                "username": d.username,
                "session": session_for(d),
                "team": node.pk,
                "teams": [t.pk for t in teams if t.path.startswith(node.path)],
            }
            for d, node in ((d, Membership.objects.active().get(user=d).team) for d in directors)
        ],
        "csrf": secrets.token_hex(16),  # any 32 characters: the cookie and the header must match
        "week": report_services.current_week_start(report_services.settings_for(teams[0])).isoformat(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(people, indent=1))
    print(
        f"{len(people['salespeople'])} salespeople, {len(people['managers'])} managers, "
        f"{len(people['directors'])} directors with sessions: {OUT}"
    )


if __name__ == "__main__":
    main()
