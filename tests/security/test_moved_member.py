"""Issue 16, finding 3: reports are in reach through the team they were written in, on every page
and in every document that adds them up. 刘洋 wrote a week in Guangzhou, then moved to Shanghai 1;
Shanghai 1's manager sees what he wrote there and nothing of what he wrote in Guangzhou (problems,
help requests, customers, feedback, KPI actuals), in pages and in the PDF."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports import services as report_services
from reports.models import KPI, ProblemCategory
from reviews import services as review_services
from summaries import services as summary_services
from summaries.models import Document
from teams.models import Membership
from teams.services import move_member
from tests.reports.test_services import MONDAY, fill
from tests.summaries.test_pdfs import _fonts  # noqa: F401

GUANGZHOU_WEEK = MONDAY - datetime.timedelta(days=7)
OLD = ["广州的旧问题", "广州求助内容", "广州老客户", "广州经理的建议", "77,777"]
NEW = ["上海的新问题", "上海老客户"]
MONTH = {"period": "month", "day": MONDAY.isoformat()}


def write(author, week, *, problem, help_needed, customer, sales):
    report = fill(
        report_services.open_report(author=author, week_start=week),
        problems=[
            {
                "problem": problem,
                "category": str(ProblemCategory.objects.first().pk),
                "customer": "",
                "cause": "",
                "action": "",
                "help_needed": help_needed,
            }
        ],
        plan=[{"item": f"拜访{customer}", "customer": customer, "due_on": None}],
    )
    sales_kpi = KPI.objects.get(code="sales_amount")
    report = report_services.save_draft(
        report=report, editor=author, base_version=report.version, data={"kpis": {sales_kpi.pk: sales}}
    )
    return report_services.submit_report(report=report, by=author)


@pytest.fixture
def moved(team, outsider, other_lead, admin):
    """刘洋's Guangzhou week, reviewed there, then his move and a week in Shanghai 1."""
    old = write(
        outsider,
        GUANGZHOU_WEEK,
        problem="广州的旧问题",
        help_needed="广州求助内容",
        customer="广州老客户",
        sales="77777",
    )
    review_services.mark_reviewed(
        report=old, reviewer=other_lead, suggestions="广州经理的建议", goals=["签下广州老客户"]
    )
    move_member(actor=admin, member=outsider, team=team, role=Membership.Role.SALESPERSON, on=MONDAY)
    new = write(outsider, MONDAY, problem="上海的新问题", help_needed="", customer="上海老客户", sales="12345")
    return old, new


def pdf_text(job: Document) -> str:
    job.refresh_from_db()
    assert job.status == Document.Status.DONE, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_only_new(text: str) -> None:
    for old in OLD:
        assert old not in text, old
    for new in NEW:
        assert new in text, new


def test_the_new_managers_member_summary_shows_nothing_written_in_the_old_team(client, moved, outsider, lead):
    client.force_login(lead)
    response = client.get(reverse("summaries:member_period", args=[outsider.pk]), MONTH)
    assert response.status_code == 200
    assert_only_new(response.text)


def test_the_new_managers_member_history_shows_nothing_written_in_the_old_team(client, moved, outsider, lead):
    client.force_login(lead)
    response = client.get(reverse("insights:member", args=[outsider.pk]), MONTH)
    assert response.status_code == 200
    assert "广州经理的建议" not in response.text and "签下广州老客户" not in response.text
    assert "77,777" not in response.text and "12,345" in response.text
    assert reverse("reports:detail", args=[moved[0].pk]) not in response.text
    assert reverse("reports:detail", args=[moved[1].pk]) in response.text


@pytest.mark.usefixtures("_fonts")
def test_the_new_managers_member_summary_pdf_shows_nothing_written_in_the_old_team(
    client, moved, outsider, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summaries:member_period_pdf", args=[outsider.pk]), MONTH)
    assert response.status_code == 302
    job = Document.objects.get(kind=Document.Kind.MEMBER_PERIOD)
    assert job.requested_by == lead
    assert_only_new(pdf_text(job))  # rendered by the worker (eager here), read back


def test_a_summary_pdf_an_admin_asked_for_is_not_handed_to_the_new_manager(
    client, moved, outsider, lead, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("summaries:member_period_pdf", args=[outsider.pk]), MONTH)
    admins = Document.objects.get()
    client.force_login(lead)
    assert client.get(reverse("summaries:job", args=[admins.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("summaries:member_period_pdf", args=[outsider.pk]), MONTH)
    leads = Document.objects.exclude(pk=admins.pk).get()
    assert response.url == leads.get_absolute_url()
    assert client.get(response.url).status_code == 200


def test_the_member_and_admins_still_see_both_teams_weeks(client, moved, outsider, admin):
    for person in (outsider, admin):
        client.force_login(person)
        response = client.get(reverse("summaries:member_period", args=[outsider.pk]), MONTH)
        assert "广州的旧问题" in response.text and "上海的新问题" in response.text


def test_the_review_page_shows_no_old_team_actuals_or_feedback(client, moved, lead):
    new = moved[1]
    client.force_login(lead)
    page = client.get(reverse("reviews:review", args=[new.pk]))
    side = client.get(reverse("reviews:side", args=[new.pk]))
    assert page.status_code == 200 and side.status_code == 200
    for text in (page.text, side.text):
        assert "77,777" not in text and "广州经理的建议" not in text
    assert "12,345" in page.text
    # The old manager's goal shows only as the report itself answers it, not as last week's feedback.
    assert "签下广州老客户" not in side.text


def test_the_old_team_keeps_its_reports_and_the_team_pages_split_by_where_they_were_written(
    client, moved, team, other_team, lead, other_lead
):
    client.force_login(other_lead)
    assert client.get(reverse("reports:detail", args=[moved[0].pk])).status_code == 200
    client.force_login(lead)
    assert client.get(reverse("reports:detail", args=[moved[0].pk])).status_code == 404
    response = client.get(reverse("summaries:team_period", args=[team.pk]), MONTH)
    assert_only_new(response.text)


def test_a_summary_bounded_to_a_team_the_reader_cannot_see_is_refused(moved, outsider, lead, other_team, rep):
    from teams import access

    assert access.can_view_member_summary(lead, outsider, access.member_reach(lead, outsider))
    assert not access.can_view_member_summary(lead, outsider, None)
    assert not access.can_view_member_summary(lead, outsider, other_team)
    assert access.can_view_member_summary(outsider, outsider, None)


def test_the_pdf_job_records_the_team_that_bounds_it(moved, outsider, lead, team):
    from teams import access

    job = summary_services.request_document(
        kind=Document.Kind.MEMBER_PERIOD,
        requested_by=lead,
        language="zh-hans",
        member=outsider,
        team=access.member_reach(lead, outsider),
        start=MONDAY.replace(day=1),
        end=MONDAY.replace(day=30),
    )
    assert job.team == team


def test_the_customer_list_counts_only_the_sales_log_entries_in_the_readers_reach(
    client, team, other_team, outsider, lead, admin
):
    from customers.models import Activity
    from customers.services import create_customer, log_activity

    customer = create_customer(actor=outsider, owner=outsider, name="广州老客户有限公司")
    log_activity(author=outsider, customer=customer, occurred_on=datetime.date(2026, 10, 13), kind=Activity.Kind.VISIT)
    move_member(actor=admin, member=outsider, team=team, role=Membership.Role.SALESPERSON, on=MONDAY)
    client.force_login(lead)
    response = client.get(reverse("customers:customer_list"))
    assert "广州老客户有限公司" in response.text  # customers follow their owner …
    assert "2026-10-13" not in response.text  # … the Guangzhou visit stays with Guangzhou
