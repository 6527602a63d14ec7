"""Who and what the benchmarks ask about, found in whichever demo the database holds (the large
one, `make seed-large`, or the small one, `seed_demo`). Import after django.setup()."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

LOGINS = {  # director, manager (of a 25-member team in the large demo); the salesperson is found
    "large": ("dir00", "mgr01"),
    "small": ("zhaoming", "liqiang"),
}


def require_large() -> None:
    from demo import large as demo_large

    if not demo_large.exists():
        raise SystemExit(
            "The large demo is not in this database. Seed it first: "
            "createdb bench_large; DATABASE_URL=postgres://…/bench_large make seed-large"
        )


@dataclass
class Subjects:
    """The people and objects the pages are asked about, found in whichever data set is loaded."""

    director: object
    manager: object
    salesperson: object
    team: object
    company: object
    draft: object  # this week's report of the salesperson, open for writing
    reviewed: object  # the salesperson's latest reviewed report (feedback, comments)
    awaiting: object  # a report waiting in the manager's queue
    quarter: str  # any day of the last full quarter
    month: tuple[datetime.date, datetime.date]  # the last full month

    @classmethod
    def find(cls, dataset: str) -> "Subjects":
        from reports import services as report_services
        from reports.models import WeeklyReport
        from reviews import queries
        from summaries.rollups import period_bounds
        from teams.models import Membership, User

        director_name, manager_name = LOGINS[dataset]
        director = User.objects.get(username=director_name)
        manager = User.objects.get(username=manager_name)
        team = Membership.objects.active().get(user=manager).team
        company = Membership.objects.active().get(user=director).team
        salespeople = User.objects.filter(
            memberships__team=team,
            memberships__ended_on__isnull=True,
            memberships__role=Membership.Role.SALESPERSON,
            status=User.Status.ACTIVE,
        ).order_by("username")
        this_week = report_services.current_week_start(report_services.settings_for(team))
        salesperson = next(
            (
                person
                for person in salespeople
                if not WeeklyReport.objects.filter(author=person, week_start=this_week)
                .exclude(status=WeeklyReport.Status.DRAFT)
                .exists()
                and WeeklyReport.objects.filter(author=person, status=WeeklyReport.Status.REVIEWED).exists()
            ),
            None,
        )
        if salesperson is None:
            raise SystemExit(f"Nobody in {team} has this week's report open any more: seed the demo again.")
        draft = report_services.open_report(author=salesperson)
        reviewed = WeeklyReport.objects.filter(author=salesperson, status=WeeklyReport.Status.REVIEWED).latest(
            "week_start"
        )
        awaiting = _with_last_weeks_feedback(queries.awaiting(manager).order_by("-week_start", "submitted_at"))
        today = timezone.localdate()
        quarter_start, _ = period_bounds("quarter", today)
        month_end = today.replace(day=1) - datetime.timedelta(days=1)
        return cls(
            director=director,
            manager=manager,
            salesperson=salesperson,
            team=team,
            company=company,
            draft=draft,
            reviewed=reviewed,
            awaiting=awaiting,
            quarter=(quarter_start - datetime.timedelta(days=1)).isoformat(),
            month=(month_end.replace(day=1), month_end),
        )


def _with_last_weeks_feedback(waiting):
    """The first waiting report whose author's previous report has feedback, as most have on a
    review day (the page then shows it, with its goals); else the first one."""
    from reports.models import WeeklyReport
    from reviews.models import Feedback

    for report in waiting[:50]:
        previous = (
            WeeklyReport.objects.filter(author_id=report.author_id, week_start__lt=report.week_start)
            .order_by("-week_start")
            .first()
        )
        if previous is not None and Feedback.objects.filter(report=previous).exists():
            return report
    return waiting.first()
