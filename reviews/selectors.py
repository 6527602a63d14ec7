"""Read-side builders of reviews that pages, PDFs and other apps share (views call them)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.text import duration_text
from reports import dates, roster
from reports import services as report_services
from reports.models import TeamSettings, WeeklyReport
from reviews import access as review_access
from reviews import queries, services
from reviews.forms import OverviewFilter, QueueFilter
from reviews.models import Comment, Feedback, ReportRead, ReviewAction
from teams import access, filters, versions
from teams.models import Team, User


def review_record_context(report: WeeklyReport) -> dict:
    """The feedback, review actions and read receipts of a report (reviews/_record.html), and
    the reason it was returned while it is out for revision.

    The feedback and actions are kept under the report's version, its team's data version and
    its author's own token: a review (feedback and goals) or a return bumps the version and
    replaces both; the author reading the feedback (its receipt) replaces the author's token."""

    def compute() -> tuple[list[ReviewAction], list[Feedback]]:
        return (
            list(ReviewAction.objects.filter(report=report).select_related("actor")),
            list(Feedback.objects.filter(report=report).select_related("reviewer").prefetch_related("goals")),
        )

    what = ("review-record", report.pk, report.version)
    actions, feedback_list = versions.kept_about(report.author_id, report.team_id, what, compute)
    returned = [a for a in actions if a.kind == ReviewAction.Kind.RETURNED]
    for feedback in feedback_list:
        feedback.report = report  # the receipt names its author: no query per feedback
    return {
        "feedback_list": feedback_list,
        "actions": actions,
        "reads": ReportRead.objects.filter(report=report).select_related("reader"),
        "latest_return": returned[-1] if returned and report.status == WeeklyReport.Status.RETURNED else None,
    }


def thread_comments(report: WeeklyReport) -> list[Comment]:
    """The report's comments, oldest first, with their authors: kept until one is added, changed
    or removed (services.thread_token) or someone's name changes (versions.ALL)."""
    return versions.cached_under(
        [versions.ALL, services.thread_token(report.pk)],
        ("thread", report.pk),
        lambda: list(Comment.objects.filter(report=report).select_related("author")),
    )


# The review queue and the overview, as their pages and exports list them ------------------------


def _calendar_team(s: access.Scope) -> Team | None:
    """The team whose calendar picks the default week: a reader's own team, else none."""
    return s.own_team if s.readable_paths else None


def team_settings_of(user: User, s: access.Scope) -> TeamSettings:
    """The calendar that picks the default week: the user's own team's, else the defaults."""
    team = _calendar_team(s)
    if team is not None:
        return report_services.settings_for(team)
    return TeamSettings(time_zone=settings.TIME_ZONE)


def week_from(data: QueryDict, team_settings: TeamSettings) -> datetime.date:
    """The week asked for in the query string, else the last closed week."""
    day = dates.parse_day(data.get("week"))
    return report_services.last_closed_week(team_settings) if day is None else team_settings.week_start_for(day)


@dataclass
class QueueRow:
    """One line of the queue as exported: a report in a group, or a person without one."""

    group: str
    member: User
    team: Team
    report: WeeklyReport | None = None
    deadline: datetime.datetime | None = None


@dataclass
class ReviewQueue:
    """A week of the reviewer's queue, filtered: what the page shows and the export lists."""

    week: datetime.date
    team: Team | None
    teams: list[Team]
    waiting: list[tuple[datetime.date, int]]
    due_at: datetime.datetime
    filter_form: QueueFilter
    groups: dict[str, list]
    sections: list[dict]

    @property
    def state(self) -> str:
        return self.filter_form.cleaned_data.get("state", "")

    @property
    def people_sections(self) -> list[tuple[str, str]]:
        """The groups of people without a report that the page lists under the report sections."""
        shown = [
            ("missing", _("Missing")),
            ("not_yet_due", _("Not yet due")),
            ("on_leave", _("On leave")),
        ]
        return [(key, title) for key, title in shown if self.state in ("", key)]

    @property
    def rows(self) -> list[QueueRow]:
        """Every line the page shows, in its order: the report sections, then the people."""
        rows = [
            QueueRow(str(section["title"]), report.author, report.team, report=report)
            for section in self.sections
            for report in section["rows"]
        ]
        for key, title in self.people_sections:
            rows += [QueueRow(str(title), e.member, e.team, deadline=e.deadline) for e in self.groups[key]]
        return rows

    @property
    def query(self) -> str:
        """The week, team and filters shown, for links that must give the same list (exports)."""
        query = QueryDict(self.filter_form.query, mutable=True)
        query["week"] = self.week.isoformat()
        if self.team is not None:
            query["team"] = str(self.team.pk)
        return query.urlencode()


def _queue_week(user: User, data: QueryDict, team_settings: TeamSettings) -> tuple[datetime.date, list]:
    """The week asked for; else the last closed week, unless reports wait only in other weeks:
    then the newest week with reports waiting. Also every week with reports waiting."""
    waiting = queries.waiting_weeks(user)
    if data.get("week"):
        return week_from(data, team_settings), waiting
    week = report_services.last_closed_week(team_settings)
    if waiting and week not in {w for w, _n in waiting}:
        week = waiting[0][0]
    return week, waiting


def review_queue(user: User, data: QueryDict) -> ReviewQueue:
    """The reviewer's queue for the week, team and filters in the query string `data`. Raises
    Http404 for someone who reviews nobody, or a team outside the reviewer's reach."""
    s = queries.require_reviewer(user)
    team_settings = team_settings_of(user, s)
    week, waiting = _queue_week(user, data, team_settings)
    managed = None if s.is_admin else s.managed_paths
    teams = list(access.visible_teams(user).filter(access.in_subtrees(managed, prefix="")))
    week_reports = queries.reports_to_review(user).filter(week_start=week)
    team = None
    if data.get("team"):
        team = next((t for t in teams if str(t.pk) == data["team"]), None)
        if team is None:
            raise Http404
        week_reports = week_reports.filter(access.in_subtrees((team.path,)))
    filter_form = QueueFilter(data)
    reports = list(
        filter_form.apply(week_reports)
        .select_related("author", "team")
        .defer("summary", "custom_values", "section_comments")  # the queue lists, it does not read
        .order_by("submitted_at", "pk")
    )
    people = [
        entry
        for entry in queries.roster_entries(user, week)
        if (team is None or entry.team.path.startswith(team.path))
        and entry.member.pk != user.pk
        and filter_form.matches(entry.member)
    ]
    # The reports of the team whose settings picked the week need not read them again.
    calendar_team = _calendar_team(s)
    known = {calendar_team.pk: team_settings} if calendar_team is not None else {}
    others = [team for pk, team in {r.team_id: r.team for r in reports}.items() if pk not in known]
    settings_of = {**known, **report_services.settings_by_team(others)}
    now = timezone.now()
    for report in reports:
        report.is_overdue = queries.is_overdue(report, settings_of[report.team_id], now)

    by_status = {status: [r for r in reports if r.status == status] for status in WeeklyReport.Status.values}
    by_state = {state: [e for e in people if e.state == state] for state in roster.State.values}
    groups = {
        "awaiting": by_status[WeeklyReport.Status.SUBMITTED],
        "returned": by_status[WeeklyReport.Status.RETURNED],
        "reviewed": by_status[WeeklyReport.Status.REVIEWED],
        "late": by_state[roster.State.LATE],
        "missing": by_state[roster.State.MISSING],
        "not_yet_due": by_state[roster.State.NOT_YET_DUE],
        "on_leave": by_state[roster.State.ON_LEAVE],
        "overdue": [r for r in reports if r.is_overdue],
    }
    sections: list[dict[str, Any]] = [
        {"key": "awaiting", "title": _("Awaiting review"), "empty": _("Nothing is waiting for review.")},
        {"key": "returned", "title": _("Returned for revision"), "empty": _("No report is out for revision.")},
        {"key": "reviewed", "title": _("Reviewed"), "empty": _("No report has been reviewed yet.")},
    ]
    for section in sections:
        section["rows"] = groups[section["key"]]
    state = filter_form.cleaned_data.get("state")
    if state == "overdue":
        sections = [{**sections[0], "key": "overdue", "title": _("Overdue reviews"), "rows": groups["overdue"]}]
    elif state == "late":
        rows = [r for r in reports if r.is_late]
        sections = [{**sections[0], "key": "late", "title": _("Late"), "rows": rows}]
    elif state:
        sections = [section for section in sections if section["key"] == state]
    return ReviewQueue(
        week=week,
        team=team,
        teams=teams,
        waiting=waiting,
        due_at=team_settings.review_due_for(week),
        filter_form=filter_form,
        groups=groups,
        sections=sections,
    )


def queue_rows(user: User, data: QueryDict) -> tuple[QueueFilter, list[QueueRow]]:
    """The queue's lines for "export this list" (teams.filters)."""
    queue = review_queue(user, data)
    return queue.filter_form, queue.rows


def _queue_cells(row: QueueRow) -> list:
    report = row.report
    submitted = report.submitted_at if report is not None else None
    return [
        row.group,
        str(row.member),
        row.team.name,
        report.get_status_display() if report is not None else "",
        filters.moment_cell(submitted),
        duration_text(report.late_by) if report is not None and report.is_late else "",
        _("review overdue") if getattr(report, "is_overdue", False) else "",
        filters.moment_cell(row.deadline),
    ]


QUEUE_LIST = filters.ExportableList(
    rows=queue_rows,
    header=lambda: [
        _("Group"),
        _("Member"),
        _("Team"),
        _("Status"),
        _("Submitted at"),
        _("Late by"),
        _("Review"),
        _("Due"),
    ],
    cells=_queue_cells,
    filename="review-queue",
    title=lambda: _("Review queue"),
)


@dataclass
class ReviewOverview:
    """A week of the reviews overview, filtered, with the totals of the rows shown."""

    week: datetime.date
    filter_form: OverviewFilter
    rows: list[queries.TeamRow]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(row, name) for row in self.rows) for name in OVERVIEW_COUNTS}

    @property
    def query(self) -> str:
        query = QueryDict(self.filter_form.query, mutable=True)
        query["week"] = self.week.isoformat()
        return query.urlencode()


OVERVIEW_COUNTS = (
    "expected",
    "submitted",
    "reviewed",
    "pending",
    "overdue",
    "returned",
    "late",
    "not_yet_due",
    "missing",
    "on_leave",
)


def review_overview(user: User, data: QueryDict) -> ReviewOverview:
    """The overview of the subtree's reviews for the week and filters in `data`; Http404 for
    those who have no overview (see reviews.access)."""
    review_access.require_review_overview(user)
    week = week_from(data, team_settings_of(user, access.scope(user)))
    filter_form = OverviewFilter(data)
    return ReviewOverview(week=week, filter_form=filter_form, rows=filter_form.rows(queries.overview(user, week)))


def overview_rows(user: User, data: QueryDict) -> tuple[OverviewFilter, list[queries.TeamRow]]:
    """The overview's rows for "export this list" (teams.filters)."""
    overview = review_overview(user, data)
    return overview.filter_form, overview.rows


def _overview_cells(row: queries.TeamRow) -> list:
    return [
        row.team.name,
        "、".join(str(manager) for manager in row.managers),
        *(getattr(row, name) for name in OVERVIEW_COUNTS),
        filters.moment_cell(row.due_at),
    ]


OVERVIEW_LIST = filters.ExportableList(
    rows=overview_rows,
    header=lambda: [
        _("Team"),
        _("Managers"),
        _("Expected"),
        _("Submitted"),
        _("Reviewed"),
        _("Pending"),
        _("Overdue"),
        _("Returned"),
        _("Late"),
        _("Not yet due"),
        _("Missing"),
        _("On leave"),
        _("Reviews due"),
    ],
    cells=_overview_cells,
    filename="reviews-overview",
    title=lambda: _("Reviews overview"),
)
