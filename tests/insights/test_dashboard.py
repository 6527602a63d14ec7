"""The team dashboard: numbers added up as each KPI says, people counted where they were that
week, submission discipline, the flag on members who need help, and what bad input gets."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from reminders.services import add_day_off
from reports import services as report_services
from teams.models import Membership
from tests.factories import member_of
from tests.reports.test_writing import posted
from tests.reviews.test_pages import submitted

WEEKS = [datetime.date(2026, 11, 2), datetime.date(2026, 11, 9), datetime.date(2026, 11, 16)]
NOVEMBER = {"period": "month", "day": "2026-11-20"}


def report_week(member, week, kpis, sales, satisfaction=None, pipeline=None, target=None, lead=None, when=None):
    report = submitted(
        member,
        week=week,
        when=when or report_services.settings_for(member.memberships.get(ended_on=None).team).deadline_for(week),
    )
    values = {"sales": sales, "satisfaction": satisfaction, "pipeline": pipeline}
    for key, value in values.items():
        if value is not None:
            report.kpi_values.update_or_create(kpi=kpis[key], defaults={"actual": Decimal(value)})
    if target is not None:
        report_services.set_targets(actor=lead, member=member, week_start=week, values={kpis["sales"]: Decimal(target)})
    return report


def board(client, who, team, **params):
    client.force_login(who)
    response = client.get(reverse("insights:dashboard", args=[team.pk]), {**NOVEMBER, **params})
    assert response.status_code == 200
    return response.context["board"], response


def test_totals_add_up_as_each_kpi_says_and_compare_with_the_previous_period(client, lead, rep, other_rep, team, kpis):
    for week, (a, b) in zip(WEEKS, [(100, 50), (200, 50), (300, 100)], strict=True):
        report_week(rep, week, kpis, a, satisfaction=4, pipeline=a // 10, target=150, lead=lead)
        report_week(other_rep, week, kpis, b, satisfaction=2, pipeline=b // 10, target=100, lead=lead)
    report_week(rep, datetime.date(2026, 10, 26), kpis, 400)  # the previous period's only sale
    dashboard, _ = board(client, lead, team)
    totals = {t.kpi.code: t for t in dashboard.totals}
    assert totals["sales_amount"].current.actual == Decimal(800)
    assert totals["sales_amount"].current.target == Decimal(750)
    assert totals["sales_amount"].change == Decimal(1)  # 800 against 400: +100 %
    assert totals["satisfaction"].current.actual == Decimal("3.00")  # averaged over people and weeks
    assert totals["pipeline"].current.actual == Decimal(20)  # latest week: (30 + 10) / 2 people
    rows = {row.member: row for row in dashboard.members}
    sales = {member: row.cells[0] for member, row in rows.items()}
    assert (sales[rep].actual, sales[rep].target, sales[rep].rank) == (Decimal(600), Decimal(450), 1)
    assert (sales[other_rep].actual, sales[other_rep].rank) == (Decimal(200), 2)
    assert rows[rep].cells[2].actual == Decimal(30)  # pipeline: the latest week
    assert dashboard.members[0].member == rep  # ranked by sales


def test_a_member_who_moved_counts_in_the_team_where_they_were_that_week(
    client, lead, other_lead, rep, team, other_team, kpis
):
    report_week(rep, WEEKS[0], kpis, 100, target=100, lead=lead)
    report_week(rep, WEEKS[1], kpis, 200, target=100, lead=lead)
    Membership.objects.filter(user=rep).update(ended_on=WEEKS[2])
    Membership.objects.create(user=rep, team=other_team, started_on=WEEKS[2])
    report_week(rep, WEEKS[2], kpis, 700, target=500, lead=other_lead)
    before, _ = board(client, lead, team)
    after, _ = board(client, other_lead, other_team)
    assert before.totals[0].current.actual == Decimal(300) and before.totals[0].current.target == Decimal(200)
    assert after.totals[0].current.actual == Decimal(700) and after.totals[0].current.target == Decimal(500)
    assert [(r.member, r.cells[0].actual) for r in before.members] == [(rep, Decimal(300))]


def test_submission_discipline_counts_on_time_late_and_missing(client, lead, rep, other_rep, team, kpis, time_machine):
    # Wednesday 25 November: the weeks of 2, 9 and 16 November are closed, 23 is under way.
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC))
    absent = member_of(team, username="absent")
    for week in WEEKS:
        report_week(rep, week, kpis, 1)
    report_week(other_rep, WEEKS[0], kpis, 1, when=datetime.datetime(2026, 11, 7, 9, tzinfo=datetime.UTC))  # late
    dashboard, page = board(client, lead, team)
    discipline = dashboard.discipline
    # The week of 23 November has begun: its three people are expected, not yet due.
    assert (discipline.expected, discipline.on_time, discipline.late, discipline.missing) == (12, 3, 1, 5)
    assert discipline.not_yet_due == 3
    assert absent in [row.member for row in dashboard.members]
    assert 'data-rate="on_time">33%' in page.content.decode()


def test_members_under_80_percent_two_weeks_running_are_flagged(client, lead, rep, other_rep, team, kpis):
    for week, (a, b) in zip(WEEKS, [(70, 70), (70, 90), (90, 70)], strict=True):
        report_week(rep, week, kpis, a, target=100, lead=lead)
        report_week(other_rep, week, kpis, b, target=100, lead=lead)
    dashboard, page = board(client, lead, team)
    flagged = {row.member for row in dashboard.members if row.is_flagged}
    assert flagged == {rep}  # 70 % then 70 %; other_rep never twice in a row
    assert page.content.decode().count("data-flagged") == 1


NEXT_YEAR = f"{datetime.date.today().year + 1}-01-01"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "month", "day": NEXT_YEAR}, "day", "This period has not started yet."),
        ({"period": "month", "day": "0001-01-01"}, "day", "Choose a date between 2000-01-01 and"),
        ({"period": "custom", "start": "2026-11-01", "end": "9999-12-31"}, "end", "Choose a date between 2000-01-01"),
        ({"period": "custom", "start": "2026-11-20", "end": "2026-11-01"}, "end", "The last day is before the first."),
        ({"period": "custom", "start": "2024-01-01", "end": "2026-11-01"}, "end", "Choose at most a year."),
        ({"period": "custom", "start": "", "end": "2026-11-01"}, "start", "Choose the first day."),
        ({"period": "month", "day": "2026-11-01", "kpi": "bogus"}, "kpi", "Unknown KPI “bogus”."),
        ({"period": "decade"}, "period", "Select a valid choice."),
    ],
)
def test_bad_periods_and_kpis_get_a_message_next_to_the_field(client, lead, team, params, field, message):
    client.force_login(lead)
    response = client.get(reverse("insights:dashboard", args=[team.pk]), params)
    assert response.status_code == 200
    assert response.context["board"] is None
    assert any(message in error for error in response.context["form"].errors[field])


def test_salespeople_and_other_teams_managers_see_no_dashboard(client, rep, other_lead, team):
    for who in (rep, other_lead):
        client.force_login(who)
        assert client.get(reverse("insights:dashboard", args=[team.pk])).status_code == 404


def test_the_page_draws_the_trends_with_a_table_to_read_them_from(client, lead, rep, team, kpis):
    report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    _, page = board(client, lead, team)
    html = page.content.decode()
    assert html.count('role="img"') >= 2  # trend charts and the member's sparkline
    assert "As a table" in html


@pytest.mark.parametrize("size", [5, 20])
def test_a_quarter_for_a_team_of_any_size_costs_the_same_queries(
    client, lead, team, kpis, size, django_assert_max_num_queries
):
    sales = kpis["sales"]
    for i in range(size):
        person = member_of(team, username=f"p{i}")
        for week in WEEKS[:2]:
            submitted(person, week=week)
            report_services.set_targets(actor=lead, member=person, week_start=week, values={sales: Decimal(100)})
    client.force_login(lead)
    # Totals, trends, members and discipline; the same quarter a year ago; the sales activity
    # table; the problems by category and those that recur (one more for their latest text); the
    # team target for each of the three periods; the team's calendar (whether a week is closed);
    # the reports waiting for review with their teams' review days (the navigation badge).
    with django_assert_max_num_queries(41):
        response = client.get(reverse("insights:dashboard", args=[team.pk]), {"period": "quarter", "day": "2026-11-20"})
    assert len(response.context["board"].members) == size


def test_a_members_history_shows_kpis_submissions_and_whether_goals_were_met(client, lead, rep, kpis):
    from reviews import services as review_services

    first = report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    review_services.mark_reviewed(report=first, reviewer=lead, praise="好", goals=["签下华为"])
    second = report_services.open_report(author=rep, week_start=WEEKS[1])
    goal_review = second.plan_reviews.get(goal__isnull=False)
    report_services.save_draft(
        report=second,
        editor=rep,
        base_version=second.version,
        data={"plan_reviews": {goal_review.pk: {"outcome": "partly", "note": "等待法务"}}},
    )
    client.force_login(lead)  # the second week is still a draft: private to its author
    response = client.get(reverse("insights:member", args=[rep.pk]), {"period": "month", "day": "2026-11-20"})
    assert [r.week_start for r in response.context["history"].reports] == [WEEKS[0]]
    assert "等待法务" not in response.content.decode()
    client.force_login(rep)
    response = client.get(reverse("insights:member", args=[rep.pk]), {"period": "month", "day": "2026-11-20"})
    history = response.context["history"]
    sales = next(item for item in history.kpis if item["kpi"] == kpis["sales"])
    assert (sales["total"].actual, sales["total"].target) == (Decimal(100), Decimal(150))
    assert [r.week_start for r in history.reports] == [WEEKS[1], WEEKS[0]]
    assert history.on_time == 1
    [goal] = history.goals
    assert (goal["goal"].text, goal["answer"].outcome, goal["answer"].note) == ("签下华为", "partly", "等待法务")
    page = response.content.decode()
    assert "签下华为" in page and "等待法务" in page and 'role="img"' in page


def test_a_salesperson_sees_their_own_history_but_not_a_teammates(client, rep, other_rep):
    client.force_login(rep)
    assert client.get(reverse("insights:member", args=[rep.pk])).status_code == 200
    assert client.get(reverse("insights:member", args=[other_rep.pk])).status_code == 404


def test_a_director_compares_the_regions_with_targets_and_discipline(
    client, director, lead, other_lead, rep, outsider, company, east, west, kpis, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC))
    report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    report_week(outsider, WEEKS[0], kpis, 300, target=200, lead=other_lead)
    report_week(outsider, WEEKS[1], kpis, 100, target=200, lead=other_lead)
    client.force_login(director)
    response = client.get(reverse("insights:compare", args=[company.pk]), NOVEMBER)
    columns = {column.team: column for column in response.context["columns"]}
    sales = {team: column.totals[0] for team, column in columns.items()}
    assert (sales[east].actual, sales[east].target) == (Decimal(100), Decimal(150))
    assert (sales[west].actual, sales[west].target) == (Decimal(400), Decimal(400))
    assert (columns[east].discipline.on_time, columns[east].discipline.missing) == (1, 2)  # rep: 1 of 3 weeks
    assert (columns[west].discipline.on_time, columns[west].discipline.missing) == (2, 1)
    assert 'role="img"' in response.content.decode()
    client.force_login(lead)
    assert client.get(reverse("insights:compare", args=[company.pk])).status_code == 404


@pytest.mark.parametrize("teams", [2, 10])
def test_comparing_more_teams_costs_no_more_queries(
    client, director, lead, east, kpis, teams, django_assert_max_num_queries
):
    from tests.factories import TeamFactory

    for t in range(teams):
        extra = TeamFactory(name=f"组{t}", parent=east)
        person = member_of(extra, username=f"c{t}")
        report_week(person, WEEKS[0], kpis, 10 * t, target=100, lead=lead)
    client.force_login(director)
    with django_assert_max_num_queries(20):  # 19 and the calendar (whether a week is closed)
        response = client.get(reverse("insights:compare", args=[east.pk]), NOVEMBER)
    assert len(response.context["columns"]) == teams + 1  # the cast's own team is under east too


def test_the_sales_activity_of_each_member_is_counted_by_type(client, lead, rep, other_rep, outsider, team, kpis):
    from customers import services as log

    mine = log.create_customer(actor=rep, owner=rep, name="华为")
    theirs = log.create_customer(actor=other_rep, owner=other_rep, name="美的")
    elsewhere = log.create_customer(actor=outsider, owner=outsider, name="格力")
    for day, kind in [(WEEKS[0], "visit"), (WEEKS[1], "visit"), (WEEKS[1], "call"), (WEEKS[2], "meeting")]:
        log.log_activity(author=rep, customer=mine, occurred_on=day, kind=kind)
    log.log_activity(author=other_rep, customer=theirs, occurred_on=WEEKS[0], kind="quote", amount=Decimal(9000))
    log.log_activity(author=rep, customer=mine, occurred_on=datetime.date(2026, 10, 30), kind="visit")  # October
    log.log_activity(author=outsider, customer=elsewhere, occurred_on=WEEKS[0], kind="visit")  # another team
    report_week(rep, WEEKS[0], kpis, 100)

    result, response = board(client, lead, team)
    rows = {row.member.username: row.counts for row in result.activity.rows}
    kinds = [kind for kind, _label in result.activity.kinds]
    assert rows["rep"][kinds.index("visit")] == 2 and rows["rep"][kinds.index("call")] == 1
    assert rows["rep"][kinds.index("meeting")] == 1 and sum(rows["rep"]) == 4
    assert rows["other_rep"][kinds.index("quote")] == 1 and sum(rows["other_rep"]) == 1
    assert result.activity.total == 5
    assert 'id="activity"' in response.content.decode()


# Caching ---------------------------------------------------------------------------------------


def test_a_new_submission_shows_up_at_once_on_the_cached_dashboard(
    client, lead, rep, other_rep, team, kpis, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    first, _ = board(client, lead, team)
    client.force_login(lead)
    with django_assert_max_num_queries(12):  # served from the cache: no aggregation queries
        again = client.get(reverse("insights:dashboard", args=[team.pk]), NOVEMBER).context["board"]
    assert again.totals[0].current.actual == first.totals[0].current.actual == Decimal(100)

    draft = report_services.open_report(author=other_rep, week_start=WEEKS[1])
    client.force_login(other_rep)
    values = {v.kpi_id: "0" for v in draft.kpi_values.all()} | {kpis["sales"].pk: "250"}
    data = posted(draft, summary="签约两单", kpis=values, plan=[{"item": "跟进华为", "customer": "华为"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:submit", args=[draft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    after, _ = board(client, lead, team)
    assert after.totals[0].current.actual == Decimal(350)
    assert {row.member for row in after.members if row.cells[0].actual} == {rep, other_rep}


def test_a_target_set_for_a_member_reaches_the_cached_dashboard(
    client, lead, rep, team, kpis, django_capture_on_commit_callbacks
):
    report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    assert board(client, lead, team)[0].totals[0].current.target == Decimal(150)
    with django_capture_on_commit_callbacks(execute=True):
        report_services.set_targets(actor=lead, member=rep, week_start=WEEKS[1], values={kpis["sales"]: Decimal(50)})
    assert board(client, lead, team)[0].totals[0].current.target == Decimal(200)


def test_the_comparison_sees_a_submission_in_any_team_below(
    client, director, lead, rep, east, team, kpis, django_capture_on_commit_callbacks
):
    client.force_login(director)
    before = client.get(reverse("insights:compare", args=[east.pk]), NOVEMBER).context["columns"]
    assert all(total.actual is None for column in before for total in column.totals)
    with django_capture_on_commit_callbacks(execute=True):
        report_week(rep, WEEKS[0], kpis, 120, target=150, lead=lead)
    client.force_login(director)
    after = client.get(reverse("insights:compare", args=[east.pk]), NOVEMBER).context["columns"]
    assert next(c for c in after if c.team == team).totals[0].actual == Decimal(120)


def test_the_dashboard_still_answers_when_the_cache_fails(client, lead, rep, team, kpis, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    report_week(rep, WEEKS[0], kpis, 100, target=150, lead=lead)
    monkeypatch.setattr(LocMemCache, "get_many", broken)
    assert board(client, lead, team)[0].totals[0].current.actual == Decimal(100)


def test_a_series_cut_to_a_range_adds_up_like_the_series_of_that_range(lead, rep, other_rep, team, kpis):
    from summaries.rollups import kpi_series

    for week, sales in zip(WEEKS, (100, 200, 300), strict=True):
        report_week(rep, week, kpis, sales, satisfaction=4, target=150, lead=lead)
        report_week(other_rep, week, kpis, sales // 2, satisfaction=2, target=100, lead=lead)
    whole = kpi_series(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 11, 30), team=team)
    for start, end in [(WEEKS[1], WEEKS[2]), (datetime.date(2026, 10, 1), WEEKS[0]), (WEEKS[2], WEEKS[2])]:
        cut, direct = whole.within(start, end), kpi_series(start=start, end=end, team=team)
        assert (cut.kpis, cut.weeks) == (direct.kpis, direct.weeks)
        assert (cut.actual, cut.target) == (direct.actual, direct.target)


def test_a_logged_activity_shows_up_at_once_on_the_cached_dashboard(
    client, lead, rep, team, kpis, django_capture_on_commit_callbacks
):
    from customers import services as log

    customer = log.create_customer(actor=rep, owner=rep, name="华为")
    report_week(rep, WEEKS[0], kpis, 100)
    assert board(client, lead, team)[0].activity.total == 0
    with django_capture_on_commit_callbacks(execute=True):
        entry = log.log_activity(author=rep, customer=customer, occurred_on=WEEKS[1], kind="visit")
    assert board(client, lead, team)[0].activity.total == 1
    with django_capture_on_commit_callbacks(execute=True):
        log.delete_activity(actor=rep, activity=entry)
    assert board(client, lead, team)[0].activity.total == 0


def test_the_dashboard_opens_on_the_last_closed_week_not_an_empty_month(client, lead, rep, team, kpis, time_machine):
    # Thursday 3 December: this month has no closed week yet, the week of 23 November has figures.
    report_week(rep, datetime.date(2026, 11, 23), kpis, 1234, target=1000, lead=lead)
    time_machine.move_to(datetime.datetime(2026, 12, 3, 2, tzinfo=datetime.UTC))
    client.force_login(lead)
    response = client.get(reverse("insights:dashboard", args=[team.pk]))
    dashboard = response.context["board"]
    assert (dashboard.start, dashboard.end) == (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))
    totals = {t.kpi.code: t for t in dashboard.totals}
    assert totals["sales_amount"].current.actual == Decimal(1234)
    assert 'value="2026-11-23"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "previous", "year_ago"),
    [
        ({"period": "month", "day": "2026-11-20"}, ("2026-10-01", "2026-10-31"), ("2025-11-01", "2025-11-30")),
        ({"period": "month", "day": "2026-03-05"}, ("2026-02-01", "2026-02-28"), ("2025-03-01", "2025-03-31")),
        ({"period": "quarter", "day": "2026-11-20"}, ("2026-07-01", "2026-09-30"), ("2025-10-01", "2025-12-31")),
        ({"period": "week", "day": "2026-11-18"}, ("2026-11-09", "2026-11-15"), ("2025-11-17", "2025-11-23")),
    ],
)
def test_a_month_compares_with_the_previous_calendar_month_and_a_year_before(
    client, lead, team, kpis, params, previous, year_ago
):
    dashboard, _ = board(client, lead, team, **params)
    assert (dashboard.previous_start.isoformat(), dashboard.previous_end.isoformat()) == previous
    assert (dashboard.year_ago_start.isoformat(), dashboard.year_ago_end.isoformat()) == year_ago


def test_the_change_on_a_year_ago_shows_where_last_years_figures_exist(client, lead, rep, team, kpis):
    report_week(rep, WEEKS[0], kpis, 300)
    _, page = board(client, lead, team)
    assert 'id="year-on-year"' not in page.content.decode()  # nothing a year ago: no column
    report_week(rep, datetime.date(2025, 11, 3), kpis, 200)  # its value is written after the submission
    cache.clear()
    dashboard, page = board(client, lead, team)
    totals = {t.kpi.code: t for t in dashboard.totals}
    assert totals["sales_amount"].change_on_year == Decimal("0.5")  # 300 against 200
    assert 'id="year-on-year"' in page.content.decode() and "+50" in page.content.decode()


def test_a_member_now_on_leave_keeps_her_rows_where_she_reported_and_rows_add_up(
    client, lead, rep, other_rep, team, kpis
):
    from teams import services as team_services

    report_week(rep, WEEKS[0], kpis, 300, target=200, lead=lead)
    report_week(other_rep, WEEKS[0], kpis, 100, target=100, lead=lead)
    team_services.change_status(actor=lead, member=other_rep, status="on_leave")
    dashboard, _ = board(client, lead, team, period="week", day=WEEKS[0].isoformat())
    rows = {row.member: row.cells[0] for row in dashboard.members}
    assert rows[other_rep].actual == Decimal(100)
    assert sum(cell.actual for cell in rows.values()) == dashboard.totals[0].current.actual == Decimal(400)


def test_the_week_summary_and_its_pdf_give_the_dashboards_team_target(client, lead, rep, other_rep, team, kpis):
    from summaries import rollups

    report_week(rep, WEEKS[0], kpis, 300, target=200, lead=lead)
    # other_rep wrote nothing that week but had a target: it is still the team's target.
    report_services.set_targets(actor=lead, member=other_rep, week_start=WEEKS[0], values={kpis["sales"]: 150})
    dashboard, _ = board(client, lead, team, period="week", day=WEEKS[0].isoformat())
    summary = rollups.team_week(team, WEEKS[0])  # what the summary page and its PDF show
    assert dashboard.totals[0].current.target == summary.totals[0].target == Decimal(350)
    assert [row.values[0].target for row in summary.members] == [Decimal(200), Decimal(150)]


def test_a_deadline_moved_to_the_day_before_a_day_off_turns_not_yet_due_into_missing_then(
    client, lead, rep, other_rep, team, kpis, admin, time_machine
):
    # Friday 27 November is a day off, so the week's deadline moves to Thursday 18:00 (Shanghai).
    add_day_off(actor=admin, team=None, on=datetime.date(2026, 11, 27), name="公司活动")
    # Minutes apart, well within the cache's own timeout: only the key can tell the two apart.
    time_machine.move_to(datetime.datetime(2026, 11, 26, 9, 57, tzinfo=datetime.UTC))  # Thursday 17:57
    assert board(client, lead, team)[0].discipline.not_yet_due == 2
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 1, tzinfo=datetime.UTC))  # Thursday 18:01
    after = board(client, lead, team)[0].discipline  # before the usual Friday deadline, yet past this week's
    assert (after.not_yet_due, after.missing) == (0, 2 + 2 * len(WEEKS))


def test_a_day_off_entered_reaches_the_cached_dashboard_at_once(
    client, lead, rep, other_rep, team, kpis, admin, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC))
    assert board(client, lead, team)[0].discipline.expected == 2 * (len(WEEKS) + 1)
    with django_capture_on_commit_callbacks(execute=True):  # the week of 16 November entirely off
        for day in range(16, 21):
            add_day_off(actor=admin, team=None, on=datetime.date(2026, 11, day), name="停工")
    assert board(client, lead, team)[0].discipline.expected == 2 * len(WEEKS)
