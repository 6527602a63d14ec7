"""A salesperson's (and a manager's) home keeps this month's pace under the team's data version
(home.selectors.month_series): each test opens the home (so the pace is kept), changes what the
pace adds up, and checks the next view, with the change's transaction committed (the versions are
replaced on commit)."""

from decimal import Decimal

import pytest

from reports import services as report_services
from reports import settings_services
from reports.models import KPI
from reviews import services as review_services
from teams import services as team_services
from teams.models import Membership
from tests.home.test_home import home
from tests.reports.test_services import MONDAY, at, fill
from tests.reviews.test_pages import FRIDAY


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def visits(rep, lead, time_machine, django_capture_on_commit_callbacks):
    """Friday 20 November 2026; rep's weekly target for visits is 10."""
    time_machine.move_to(at(FRIDAY, 9))
    kpi = KPI.objects.get(code="visits")
    with django_capture_on_commit_callbacks(execute=True):
        report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={kpi: Decimal(10)})
    return kpi


def pace_of(client, user, kpi) -> tuple:
    (pace,) = [p for p in home(client, user).context["salesperson"].pace if p.total.kpi == kpi]
    return pace.total.kpi.name_en, pace.total.actual, pace.total.target


def with_visits(report, value: str, kpi) -> dict:
    return {"kpis": {v.kpi_id: "5" for v in report.kpi_values.all()} | {kpi.pk: value}}


def test_the_pace_follows_a_submission_a_return_an_edit_a_target_and_a_kpi(client, rep, lead, admin, visits, committed):
    assert pace_of(client, rep, visits) == ("Customer visits", None, Decimal(10))

    report = report_services.open_report(author=rep, week_start=MONDAY)
    with committed(execute=True):
        report = report_services.submit_report(report=fill(report, **with_visits(report, "8", visits)), by=rep)
    assert pace_of(client, rep, visits)[1] == Decimal(8)

    with committed(execute=True):
        review_services.return_for_revision(report=report, reviewer=lead, reason="再核对一下拜访数")
    report.refresh_from_db()
    with committed(execute=True):
        fill(report, **with_visits(report, "12", visits))  # a returned report still counts
    assert pace_of(client, rep, visits)[1] == Decimal(12)

    with committed(execute=True):
        report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(20)})
    assert pace_of(client, rep, visits)[2] == Decimal(20)

    data = {field: getattr(visits, field) for field in settings_services.KPI_FIELDS} | {"name_en": "Visits on site"}
    with committed(execute=True):
        settings_services.save_kpi(actor=admin, kpi=visits, data=data)
    assert pace_of(client, rep, visits) == ("Visits on site", Decimal(12), Decimal(20))


def test_a_report_from_before_a_move_changed_after_it_counts_at_once(client, rep, lead, visits, other_team, committed):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    with committed(execute=True):
        report = report_services.submit_report(report=fill(report, **with_visits(report, "8", visits)), by=rep)
        team_services.move_member(actor=None, member=rep, team=other_team, role=Membership.Role.SALESPERSON)
    assert pace_of(client, rep, visits)[1] == Decimal(8)
    # The old team's manager returns it and rep corrects it: both replace the old team's version.
    with committed(execute=True):
        review_services.return_for_revision(report=report, reviewer=lead, reason="再核对一下拜访数")
    report.refresh_from_db()
    with committed(execute=True):
        fill(report, **with_visits(report, "3", visits))
    assert pace_of(client, rep, visits)[1] == Decimal(3)
