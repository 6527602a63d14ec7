"""Every key page of the benchmark (bench/run.py) costs the same number of queries however much
data lies behind it: each test counts a page's queries, adds rows (members, weeks, feedback,
comments, teams), and counts again. Timings live in the benchmark, not here."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services as report_services
from reports.models import KPI
from reviews import services as review_services
from tests.factories import TeamFactory, member_of
from tests.reports.test_services import MONDAY, fill
from tests.reviews.test_pages import submitted

QUARTER = {"period": "quarter", "day": "2026-11-20"}
NOVEMBER = {"period": "month", "day": "2026-11-20"}


@pytest.fixture(autouse=True)
def _after_the_deadline(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC))


def queries(client, user, url, data=None, method="get") -> int:
    """The page's queries with nothing cached, as after any change to its data."""
    client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return len(captured)


def weeks_back(count: int) -> list[datetime.date]:
    return [MONDAY - datetime.timedelta(weeks=back) for back in range(1, count + 1)]


def reviewed(report, lead, goals=("跟进华为",)):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好", goals=list(goals))
    review_services.add_comment(report=report, author=report.author, body="收到")
    return report


def test_this_weeks_report_form(client, rep, lead):
    previous = reviewed(submitted(rep, week=MONDAY - datetime.timedelta(weeks=1)), lead)
    draft = fill(report_services.open_report(author=rep, week_start=MONDAY))
    url = reverse("reports:edit", args=[draft.pk])
    before = queries(client, rep, url)

    for week in weeks_back(8)[1:]:
        submitted(rep, week=week)
    review_services.add_comment(report=previous, author=lead, body="再补充一下")
    rows = [{"problem": f"问题{i}", "cause": "", "action": "", "help_needed": ""} for i in range(12)]
    fill(draft, problems=rows, plan=[{"item": f"计划{i}", "customer": "", "due_on": None} for i in range(12)])
    assert queries(client, rep, url) == before


def test_my_reports(client, rep, lead):
    for week in weeks_back(2):
        submitted(rep, week=week)
    url = reverse("reports:my")
    before = queries(client, rep, url)

    for week in weeks_back(30)[2:]:
        report_services.open_report(author=rep, week_start=week)
    assert queries(client, rep, url) == before


@pytest.mark.parametrize("reader", ["rep", "lead"])
def test_report_detail(client, rep, lead, reader, request):
    report = reviewed(submitted(rep), lead)
    user = request.getfixturevalue(reader)
    url = reverse("reports:detail", args=[report.pk])
    queries(client, user, url)  # the first reading writes the read receipt
    before = queries(client, user, url)

    review_services.return_for_revision(report=report, reviewer=lead, reason="补充客户")
    report_services.submit_report(report=report, by=rep)
    reviewed(report, lead, goals=["一", "二", "三"])
    for i in range(8):
        review_services.add_comment(report=report, author=lead if i % 2 else rep, body=f"第{i}条")
    queries(client, user, url)  # the author's first reading of the new feedback writes it as read
    assert queries(client, user, url) == before


def test_review_queue(client, lead, team):
    for i in range(3):
        submitted(member_of(team, username=f"a{i}"))
    url = reverse("reviews:queue")
    params = {"week": MONDAY.isoformat()}
    before = queries(client, lead, url, params)

    for i in range(12):
        person = member_of(team, username=f"b{i}")
        if i % 3:
            submitted(person)
    assert queries(client, lead, url, params) == before


@pytest.mark.parametrize("part", ["review", "thread", "side"])
def test_review_page(client, lead, rep, part):
    """The page and the two fragments it loads (its thread, its side panel)."""
    reviewed(submitted(rep, week=weeks_back(1)[0]), lead)  # last week's feedback is shown
    report = submitted(rep)
    url = reverse(f"reviews:{part}", args=[report.pk])
    client.defaults = {} if part == "review" else {"HTTP_HX_REQUEST": "true"}
    queries(client, lead, url)
    before = queries(client, lead, url)

    for week in weeks_back(7)[1:]:
        reviewed(submitted(rep, week=week), lead, goals=["一", "二"])
    for i in range(6):
        review_services.add_comment(report=report, author=lead if i % 2 else rep, body=f"第{i}条")
    review_services.return_for_revision(report=report, reviewer=lead, reason="补充客户")
    report_services.submit_report(report=report, by=rep)
    assert queries(client, lead, url) == before


def _team_weeks(team, lead, people: range, weeks: list[datetime.date]) -> None:
    sales = KPI.objects.get(code="sales_amount")
    for i in people:
        person = member_of(team, username=f"p{i}")
        for week in weeks:
            submitted(person, week=week)
            report_services.set_targets(actor=lead, member=person, week_start=week, values={sales: Decimal(100)})


def test_team_dashboard_for_a_quarter(client, lead, team):
    url = reverse("insights:dashboard", args=[team.pk])
    _team_weeks(team, lead, range(2), weeks_back(1))
    before = queries(client, lead, url, QUARTER)

    _team_weeks(team, lead, range(2, 10), weeks_back(4))
    assert queries(client, lead, url, QUARTER) == before


def test_director_comparison(client, director, lead, company, east):
    url = reverse("insights:compare", args=[company.pk])
    _team_weeks(TeamFactory(name="组0", parent=east), lead, range(1), weeks_back(1))
    before = queries(client, director, url, NOVEMBER)

    for t in range(1, 6):
        _team_weeks(TeamFactory(name=f"组{t}", parent=east), lead, range(t * 10, t * 10 + 2), weeks_back(2))
    assert queries(client, director, url, NOVEMBER) == before


@pytest.mark.parametrize("layout", ["long", "kpis"])
def test_export_of_a_month(client, lead, team, layout):
    from summaries.models import Document

    url = reverse("insights:export", args=[team.pk])
    data = {"start": "2026-11-01", "end": "2026-11-30", "file_format": "xlsx", "layout": layout}
    _team_weeks(team, lead, range(2), weeks_back(1))
    before = queries(client, lead, url, data, method="post")

    Document.objects.all().delete()
    _team_weeks(team, lead, range(2, 10), weeks_back(3))
    assert queries(client, lead, url, data, method="post") == before


def test_the_sales_log_today_and_the_customers_of_a_team(client, rep, other_rep, lead):
    from customers import services as log

    def add(person, count, start=0):
        customers = [
            log.create_customer(actor=person, owner=person, name=f"{person.username}客户{i}")
            for i in range(start, start + 3)
        ]
        for i in range(count):
            day = datetime.date(2026, 11, 23) - datetime.timedelta(days=i % 14)
            log.log_activity(
                author=person,
                customer=customers[i % 3],
                occurred_on=day,
                kind="visit",
                next_step="回访",
                next_step_on=day,
            )

    add(rep, 3)
    today, customers = reverse("customers:log"), reverse("customers:customer_list")
    activities = reverse("customers:activity_list")
    before = (queries(client, rep, today), queries(client, lead, customers), queries(client, lead, activities))
    add(rep, 120, start=3)
    add(other_rep, 60)
    after = (queries(client, rep, today), queries(client, lead, customers), queries(client, lead, activities))
    assert after == before


@pytest.mark.parametrize("role", ["rep", "lead", "director", "admin"])
def test_each_roles_home(client, role, request, team, lead, rep):
    """Returned reports, feedback, people and weeks add rows to every home, never queries."""
    user = request.getfixturevalue(role)
    url = reverse("home")
    review_services.return_for_revision(report=submitted(rep, week=weeks_back(1)[0]), reviewer=lead, reason="补充")
    before = queries(client, user, url)

    for i in range(3):
        person = member_of(team, username=f"h{i}")
        for week in weeks_back(3):
            reviewed(submitted(person, week=week), lead)
    for week in weeks_back(4)[1:]:
        report = submitted(rep, week=week)
        review_services.return_for_revision(report=report, reviewer=lead, reason="再补充")
    member_of(TeamFactory(name="新团队", parent=team), username="newcomer")
    assert queries(client, user, url) == before


def test_the_pipeline_and_forecast_pages(client, rep, other_rep, lead, director, team):
    from customers import services as log
    from pipeline import services as pipeline
    from pipeline.models import LeadSource, Stage

    pipeline.ensure_default_stages()
    stages, sources = list(Stage.objects.all()), list(LeadSource.objects.all())

    def add(person, count, start=0):
        customer = log.create_customer(actor=person, owner=person, name=f"{person.username}客户{start}")
        for i in range(start, start + count):
            deal = pipeline.create_opportunity(
                actor=person,
                customer=customer,
                name=f"项目{i}",
                amount=Decimal(10000 + i),
                stage=stages[i % 4],
                expected_close_on=datetime.date(2026, 12, 1 + i % 28),
                lead_source=sources[i % len(sources)] if i % 5 else None,
                created_on=datetime.date(2026, 10, 1 + i % 28),
            )
            if i % 3 == 0:
                pipeline.move_stage(actor=person, opportunity=deal, stage=stages[4 + i % 2], loss_reason="价格")

    add(rep, 3)
    pages = [
        (director, reverse("pipeline:team", args=[team.pk])),
        (lead, reverse("pipeline:team", args=[team.pk])),
        (lead, reverse("pipeline:member", args=[rep.pk])),
        (rep, reverse("pipeline:member", args=[rep.pk])),
    ]
    before = [queries(client, user, url, QUARTER) for user, url in pages]
    add(rep, 40, start=3)
    add(other_rep, 30, start=100)
    assert [queries(client, user, url, QUARTER) for user, url in pages] == before
