""" "My reports" draws a page of rows once per set of report versions and keeps it
(reports.selectors.rendered_my_reports): each test opens the page (so the rows are kept), changes
one thing a row shows, and checks the next view, in English (the test people's language), with
the change's transaction committed (the team versions are replaced on commit)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import services, settings_services
from reports.models import KPI
from reviews import services as review_services
from tests.reports.test_services import MONDAY, at, fill

MY = reverse("reports:my")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def report(rep, time_machine):
    """Rep's report of the week of 16 November 2026, on the Thursday of that week."""
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=3), 10))
    return services.open_report(author=rep, week_start=MONDAY)


def visits_at(report, value: str) -> dict:
    """Every KPI of the report at 5, the visits at `value`."""
    visits = KPI.objects.get(code="visits")
    return {"kpis": {v.kpi_id: "5" for v in report.kpi_values.all()} | {visits.pk: value}}


def row(client, report) -> str:
    page = client.get(MY).content.decode()
    return page.split(f'href="/reports/{report.pk}/"')[1].split("</tr>")[0]


def status(html: str) -> str:
    return re.search(r'<span class="badge [^"]*">([^<]+)</span>', html).group(1)


def test_an_edit_a_submission_a_review_and_a_return_show_at_once(client, rep, lead, report, committed):
    client.force_login(rep)
    visits = KPI.objects.get(code="visits")
    with committed(execute=True):
        services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(10)})
    assert status(row(client, report)) == "Draft" and f"{visits.name_en} —" in row(client, report)

    with committed(execute=True):
        report = fill(report, **visits_at(report, "8"))
    assert f"{visits.name_en} 80%" in row(client, report)

    with committed(execute=True):
        report = services.submit_report(report=report, by=rep)
    assert status(row(client, report)) == "Submitted"

    with committed(execute=True):
        review_services.return_for_revision(report=report, reviewer=lead, reason="请补充客户名称")
    assert status(row(client, report)) == "Returned for revision"

    report.refresh_from_db()
    with committed(execute=True):
        report = fill(report, **visits_at(report, "12"))
        report = services.submit_report(report=report, by=rep)
    assert f"{visits.name_en} 120%" in row(client, report)
    with committed(execute=True):
        review_services.mark_reviewed(report=report, reviewer=lead, praise="很好")
    assert status(row(client, report)) == "Reviewed"


def test_a_withdrawn_report_is_a_draft_again(client, rep, report, committed):
    client.force_login(rep)
    with committed(execute=True):
        report = services.submit_report(report=fill(report), by=rep)
    assert status(row(client, report)) == "Submitted"
    with committed(execute=True):
        review_services.withdraw_report(report=report, by=rep)
    assert status(row(client, report)) == "Draft"


@pytest.fixture
def half_way(client, rep, lead, report, committed):
    """Rep's visits at 5 of a target of 10, shown as 50% on the kept page; returns the report."""
    visits = KPI.objects.get(code="visits")
    with committed(execute=True):
        services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(10)})
        report = fill(report, **visits_at(report, "5"))
    client.force_login(rep)
    assert f"{visits.name_en} 50%" in row(client, report)
    return report


def test_a_new_target_changes_the_achievement(client, rep, lead, half_way, committed):
    report, visits = half_way, KPI.objects.get(code="visits")
    with committed(execute=True):
        services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(20)})
    assert f"{visits.name_en} 25%" in row(client, report)


def test_a_renamed_kpi_shows_its_new_name(client, admin, half_way, committed):
    report, visits = half_way, KPI.objects.get(code="visits")
    data = {field: getattr(visits, field) for field in settings_services.KPI_FIELDS} | {"name_en": "Visits on site"}
    with committed(execute=True):
        settings_services.save_kpi(actor=admin, kpi=visits, data=data)
    assert "Visits on site 50%" in row(client, report)
