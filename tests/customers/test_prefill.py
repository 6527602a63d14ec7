"""The weekly report from the sales log: the arithmetic of a week, filling a draft without
overwriting what was typed, and the differences the manager sees."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from customers import prefill, services
from customers.models import Customer
from reports import services as report_services
from reports import settings_services
from reports.models import KPI, KpiValue, TeamSettings, WeeklyReport
from reviews import services as review_services
from tests.customers.conftest import MONDAY, SUNDAY, WEDNESDAY, visit
from tests.reports.test_services import at, fill
from tests.reports.test_writing import complete, posted

NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


def kpi(code: str) -> KPI:
    return KPI.objects.get(code=code)


def actual(report, code: str) -> KpiValue:
    return report.kpi_values.get(kpi__code=code)


@pytest.fixture
def week_of_log(rep, huawei, wednesday):
    """A week with entries on its first and last day, and some just outside it."""
    midea = services.create_customer(
        actor=rep, owner=rep, name="美的集团", created_on=MONDAY - datetime.timedelta(days=30)
    )
    visit(rep, huawei, MONDAY, outcome="确认需求")
    visit(rep, midea, MONDAY, kind="call")
    visit(rep, huawei, WEDNESDAY, kind="contract", amount=Decimal("120000"), outcome="签订年度框架合同")
    visit(rep, midea, WEDNESDAY, kind="payment", amount=Decimal("30000.50"))
    visit(rep, midea, MONDAY - datetime.timedelta(days=1))  # last week's Sunday
    return midea


def test_a_week_adds_up_from_its_first_to_its_last_day(rep, week_of_log, time_machine):
    time_machine.move_to(at(SUNDAY, 23, 50))
    visit(rep, week_of_log, SUNDAY, outcome="周日也在跑")
    week = prefill.log_week(rep, MONDAY)
    assert week.value(KPI.LogSource.VISITS) == 2  # Monday and Sunday; the Sunday before is last week's
    assert week.value(KPI.LogSource.CALLS) == 1
    assert week.value(KPI.LogSource.CONTRACTS) == 1
    assert week.value(KPI.LogSource.CONTRACT_AMOUNT) == Decimal("120000")
    assert week.value(KPI.LogSource.PAYMENT_AMOUNT) == Decimal("30000.50")
    assert week.value(KPI.LogSource.NEW_CUSTOMERS) == 1  # 华为 was created this week, 美的 a month ago
    assert prefill.log_week(rep, NEXT_MONDAY).activity_count == 0


def test_new_customers_count_in_the_week_of_the_owners_time_zone(rep, team, time_machine):
    TeamSettings.objects.create(team=team, time_zone="America/New_York")
    # Monday 23 November 11:00 in Shanghai is still Sunday 22 November 22:00 in New York.
    time_machine.move_to(at(NEXT_MONDAY, 11))
    customer = services.create_customer(actor=rep, owner=rep, name="比亚迪")
    assert customer.created_on == SUNDAY
    assert prefill.log_week(rep, MONDAY).value(KPI.LogSource.NEW_CUSTOMERS) == 1
    assert prefill.log_week(rep, NEXT_MONDAY).value(KPI.LogSource.NEW_CUSTOMERS) == 0


@translation.override("en")  # the lines are written in the language of the request
def test_filling_puts_the_log_in_empty_numbers_and_keeps_typed_ones(rep, week_of_log):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    report = report_services.save_draft(
        report=report,
        editor=rep,
        base_version=report.version,
        data={"summary": "本周重点：华为", "kpis": {kpi("visits").pk: "12"}},
    )

    result = prefill.fill_from_log(report=report)

    report.refresh_from_db()
    assert actual(report, "visits").actual == 12 and not actual(report, "visits").is_from_log
    assert [(k.code, typed, logged) for k, typed, logged in result.kept] == [("visits", 12, 1)]
    assert actual(report, "calls").actual == 1 and actual(report, "calls").is_from_log
    assert actual(report, "sales_amount").actual == Decimal("120000")
    assert actual(report, "payments_collected").actual == Decimal("30000.50")
    assert actual(report, "new_customers").actual == 1
    assert report.summary.splitlines() == [
        "本周重点：华为",
        "- **华为技术有限公司**: Visit (确认需求); Contract signed ¥120,000 (签订年度框架合同)",
        "- **美的集团**: Call; Payment collected ¥30,000.50",
    ]
    assert result.lines_added == 2

    # Asked again, nothing is added twice.
    again = prefill.fill_from_log(report=report)
    report.refresh_from_db()
    assert again.lines_added == 0 and len(report.summary.splitlines()) == 3

    # With the author's consent the typed number gives way to the log.
    prefill.fill_from_log(report=report, replace_typed=True)
    assert actual(report, "visits").actual == 1 and actual(report, "visits").is_from_log


def test_a_number_changed_by_hand_no_longer_counts_as_from_the_log(rep, week_of_log):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    prefill.fill_from_log(report=report)
    report.refresh_from_db()
    calls = actual(report, "calls")
    report_services.save_draft(
        report=report, editor=rep, base_version=report.version, data={"kpis": {calls.kpi_id: "3"}}
    )
    calls.refresh_from_db()
    assert (calls.actual, calls.is_from_log) == (3, False)
    # A later fill now treats it as typed: it is kept.
    assert [k.code for k, *_ in prefill.fill_from_log(report=report).kept] == ["calls"]


@pytest.fixture
def twelve_visits(rep, week_of_log):
    """The week's report filled from the log, then 12 visits typed over the log's 1, submitted."""
    report = report_services.open_report(author=rep, week_start=MONDAY)
    prefill.fill_from_log(report=report)
    report.refresh_from_db()
    visits = actual(report, "visits")
    report = report_services.save_draft(
        report=report, editor=rep, base_version=report.version, data={"kpis": {visits.kpi_id: "12"}}
    )
    return report_services.submit_report(report=fill(report, kpis={}), by=rep)


def test_the_manager_sees_where_reported_numbers_differ_from_the_log(client, lead, twelve_visits):
    client.force_login(lead)
    page = client.get(reverse("reviews:review", args=[twelve_visits.pk])).content.decode()
    assert "Customer visits: reported 12, log shows 1" in page
    assert page.count("data-log-difference") == 1  # the other numbers match the log
    assert page.count("from log") >= 5


def test_the_review_page_follows_the_log_and_the_kpis_at_once(
    client, rep, lead, admin, huawei, twelve_visits, django_capture_on_commit_callbacks
):
    """The report's sections are kept between views (reports.selectors.rendered_sections): a
    renamed KPI, and a visit logged while the report was out for revision, show on the next view."""
    report = twelve_visits
    visits = actual(report, "visits")
    client.force_login(lead)
    url = reverse("reviews:review", args=[report.pk])
    assert "Customer visits: reported 12, log shows 1" in client.get(url).content.decode()
    kpi_data = {field: getattr(visits.kpi, field) for field in settings_services.KPI_FIELDS}
    with django_capture_on_commit_callbacks(execute=True):
        settings_services.save_kpi(actor=admin, kpi=visits.kpi, data={**kpi_data, "name_en": "Client visits"})
    assert "Client visits: reported 12, log shows 1" in client.get(url).content.decode()
    # Returned, the author logs the visit that was missing and sends the report again.
    with django_capture_on_commit_callbacks(execute=True):
        review_services.return_for_revision(report=report, reviewer=lead, reason="拜访记录不全")
        visit(rep, huawei, MONDAY)
        report_services.submit_report(report=WeeklyReport.objects.get(pk=report.pk), by=rep)
    assert "Client visits: reported 12, log shows 2" in client.get(url).content.decode()


def test_no_differences_are_flagged_for_someone_who_keeps_no_log(client, rep, lead, wednesday):
    report = report_services.submit_report(report=fill(report_services.open_report(author=rep)), by=rep)
    client.force_login(lead)
    page = client.get(reverse("reviews:review", args=[report.pk])).content.decode()
    assert "data-log-difference" not in page


def test_the_fill_button_keeps_what_the_page_holds_and_reports_what_it_did(client, rep, week_of_log):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    client.force_login(rep)
    data = posted(report, summary="周三还要去一趟美的", kpis={kpi("visits").pk: "4"})
    response = client.post(reverse("reports:fill_from_log", args=[report.pk]), data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reports:edit", args=[report.pk])
    report.refresh_from_db()
    assert report.summary.startswith("周三还要去一趟美的\n- **华为技术有限公司**")
    assert actual(report, "visits").actual == 4
    assert "Kept what you typed for Customer visits (you typed 4, the log shows 1)." in page
    assert "the log shows 1" in page and 'id="replace-with-log"' in page

    data = posted(report, summary=report.summary, kpis={kpi("visits").pk: "4"})
    client.post(reverse("reports:fill_from_log", args=[report.pk]), {**data, "replace_typed": "1"})
    assert actual(report, "visits").actual == 1


def test_the_fill_button_refuses_invalid_input_and_keeps_it(client, rep, week_of_log):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    client.force_login(rep)
    data = posted(report, summary="写了一半的回顾", kpis={kpi("visits").pk: "-3"})
    response = client.post(reverse("reports:fill_from_log", args=[report.pk]), data)
    assert response.status_code == 200
    assert "写了一半的回顾" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "" and actual(report, "visits").actual is None


@translation.override("en")
def test_submitted_reports_are_not_filled(rep, week_of_log):
    report = report_services.open_report(author=rep, week_start=MONDAY)
    report = report_services.submit_report(report=fill(report), by=rep)
    with pytest.raises(Exception, match="can no longer be edited"):
        prefill.fill_from_log(report=report)


@pytest.mark.parametrize("entries", [3, 300])
def test_filling_and_the_edit_page_cost_the_same_whatever_the_log_holds(
    client, rep, huawei, wednesday, entries, django_assert_num_queries
):
    customers = [services.create_customer(actor=rep, owner=rep, name=f"客户{i}") for i in range(3)]
    for i in range(entries):
        visit(rep, customers[i % 3], MONDAY + datetime.timedelta(days=i % 3), kind=["visit", "call"][i % 2])
    report = report_services.open_report(author=rep, week_start=MONDAY)
    client.force_login(rep)
    data = complete(report)
    # Saving the page (lock, six numbers, rows, plan) and then the fill (the log by type, new
    # customers, the entries for the review lines): the same for 3 entries as for 300. The page
    # also offers the problem categories and the author's customers, and asks whether the author
    # has a pipeline (reports/sections.py: on the save's page, then kept). Each of the two saves
    # rewrites the report's search entry in the same transaction (search: delete, insert, draft
    # flags).
    with django_assert_num_queries(43):
        client.post(reverse("reports:fill_from_log", args=[report.pk]), data)
    with django_assert_num_queries(16):
        assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 200
    assert Customer.objects.filter(owner=rep).count() == 4
