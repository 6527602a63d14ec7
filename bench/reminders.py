"""Benchmark: the reminder tick for 1,000 members in 40 teams (a script, not a test).

Builds a throwaway test database on whatever DATABASE_URL points at (SQLite by default; set
DATABASE_URL=postgres://... for the real thing), then times ticks at three moments: when every
member is due a reminder, when nothing new is due (all already sent), and at a quiet moment.
Prints a table of wall time and SQL queries. Run: `make bench-reminders`.
"""

import datetime
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEAMS, PER_TEAM = 40, 25


def build() -> None:
    from teams.models import Membership, Team, User, name_key
    from teams.services import create_team

    company = create_team(actor=None, name="基准公司", kind=Team.Kind.COMPANY, parent=None)
    regions = [create_team(actor=None, name=f"大区{i}", kind=Team.Kind.REGION, parent=company) for i in range(4)]
    teams = [create_team(actor=None, name=f"团队{i}", kind=Team.Kind.TEAM, parent=regions[i % 4]) for i in range(TEAMS)]
    users = User.objects.bulk_create(
        User(
            username=f"bench{i}",
            email=f"bench{i}@example.com",
            display_name=f"成员{i}",
            name_key=name_key(f"成员{i}"),
            password="!",
        )
        for i in range(TEAMS * PER_TEAM + TEAMS)
    )
    started = datetime.date(2025, 1, 1)
    Membership.objects.bulk_create(
        [
            Membership(user=user, team=teams[i % TEAMS], started_on=started, role=Membership.Role.SALESPERSON)
            for i, user in enumerate(users[: TEAMS * PER_TEAM])
        ]
        + [
            Membership(user=user, team=team, started_on=started, role=Membership.Role.MANAGER)
            for user, team in zip(users[TEAMS * PER_TEAM :], teams, strict=True)
        ]
    )


def measure(label: str, when: datetime.datetime) -> list[tuple]:
    """The tick itself, then (as in production, where a worker does it) sending its emails: the
    outer transaction holds the emails' on-commit queueing back until the tick is measured."""
    from reminders.services import run_tick

    with CaptureQueriesContext(connection) as emails:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = run_tick(now=when)
                elapsed = time.perf_counter() - start
            sending = time.perf_counter()
        sent_in = time.perf_counter() - sending
    rows = [(label, elapsed, len(queries), result.sent)]
    if result.sent:
        rows.append(("  then sending its emails (worker)", sent_in, len(emails) - len(queries), result.sent))
    return rows


def main() -> None:
    import logging

    logging.disable(logging.INFO)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        build()
        rows = [
            *measure("every member due (24 h reminder)", datetime.datetime(2026, 11, 19, 18, 5, tzinfo=SHANGHAI)),
            *measure("nothing new due (all sent)", datetime.datetime(2026, 11, 19, 18, 10, tzinfo=SHANGHAI)),
            *measure("quiet moment", datetime.datetime(2026, 11, 18, 11, 0, tzinfo=SHANGHAI)),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    members = TEAMS * PER_TEAM + TEAMS
    print(f"Reminder tick, {members} members in {TEAMS} teams, {connection.vendor}")
    print(f"{'moment':<36} {'seconds':>8} {'queries':>8} {'sent':>6}")
    for label, elapsed, count, sent in rows:
        print(f"{label:<36} {elapsed:>8.2f} {count:>8} {sent:>6}")


if __name__ == "__main__":
    main()
