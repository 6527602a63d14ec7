"""The home page by role: what needs each person now, counted by the functions the linked pages
use, so the home's number is the linked page's number."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import Activity, Customer
from home.selectors import is_behind_target
from notifications.models import Notification
from reminders import services as reminder_services
from reports import services as report_services
from reports.customer_names import name_key
from reports.models import KPI, WeeklyReport
from reviews import services as review_services
from teams import services as team_services
from teams.models import MemberImport, User
from tests.factories import UserFactory
from tests.reports.test_services import MONDAY, at, fill
from tests.reviews.test_pages import FRIDAY, submitted, week_of_reports  # noqa: F401 (a fixture)

NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


# Salesperson ------------------------------------------------------------------------------------


def test_a_salesperson_sees_this_weeks_state_and_the_deadline_in_their_time_zone(client, rep, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    report_services.open_report(author=rep, week_start=MONDAY)
    response = home(client, rep)
    salesperson = response.context["salesperson"]
    assert salesperson.week == MONDAY
    assert salesperson.report.status == WeeklyReport.Status.DRAFT
    assert salesperson.deadline.utcoffset() == datetime.timedelta(hours=8)  # Asia/Shanghai
    assert salesperson.time_left > datetime.timedelta(0)
    page = response.content.decode()
    assert 'data-state="draft"' in page
    assert "Asia/Shanghai" in page


def test_a_day_off_on_the_deadline_moves_it_on_the_home_and_the_form_at_once(
    client, rep, admin, time_machine, django_capture_on_commit_callbacks
):
    """The team's calendar is kept between pages (reports.calendar.kept_calendar_for)."""
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=1), 10))
    report = report_services.open_report(author=rep, week_start=MONDAY)
    deadline = home(client, rep).context["salesperson"].deadline
    assert deadline.date() == FRIDAY
    form = reverse("reports:edit", args=[report.pk])
    assert f"{FRIDAY:%Y-%m-%d}" in client.get(form).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reminder_services.add_day_off(actor=admin, team=None, on=FRIDAY, name="公司活动")
    thursday = FRIDAY - datetime.timedelta(days=1)
    assert home(client, rep).context["salesperson"].deadline.date() == thursday
    page = client.get(form).content.decode()
    assert f"{thursday:%Y-%m-%d}" in page and f"{FRIDAY:%Y-%m-%d}" not in page


def test_a_returned_report_shows_with_its_reason(client, rep, lead, time_machine):
    time_machine.move_to(at(FRIDAY, 9))
    report = submitted(rep)
    review_services.return_for_revision(report=report, reviewer=lead, reason="请补充华为的报价")
    page = home(client, rep).content.decode()
    assert "请补充华为的报价" in page
    assert reverse("reports:edit", args=[report.pk]) in page


def test_unread_feedback_and_goals_to_answer_count_until_answered(
    client, rep, lead, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(FRIDAY, 9))
    report = submitted(rep)
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好", goals=["拿下宁德时代"])
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=1), 9))
    salesperson = home(client, rep).context["salesperson"]
    assert [goal.text for goal in salesperson.open_goals] == ["拿下宁德时代"]
    assert len(salesperson.unread_feedback) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.get(report.get_absolute_url())  # reading the report reads its feedback
    assert home(client, rep).context["salesperson"].unread_feedback == []


def test_follow_ups_due_are_the_ones_the_sales_log_lists(client, rep, team, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=3), 10))
    for day, (name, due) in enumerate((("华为", 1), ("中兴", 9))):
        Activity.objects.create(
            author=rep,
            team=team,
            customer=Customer.objects.create(name=name, key=name_key(name), owner=rep, created_on=MONDAY),
            kind=Activity.Kind.VISIT,
            occurred_on=MONDAY + datetime.timedelta(days=day),
            next_step="回访",
            next_step_on=MONDAY + datetime.timedelta(days=due),
        )
    count = home(client, rep).context["salesperson"].follow_ups_due
    log = client.get(reverse("customers:log"))
    assert count == len(log.context["follow_ups"]) == 1


# Manager ----------------------------------------------------------------------------------------


def test_a_long_backlog_lists_the_newest_eight_weeks_and_sums_up_the_earlier_ones(
    client, lead, rep, other_rep, time_machine
):
    weeks = [MONDAY - datetime.timedelta(weeks=back) for back in range(10)]
    for week in weeks:
        time_machine.move_to(at(week + datetime.timedelta(days=4), 12))
        submitted(rep, when=at(week + datetime.timedelta(days=4), 12), week=week)
        if week < weeks[7]:
            submitted(other_rep, when=at(week + datetime.timedelta(days=4), 12), week=week)
    time_machine.move_to(at(NEXT_MONDAY, 10))
    response = home(client, lead)
    page = response.content.decode().split('id="home-waiting"')[1].split("</ul>")[0]
    assert re.findall(r'data-week="([\d-]+)"', page) == [f"{week:%Y-%m-%d}" for week in weeks[:8]]
    assert 'data-count="waiting">12<' in page  # 10 of rep's, 2 of other_rep's: every week counts
    earlier = page.split("data-earlier-weeks")[1]
    assert f"?week={weeks[8]:%Y-%m-%d}" in earlier and "and 2 earlier weeks: 4" in earlier


def test_a_managers_counts_are_the_review_queues(client, lead, week_of_reports, time_machine):  # noqa: F811
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))  # reviews overdue
    manager = home(client, lead).context["manager"]
    assert manager.week == MONDAY
    queue = client.get(reverse("reviews:queue"), {"week": MONDAY.isoformat()})
    counts = queue.context["counts"]
    assert dict(manager.waiting_weeks)[MONDAY] == counts["awaiting"] == 2
    assert len(manager.overdue) == counts["overdue"] == 2
    assert len(manager.missing) == counts["missing"] == 2
    assert len(manager.late) == counts["late"] == 1
    assert manager.waiting_total == queue.context["waiting_total"]


def test_what_waits_for_a_managers_review_changes_at_once_and_turns_overdue_with_the_clock(
    client,
    lead,
    week_of_reports,  # noqa: F811
    time_machine,
    django_capture_on_commit_callbacks,
):
    """Kept between pages (reviews.queries.waiting_reports): the badge, the home's weeks and its
    overdue list follow each review and submission on the next page, and the review day's end."""

    def badge() -> int:
        page = client.get(reverse("reports:my")).content.decode()
        found = re.search(r'data-badge="awaiting">.*?</span>(\d+)</span>', page)
        return int(found.group(1)) if found else 0

    time_machine.move_to(at(MONDAY + datetime.timedelta(days=6), 10))  # the week closed, reviews not due
    manager = home(client, lead).context["manager"]
    assert manager.waiting_total == badge() == 2 and manager.overdue == []
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))  # past the review day
    assert len(home(client, lead).context["manager"].overdue) == 2
    with django_capture_on_commit_callbacks(execute=True):
        review_services.mark_reviewed(report=week_of_reports["on_time"], reviewer=lead, praise="好")
    manager = home(client, lead).context["manager"]
    assert manager.waiting_total == badge() == 1 and len(manager.overdue) == 1
    with django_capture_on_commit_callbacks(execute=True):
        report_services.submit_report(report=fill(week_of_reports["draft"]), by=week_of_reports["drafting"])
    manager = home(client, lead).context["manager"]
    assert manager.waiting_total == badge() == 2 and dict(manager.waiting_weeks)[MONDAY] == 2


def test_a_managers_missing_and_late_change_at_once(
    client,
    lead,
    week_of_reports,  # noqa: F811
    time_machine,
    django_capture_on_commit_callbacks,
):
    # Kept between views (reviews.queries.roster_entries): each change shows on the next one.
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    names = lambda entries: sorted(str(e.member) for e in entries)  # noqa: E731
    manager = home(client, lead).context["manager"]
    assert names(manager.missing) == ["缺席者", "草稿者"] and names(manager.late) == ["王芳"]
    with django_capture_on_commit_callbacks(execute=True):
        report_services.submit_report(report=fill(week_of_reports["draft"]), by=week_of_reports["drafting"])
    manager = home(client, lead).context["manager"]
    assert names(manager.missing) == ["缺席者"] and names(manager.late) == ["王芳", "草稿者"]
    with django_capture_on_commit_callbacks(execute=True):
        team_services.change_status(actor=lead, member=week_of_reports["absent"], status=User.Status.ON_LEAVE)
    assert home(client, lead).context["manager"].missing == []


def test_a_managers_members_behind_pace_are_the_dashboards_flags(client, lead, week_of_reports, time_machine):  # noqa: F811
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    manager = home(client, lead).context["manager"]
    board = client.get(
        reverse("insights:dashboard", args=[manager.team.pk]),
        {"period": "month", "day": manager.month_start.isoformat()},
    ).context["board"]
    assert [row.member for row in manager.behind_pace] == [row.member for row in board.members if row.is_flagged]
    week_board = client.get(
        reverse("insights:dashboard", args=[manager.team.pk]), {"period": "week", "day": MONDAY.isoformat()}
    ).context["board"]
    assert len(manager.recurring) == len(week_board.problems.by_member) + len(week_board.problems.by_customer)


# Director ---------------------------------------------------------------------------------------


def test_a_directors_reading_list_is_latest_first_and_filters_by_team(
    client,
    director,
    team,
    other_team,
    week_of_reports,  # noqa: F811
    time_machine,
):
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    response = home(client, director)
    listed = response.context["director"].reading_ids
    assert listed == [int(pk) for pk in re.findall(r'data-report="(\d+)"', response.content.decode())]
    assert week_of_reports["draft"].pk not in listed
    assert week_of_reports["elsewhere"].pk in listed
    submitted_at = [WeeklyReport.objects.get(pk=pk).submitted_at for pk in listed]
    assert submitted_at == sorted(submitted_at, reverse=True)
    filtered = client.get(reverse("home"), {"team": team.pk}).context["director"].reading_ids
    assert week_of_reports["elsewhere"].pk not in filtered and week_of_reports["on_time"].pk in filtered


def test_a_bad_team_filter_shows_a_message_and_the_whole_list(client, director, week_of_reports, time_machine):  # noqa: F811
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    client.force_login(director)
    response = client.get(reverse("home"), {"team": "99999"})
    assert response.status_code == 200
    assert response.context["reading_filter"].errors["team"]
    assert week_of_reports["elsewhere"].pk in response.context["director"].reading_ids


def test_a_directors_overdue_reviews_and_teams_behind_are_the_linked_pages(
    client,
    director,
    week_of_reports,  # noqa: F811
    time_machine,
):
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    director_home = home(client, director).context["director"]
    overview = client.get(reverse("reviews:overview"), {"week": director_home.week.isoformat()})
    behind = [row.team for row in overview.context["rows"] if row.is_behind]
    assert [row.team for row in director_home.behind_reviews] == behind
    assert director_home.behind_reviews  # the team's two reports wait past the review day
    compare = client.get(
        reverse("insights:compare", args=[director_home.node.pk]),
        {"period": "month", "day": director_home.month_start.isoformat()},
    )
    assert [c.team for c in director_home.behind_target] == [
        c.team for c in compare.context["columns"] if is_behind_target(c)
    ]


def test_a_directors_overdue_teams_follow_the_clock_and_the_reviews_at_once(
    client,
    director,
    lead,
    team,
    week_of_reports,  # noqa: F811
    time_machine,
    django_capture_on_commit_callbacks,
):
    """The rows are kept between visits; the review day's end still turns a team overdue, and a
    review takes it off the list on the next visit."""
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=3), 10))
    (row,) = [row for row in home(client, director).context["director"].behind_reviews if row.team == team]
    due = row.due_at
    time_machine.move_to(due - datetime.timedelta(minutes=1))
    assert team not in [row.team for row in home(client, director).context["director"].behind_reviews]
    time_machine.move_to(due + datetime.timedelta(minutes=1))
    assert team in [row.team for row in home(client, director).context["director"].behind_reviews]
    with django_capture_on_commit_callbacks(execute=True):
        for report in WeeklyReport.objects.filter(team=team, status=WeeklyReport.Status.SUBMITTED):
            reviewer = director if report.author == lead else lead
            review_services.mark_reviewed(report=report, reviewer=reviewer, praise="好")
    assert team not in [row.team for row in home(client, director).context["director"].behind_reviews]


# Admin ------------------------------------------------------------------------------------------


def test_an_admin_sees_what_needs_setting_up(client, admin, team, time_machine):
    time_machine.move_to(at(MONDAY, 10))
    UserFactory(username="lonely", display_name="无团队")
    MemberImport.objects.create(uploaded_by=admin, original_name="people.csv", file="imports/members/p.csv", rows=[])
    Notification.objects.create(
        recipient=admin, kind=Notification.Kind.HOLIDAYS, email_status=Notification.EmailStatus.FAILED
    )
    setup = {item.key: item.count for item in home(client, admin).context["setup"]}
    assert setup["no_team"] == 1
    assert setup["imports"] == 1
    assert setup["failed_email"] == 1
    schedule = client.get(reverse("reminders:schedule"))
    assert schedule.context["failed_emails"] == setup["failed_email"]
    members = client.get(reverse("teams:member_list"), {"team": "none"})
    assert [m.username for m in members.context["page"]] == ["lonely"]


def test_the_admin_home_counts_the_failing_robots_and_webhooks_their_pages_show(client, admin, team, other_team):
    from integrations.models import Delivery, Robot, Subscription

    def robot(name, **state):
        return Robot.objects.create(
            team=team, name=name, platform="wecom", url="https://example.com/wecom?key=k", **state
        )

    robot("paused", is_active=False, paused_at=at(MONDAY, 9), failures_in_a_row=5)
    robot("failing", failures_in_a_row=2, last_error="HTTP 500")
    robot("fine")
    robot("turned off", is_active=False)
    broken = Subscription.objects.create(name="CRM", url="https://example.com/hook", secret="s")
    Subscription.objects.create(name="BI", url="https://example.com/bi", secret="s")
    Delivery.objects.create(
        subscription=broken,
        event="report.submitted",
        key="k1",
        status=Delivery.Status.FAILED,
        next_attempt_at=at(MONDAY, 9),
    )
    setup = {item.key: item for item in home(client, admin).context["setup"]}
    assert setup["failing_robots"].count == 2
    assert setup["failing_robots"].url == reverse("integrations:robot_list")
    assert setup["failing_webhooks"].count == 1
    assert setup["failing_webhooks"].url == reverse("integrations:webhook_list")
    robots = client.get(setup["failing_robots"].url)
    assert len(robots.context["failing"]) == setup["failing_robots"].count
    assert f'data-count="{setup["failing_robots"].count}"' in robots.content.decode()
    webhooks = client.get(setup["failing_webhooks"].url)
    assert len(webhooks.context["failing"]) == setup["failing_webhooks"].count
    page = home(client, admin).content.decode()
    assert f'<a href="{reverse("integrations:robot_list")}">' in page
    # All well: nothing to set up there.
    Robot.objects.update(is_active=True, paused_at=None, failures_in_a_row=0)
    Delivery.objects.update(status=Delivery.Status.SENT)
    keys = [item.key for item in home(client, admin).context["setup"]]
    assert "failing_robots" not in keys and "failing_webhooks" not in keys


def test_the_admin_checks_are_a_list_another_app_extends(client, admin, monkeypatch):
    from home import selectors

    def check_robots(now):
        return selectors.SetupItem("robots", "Robots", "", "/", 2)

    monkeypatch.setattr(selectors, "ADMIN_CHECKS", [*selectors.ADMIN_CHECKS, check_robots])
    assert "robots" in [item.key for item in home(client, admin).context["setup"]]


def test_the_home_page_has_the_search_box_of_the_navigation(client, rep, lead):
    from tests.search.conftest import write

    report = write(rep, summary="拜访了宁德时代的采购部")
    page = home(client, lead).content.decode()
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*id="home-search-form">(.*?)</form>', page, re.S)
    assert form and 'id="nav-search"' in page
    assert form.group(1) == reverse("search:results") and 'name="q"' in form.group(2)
    assert 'for="home-search-form-q"' in form.group(2) and 'id="home-search-form-q"' in form.group(2)
    results = client.get(form.group(1), {"q": "宁德时代"})
    assert report.get_absolute_url() in results.content.decode()


@pytest.mark.parametrize("role", ["rep", "lead", "director", "admin", "nobody"])
def test_every_role_gets_a_home(client, role, request, db):
    user = UserFactory(username="nobody") if role == "nobody" else request.getfixturevalue(role)
    response = home(client, user)
    assert ("salesperson" in response.context and response.context["salesperson"] is not None) == (
        role in ("rep", "lead")
    )
    assert isinstance(user, User)


def test_a_salespersons_pace_is_their_member_page_for_the_month(client, rep, lead, time_machine):
    time_machine.move_to(at(FRIDAY, 9))
    kpi = KPI.objects.filter(is_active=True).first()
    report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={kpi: Decimal("10")})
    submitted(rep)
    salesperson = home(client, rep).context["salesperson"]
    member_page = client.get(
        reverse("insights:member", args=[rep.pk]), {"period": "month", "day": salesperson.month_start.isoformat()}
    )
    totals = {row["kpi"]: row["total"] for row in member_page.context["history"].kpis}
    assert [(p.total.kpi, p.total.actual, p.total.target) for p in salesperson.pace] == [
        (kpi, totals[kpi].actual, totals[kpi].target)
    ]
    assert salesperson.pace[0].total.target == Decimal("10")
