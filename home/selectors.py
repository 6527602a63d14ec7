"""What each person's home page shows: "what needs me now", by role.

Every count here is the number the linked page shows, because it comes from the function that
page calls: the roster (reports.roster) for who is missing or late, reviews.queries for what
waits for review, the dashboards (insights.dashboard) for pace and targets, customers.services
for follow-ups. The home only picks the period the linked page opens on and formats the result.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers import services as customer_services
from customers.models import Activity, LogImport
from insights import dashboard
from integrations import selectors as integration_selectors
from integrations.models import Robot, Subscription
from notifications import services as notification_services
from reminders import services as reminder_services
from reports import access as report_access
from reports import roster
from reports import services as report_services
from reports.calendar import effective_deadline, kept_calendar_for
from reports.models import KPI, PlanReview, TeamSettings, WeeklyReport
from reviews import queries as review_queries
from reviews.models import Feedback, FeedbackGoal, ReviewAction
from summaries import problems as problem_analysis
from summaries.rollups import KpiSeries, KpiTotal, kpi_series, period_bounds
from teams import access, versions
from teams.models import MemberImport, Team, User
from teams.selectors import without_team

READING_LIST = 20
RETURNED_SHOWN = 5
WAITING_WEEKS_SHOWN = 8  # the newest; the earlier ones are summed up in one line


def _settings_of(team: Team | None) -> TeamSettings:
    """The team's settings, read once per page: the sections of one home share them (the team
    object is the scope's, one per request)."""
    if team is None:
        return TeamSettings(time_zone=settings.TIME_ZONE)
    memo = vars(team)
    if "_home_settings" not in memo:
        memo["_home_settings"] = report_services.settings_for(team)
    return memo["_home_settings"]


def month_of(team_settings: TeamSettings, now: datetime.datetime | None = None) -> tuple[datetime.date, datetime.date]:
    """This month in the team's time zone: the period the pace figures cover."""
    today = timezone.localtime(now or timezone.now(), team_settings.zone).date()
    return period_bounds("month", today)


# Salesperson ------------------------------------------------------------------------------------


@dataclass
class Pace:
    """This month's figure of one KPI against its target, and how much of the month has gone."""

    total: KpiTotal
    month_done: float

    @property
    def is_behind(self) -> bool:
        rate = self.total.rate
        return rate is not None and float(rate) < self.month_done

    @property
    def month_done_percent(self) -> int:
        return round(self.month_done * 100)


@dataclass
class SalespersonHome:
    team: Team
    week: datetime.date
    report: WeeklyReport | None
    deadline: datetime.datetime
    time_zone: str
    time_left: datetime.timedelta | None
    returned: list[WeeklyReport]
    open_goals: list[FeedbackGoal]
    unread_feedback: list[Feedback]
    follow_ups_due: int
    month_start: datetime.date
    month_end: datetime.date
    pace: list[Pace]

    @property
    def is_submitted(self) -> bool:
        return self.report is not None and not self.report.is_editable_by_author


def returned_reports(user: User) -> QuerySet[WeeklyReport]:
    """The user's reports out for revision, each with the latest return (`latest_return`)."""
    returns = ReviewAction.objects.filter(kind=ReviewAction.Kind.RETURNED).select_related("actor").order_by("-pk")
    return (
        WeeklyReport.objects.filter(author=user, status=WeeklyReport.Status.RETURNED)
        .prefetch_related(Prefetch("review_actions", queryset=returns, to_attr="returns"))
        .order_by("-week_start")
    )


def open_goals(user: User, week: datetime.date) -> QuerySet[FeedbackGoal]:
    """Goals managers set on the user's report of the week before `week` that this week's report
    has not answered yet (the report's plan review asks for each)."""
    # A goal is carried only into its author's own reports, so any answer to it is the user's.
    # The feedback and its reviewer are read for the goals found only (most homes have none):
    # joined in, PostgreSQL took longer to plan the query than to run it (4.1 → 2.4 ms).
    answered = PlanReview.objects.filter(goal=OuterRef("pk")).exclude(outcome="")
    return (
        FeedbackGoal.objects.filter(
            feedback__report__author=user, feedback__report__week_start=week - datetime.timedelta(days=7)
        )
        .filter(~Exists(answered))
        .prefetch_related("feedback__reviewer")
        .order_by("position", "pk")
    )


def unread_feedback(user: User) -> QuerySet[Feedback]:
    """Feedback on the user's reports that they have not opened since it was given."""
    # The reports and reviewers are read for the feedback found only, as open_goals() does
    # (2.2 → 0.9 ms when there is none).
    return (
        Feedback.objects.filter(report__author=user, read_by_author_at__isnull=True)
        .prefetch_related("report", "reviewer")
        .order_by("-created_at")
    )


def follow_ups_due(user: User, today: datetime.date) -> int:
    """The sales log's overdue follow-ups of the user (the log page lists the same ones)."""
    return customer_services.overdue_follow_ups(Activity.objects.filter(author=user), today).count()


def month_series(user: User, month_start: datetime.date, month_end: datetime.date) -> KpiSeries:
    """The month's KPI totals as the member's page adds them up (its kpi_series), without the
    charts, reports and goals that page draws around them.

    Kept under the data version of the user's team when they were in it all month: submissions,
    returns, withdrawals, edits of returned reports, targets and KPI changes replace it. A report
    of the month written in a team left since would be changed under that team's version, so such
    a month is added up on each view."""

    def compute() -> KpiSeries:
        return kpi_series(start=month_start, end=month_end, member=user)

    membership = access.scope(user).membership
    if membership is None or membership.started_on > month_start:
        return compute()
    return versions.kept_for(user, ("month-pace", month_start, month_end), compute)


@dataclass
class OwnWeek:
    """What of a writer's own week their home lists, as read from the database."""

    report: WeeklyReport | None
    returned: list[WeeklyReport]
    open_goals: list[FeedbackGoal]
    unread_feedback: list[Feedback]
    follow_ups_due: int


def own_week(user: User, week: datetime.date, today: datetime.date) -> OwnWeek:
    """The user's report of `week`, what came back to them, the goals to answer, the feedback not
    yet read and the follow-ups due by `today` (their team's day). Kept for them under their
    team's data version and their own token (teams.versions.kept_for), which every change to
    these replaces: their reports opened, saved, submitted, withdrawn, reviewed (new feedback and
    goals) or returned, their feedback read (reports and reviews services); an entry logged,
    changed or removed on a customer they logged on, or the customer's status changed (customers
    services: a later entry by anyone settles a follow-up)."""

    def compute() -> OwnWeek:
        return OwnWeek(
            report=WeeklyReport.objects.filter(author=user, week_start=week).first(),
            returned=list(returned_reports(user)[:RETURNED_SHOWN]),
            open_goals=list(open_goals(user, week)),
            unread_feedback=list(unread_feedback(user)[:RETURNED_SHOWN]),
            follow_ups_due=follow_ups_due(user, today),
        )

    return versions.kept_for(user, ("own-week", week, today), compute)


def salesperson_home(user: User, now: datetime.datetime | None = None) -> SalespersonHome | None:
    """A report writer's week: this week's report and its deadline, what came back to them, and
    this month's pace. None for someone outside a team."""
    now = now or timezone.now()
    team = access.scope(user).own_team
    if team is None:
        return None
    team_settings = _settings_of(team)
    week = report_services.current_week_start(team_settings, now)
    deadline = effective_deadline(team_settings, week, kept_calendar_for(team)) or team_settings.deadline_for(week)
    month_start, month_end = month_of(team_settings, now)
    today = timezone.localtime(now, team_settings.zone).date()
    series = month_series(user, month_start, month_end)
    month_done = ((today - month_start).days + 1) / ((month_end - month_start).days + 1)
    own = own_week(user, week, today)
    return SalespersonHome(
        team=team,
        week=week,
        report=own.report,
        deadline=timezone.localtime(deadline, team_settings.zone),
        time_zone=team_settings.time_zone,
        time_left=deadline - now if deadline > now else None,
        returned=own.returned,
        open_goals=own.open_goals,
        unread_feedback=own.unread_feedback,
        follow_ups_due=own.follow_ups_due,
        month_start=month_start,
        month_end=month_end,
        pace=[Pace(total, month_done) for kpi in series.kpis if (total := series.total(kpi)).target],
    )


# Manager ----------------------------------------------------------------------------------------


@dataclass
class ManagerHome:
    team: Team
    week: datetime.date
    waiting_weeks: list[tuple[datetime.date, int]]
    overdue: list[review_queries.Waiting]
    missing: list[roster.Entry]
    late: list[roster.Entry]
    month_start: datetime.date
    behind_pace: list[dashboard.MemberRow]
    recurring: list[problem_analysis.Recurring] = field(default_factory=list)

    @property
    def waiting_total(self) -> int:
        return sum(n for _week, n in self.waiting_weeks)

    @property
    def newest_waiting_weeks(self) -> list[tuple[datetime.date, int]]:
        return self.waiting_weeks[:WAITING_WEEKS_SHOWN]

    @property
    def earlier_waiting(self) -> tuple[datetime.date, int, int] | None:
        """The weeks waiting before the newest ones shown: the latest of them (the queue opens
        there), how many weeks and how many reports; None when every week is shown."""
        earlier = self.waiting_weeks[WAITING_WEEKS_SHOWN:]
        return (earlier[0][0], len(earlier), sum(n for _week, n in earlier)) if earlier else None


def manager_home(user: User, now: datetime.datetime | None = None) -> ManagerHome | None:
    """A manager's desk: what waits for review, who is missing or late in the last closed week
    (the review queue's default week), who is behind this month, and what recurs."""
    s = access.scope(user)
    if not s.is_manager:
        return None
    team = s.own_team
    if team is None:
        return None
    now = now or timezone.now()
    team_settings = _settings_of(team)
    week = report_services.last_closed_week(team_settings, now)
    missing, late = missing_and_late(user, week, now)
    month_start, month_end = month_of(team_settings, now)
    behind_pace = dashboard.cached_flagged_members(team, team_settings, month_start, month_end, _primary_kpi())
    week_problems = problem_analysis.cached_overview(team, week, week + datetime.timedelta(days=6))
    waiting = review_queries.waiting_reports(user)  # read once for the weeks and the overdue ones
    return ManagerHome(
        team=team,
        week=week,
        waiting_weeks=review_queries.weeks_of(waiting),
        overdue=[w for w in waiting if now >= w.due_at],  # reviews.queries.is_overdue()'s rule
        missing=missing,
        late=late,
        month_start=month_start,
        behind_pace=behind_pace,
        recurring=[*week_problems.by_member, *week_problems.by_customer],
    )


def missing_and_late(
    user: User, week: datetime.date, now: datetime.datetime
) -> tuple[list[roster.Entry], list[roster.Entry]]:
    """Who of the people the user reviews (the review queue's roster) is missing or late in `week`."""
    people = [e for e in review_queries.roster_entries(user, week, now) if e.member.pk != user.pk]
    return [e for e in people if e.state == roster.State.MISSING], [e for e in people if e.state == roster.State.LATE]


def _primary_kpi() -> KPI | None:
    """The KPI the dashboard ranks and flags by when none is chosen (its form's default)."""
    return next(iter(KPI.objects.filter(is_active=True)), None)


# Director ---------------------------------------------------------------------------------------


@dataclass
class DirectorHome:
    node: Team
    week: datetime.date
    reading_ids: list[int]  # the reading list's reports, latest first
    reading: SafeString  # and as the page shows them (templates/home/_reading.html)
    behind_reviews: list[review_queries.TeamRow]
    month_start: datetime.date
    behind_target: list[dashboard.TeamColumn]


def reading_list(user: User, team: Team | None = None) -> QuerySet[WeeklyReport]:
    """The subtree's submitted reports, latest first, with their feedback: what a director reads."""
    reports = report_access.visible_reports(user).exclude(status=WeeklyReport.Status.DRAFT).exclude(author=user)
    if team is not None:
        reports = reports.filter(access.in_subtrees((team.path,)))
    return (
        reports.select_related("author", "team")
        .prefetch_related(Prefetch("feedback", queryset=Feedback.objects.select_related("reviewer")))
        .order_by("-submitted_at", "-pk")
    )


def kept_reading_list(user: User, team: Team | None) -> dict:
    """The latest reports of the user's subtree (or of `team` in it), drawn once and kept under
    the data version of the subtree: submissions, withdrawals, returns, reviews and their
    feedback, and team and people's names replace it."""

    def draw() -> dict:
        reports = list(reading_list(user, team)[:READING_LIST])
        html = render_to_string("home/_reading.html", {"reports": reports})
        return {"reading_ids": [report.pk for report in reports], "reading": html}

    return versions.kept_for(user, ("reading-list", team.pk if team else None), draw)


def director_home(user: User, team: Team | None = None, now: datetime.datetime | None = None) -> DirectorHome | None:
    """A director's reading: the latest reports of the subtree (or of `team` in it), the teams
    whose reviews are overdue (the reviews overview's week and rows), and the teams under the
    node behind target this month (the comparison page's figures)."""
    s = access.scope(user)
    if not s.readable_paths or s.is_manager:
        return None
    node = s.own_team
    if node is None:
        return None
    now = now or timezone.now()
    team_settings = _settings_of(node)
    week = report_services.last_closed_week(team_settings, now)
    month_start, month_end = month_of(team_settings, now)
    columns = dashboard.cached_compare(node, team_settings, month_start, month_end)
    return DirectorHome(
        node=node,
        week=week,
        **kept_reading_list(user, team),
        behind_reviews=review_queries.overdue_teams(user, week, now),
        month_start=month_start,
        behind_target=[column for column in columns if is_behind_target(column)],
    )


def is_behind_target(column: dashboard.TeamColumn) -> bool:
    """Behind target: the first KPI with a target is under it (the comparison page's first chart)."""
    for total in column.totals:
        if total.target:
            if total.actual is None:
                return True
            return total.actual < total.target if total.kpi.is_higher_better else total.actual > total.target
    return False


# Admin ------------------------------------------------------------------------------------------


@dataclass
class SetupItem:
    """One thing an administrator should set up or look at, with where to do it."""

    key: str
    title: str
    detail: str
    url: str
    count: int


def check_holidays(now: datetime.datetime) -> SetupItem | None:
    today = timezone.localdate(now)
    years = [row for row in reminder_services.coverage_warning(today) if row["year"] == today.year + 1]
    if not years:
        return None
    return SetupItem(
        "holidays",
        _("Next year's holidays are not confirmed"),
        _("The calendar uses %(count)s computed public holidays of %(year)s until you confirm them.")
        % {"count": len(years[0]["holidays"]), "year": years[0]["year"]},
        reverse("reminders:schedule"),
        len(years[0]["holidays"]),
    )


def check_failed_email(now: datetime.datetime) -> SetupItem | None:
    failed = notification_services.failed_email_count()
    if not failed:
        return None
    return SetupItem(
        "failed_email",
        _("Email is failing"),
        ngettext("%(count)s email could not be sent.", "%(count)s emails could not be sent.", failed)
        % {"count": failed},
        reverse("reminders:schedule"),
        failed,
    )


def check_pending_imports(now: datetime.datetime) -> SetupItem | None:
    members = list(MemberImport.objects.filter(status=MemberImport.Status.PREVIEWED).values_list("pk", flat=True))
    logs = list(LogImport.objects.filter(status=LogImport.Status.PREVIEWED).values_list("pk", flat=True))
    count = len(members) + len(logs)
    if not count:
        return None
    # The preview of the newest one: applying it there is one click.
    if members:
        url = reverse("teams:member_import_preview", args=[max(members)])
    else:
        url = reverse("customers:import_preview", args=[max(logs)])
    return SetupItem(
        "imports",
        _("Imports wait to be applied"),
        ngettext(
            "%(count)s uploaded spreadsheet was checked but not imported.",
            "%(count)s uploaded spreadsheets were checked but not imported.",
            count,
        )
        % {"count": count},
        url,
        count,
    )


def check_people_without_team(now: datetime.datetime) -> SetupItem | None:
    count = without_team(User.objects.all()).count()
    if not count:
        return None
    return SetupItem(
        "no_team",
        _("People without a team"),
        ngettext("%(count)s person is in no team.", "%(count)s people are in no team.", count) % {"count": count},
        reverse("teams:member_list") + "?team=none",
        count,
    )


def check_failing_robots(now: datetime.datetime) -> SetupItem | None:
    count = integration_selectors.failing_robots(Robot.objects.all()).count()
    if not count:
        return None
    return SetupItem(
        "failing_robots",
        _("Chat robots are failing"),
        ngettext("%(count)s chat robot is paused or failing.", "%(count)s chat robots are paused or failing.", count)
        % {"count": count},
        reverse("integrations:robot_list"),
        count,
    )


def check_failing_webhooks(now: datetime.datetime) -> SetupItem | None:
    count = integration_selectors.failing_subscriptions(Subscription.objects.all()).count()
    if not count:
        return None
    return SetupItem(
        "failing_webhooks",
        _("Webhooks are failing"),
        ngettext(
            "%(count)s webhook has deliveries that failed.", "%(count)s webhooks have deliveries that failed.", count
        )
        % {"count": count},
        reverse("integrations:webhook_list"),
        count,
    )


# What the admin home checks, in order. Another app adds its check with one line here.
ADMIN_CHECKS: list[Callable[[datetime.datetime], SetupItem | None]] = [
    check_holidays,
    check_failed_email,
    check_failing_robots,
    check_failing_webhooks,
    check_pending_imports,
    check_people_without_team,
]


def admin_home(user: User, now: datetime.datetime | None = None) -> list[SetupItem] | None:
    """What needs setting up, for administrators only."""
    if not access.is_admin(user):
        return None
    now = now or timezone.now()
    return [item for check in ADMIN_CHECKS if (item := check(now)) is not None]
