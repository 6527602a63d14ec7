import datetime

import pytest
from django.urls import reverse

from reports import services
from reports.models import WeeklyReport
from tests.reports.test_services import MONDAY, at, fill


@pytest.fixture
def submitted(rep):
    report = fill(
        services.open_report(author=rep, week_start=MONDAY),
        summary="**签约** <script>alert('x')</script> [link](javascript:alert(1))",
    )
    return services.submit_report(report=report, by=rep, at=at(MONDAY + datetime.timedelta(days=4), 19, 15))


def test_detail_shows_every_section_with_safe_markdown_and_the_late_mark(client, lead, submitted):
    client.force_login(lead)
    response = client.get(reverse("reports:detail", args=[submitted.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>签约</strong>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "javascript:" not in page
    assert "跟进华为报价" in page  # next week's plan
    assert "1 h 15 min" in page  # late by, in the reader's language (the cast reads English)


def test_manager_reads_but_cannot_edit(client, lead, submitted):
    client.force_login(lead)
    page = client.get(reverse("reports:detail", args=[submitted.pk])).content.decode()
    assert reverse("reports:edit", args=[submitted.pk]) not in page


@pytest.mark.parametrize("reader", ["outsider", "other_lead", "other_rep"])
def test_people_outside_the_team_or_teammates_get_404(client, request, submitted, reader):
    client.force_login(request.getfixturevalue(reader))
    assert client.get(reverse("reports:detail", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("reports:history", args=[submitted.pk])).status_code == 404


def test_manager_keeps_seeing_reports_after_the_author_moves(client, admin, lead, rep, other_team, submitted):
    from teams.services import move_member

    move_member(actor=admin, member=rep, team=other_team, role="salesperson")
    client.force_login(lead)
    assert client.get(reverse("reports:detail", args=[submitted.pk])).status_code == 200


def test_my_reports_lists_a_year_with_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    for week in range(52):
        services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(weeks=week))
    client.force_login(rep)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reports:my"))
    page = response.content.decode()
    assert page.count('href="/reports/') >= 26  # the first page of two
    assert "?page=2" in page


def test_detail_query_count_does_not_grow_with_rows(client, lead, rep, django_assert_max_num_queries):
    report = services.open_report(author=rep, week_start=MONDAY)
    fill(
        report,
        plan=[{"item": f"计划{i}", "customer": ""} for i in range(20)],
        problems=[{"problem": f"问题{i}", "cause": "", "action": "", "help_needed": ""} for i in range(20)],
    )
    WeeklyReport.objects.filter(pk=report.pk).update(status=WeeklyReport.Status.SUBMITTED)  # drafts are private
    client.force_login(lead)
    # The report itself, its review record, comment thread, read receipt, the two nav badges (what
    # waits for review read with the teams' review days, kept until it changes) and whether the
    # author has a pipeline (reports/sections.py).
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200


def test_history_shows_what_changed_between_submissions(client, rep, submitted):
    WeeklyReport.objects.filter(pk=submitted.pk).update(status=WeeklyReport.Status.RETURNED)
    submitted.refresh_from_db()
    services.save_draft(
        report=submitted, editor=rep, base_version=submitted.version, data={"summary": "补充：已签约华为"}
    )
    services.submit_report(report=submitted, by=rep)
    client.force_login(rep)
    page = client.get(reverse("reports:history", args=[submitted.pk])).content.decode()
    assert "+ # 补充：已签约华为" in page
    assert "Resubmitted" in page and "First submission." in page
