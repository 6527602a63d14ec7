"""Benchmark: rendering the three kinds of PDF in a warm process (a script, not a test).

Builds a throwaway test database (DATABASE_URL, SQLite by default) with a 25-member team and a
quarter of submitted reports, renders each PDF once to warm up (imports, fonts), then times
RUNS renders of each and prints median time, pages and the process's peak memory.
Run: `make bench-pdf`.
"""

import datetime
import io
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = 5
MEMBERS = 25
WEEKS = 13
QUARTER = datetime.date(2026, 7, 1)


def build():
    from reports import services
    from reports.models import KPI
    from reviews import services as review_services
    from teams.models import Membership, Team, User
    from teams.services import create_team

    company = create_team(actor=None, name="基准公司", kind=Team.Kind.COMPANY, parent=None)
    team = create_team(actor=None, name="上海一组", kind=Team.Kind.TEAM, parent=company)
    manager = User.objects.create(username="manager", display_name="李经理")
    Membership.objects.create(user=manager, team=team, role=Membership.Role.MANAGER, started_on=QUARTER)
    kpis = list(KPI.objects.all())
    first_week = QUARTER - datetime.timedelta(days=QUARTER.weekday()) + datetime.timedelta(days=7)
    members = []
    for i in range(MEMBERS):
        member = User.objects.create(username=f"m{i}", display_name=f"销售{i:02d}")
        Membership.objects.create(user=member, team=team, started_on=QUARTER)
        members.append(member)
    for w in range(WEEKS):
        week = first_week + datetime.timedelta(days=7 * w)
        for i, member in enumerate(members):
            services.set_targets(
                actor=manager, member=member, week_start=week, values={k: Decimal(100 + i) for k in kpis}
            )
            report = services.open_report(author=member, week_start=week)
            data = {
                "summary": f"第{w + 1}周：拜访华为、比亚迪，推进合同。",
                "kpis": {k.pk: str(90 + (i * 7 + w * 3) % 40) for k in kpis},
                "plan_reviews": {r.pk: {"outcome": "done", "note": ""} for r in report.plan_reviews.all()},
                "problems": [
                    {"problem": "客户对价格敏感", "cause": "竞品降价", "action": "申请折扣", "help_needed": ""}
                ],
                "plan": [{"item": "跟进华为合同", "customer": "华为", "due_on": None}],
            }
            report = services.save_draft(report=report, editor=member, base_version=report.version, data=data)
            report = services.submit_report(report=report, by=member, at=services.settings_for(team).deadline_for(week))
            if i % 2:
                review_services.mark_reviewed(
                    report=report, reviewer=manager, praise="拜访量达标", suggestions="多接触决策层", goals=["签下华为"]
                )
    return team, members[0], first_week + datetime.timedelta(days=7 * (WEEKS - 1))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label, render):
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(render())).pages)  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return label, statistics.median(times), max(times), pages, peak_mb()


def main():
    import logging

    logging.disable(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from reports.models import WeeklyReport
        from summaries import pdf, rollups

        team, member, last_week = build()
        report = WeeklyReport.objects.filter(author=member).order_by("-week_start").first()
        end = datetime.date(2026, 9, 30)
        rows = [
            measure("one report", lambda: pdf.report_pdf(report, "zh-hans")),
            measure(
                f"team weekly summary ({MEMBERS} members)",
                lambda: pdf.team_week_pdf(rollups.team_week(team, last_week), "zh-hans"),
            ),
            measure(
                f"quarterly roll-up, team ({MEMBERS} members)",
                lambda: pdf.period_pdf(rollups.period(start=QUARTER, end=end, title="2026Q3", team=team), "zh-hans"),
            ),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"PDF rendering, warm process, median of {RUNS} ({connection.vendor})")
    print(f"{'PDF':<40} {'median s':>9} {'max s':>7} {'pages':>6} {'peak MB':>8}")
    for label, median, worst, pages, peak in rows:
        print(f"{label:<40} {median:>9.2f} {worst:>7.2f} {pages:>6} {peak:>8.0f}")


if __name__ == "__main__":
    main()
