"""A salesperson takes a submitted report back (撤回) until a manager has opened it."""

import datetime

from django.urls import reverse

from reports import services as report_services
from reports.models import ReportRevision, WeeklyReport
from reviews import services
from tests.reports.test_services import MONDAY, at
from tests.reviews.test_pages import queue, review_url, submitted


def test_the_author_withdraws_an_unopened_report_and_the_history_keeps_what_was_sent(client, rep, lead):
    report = submitted(rep)
    assert review_url(report) in queue(client, lead).content.decode()
    client.force_login(rep)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="withdraw-report"' in page
    response = client.post(reverse("reviews:withdraw", args=[report.pk]))
    assert response.url == reverse("reports:edit", args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.submitted_at, report.late_by) == (WeeklyReport.Status.DRAFT, None, None)
    kinds = list(report.revisions.order_by("number").values_list("kind", flat=True))
    assert kinds == [ReportRevision.Kind.SUBMITTED, ReportRevision.Kind.WITHDRAWN]
    history = client.get(reverse("reports:history", args=[report.pk])).content.decode()
    assert "Withdrawn by the author" in history
    assert review_url(report) not in queue(client, lead).content.decode()  # nothing waits for the manager


def test_once_the_manager_has_opened_it_the_report_can_no_longer_be_withdrawn(client, rep, lead):
    report = submitted(rep)
    client.force_login(lead)
    client.get(review_url(report))
    client.force_login(rep)
    assert 'id="withdraw-report"' not in client.get(report.get_absolute_url()).content.decode()
    response = client.post(reverse("reviews:withdraw", args=[report.pk]), follow=True)
    assert "a manager has already opened it" in response.content.decode()
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert report.revisions.count() == 1


def test_a_reviewed_report_cannot_be_withdrawn(client, rep, lead):
    report = submitted(rep)
    services.mark_reviewed(report=report, reviewer=lead, praise="好")
    client.force_login(rep)
    assert client.post(reverse("reviews:withdraw", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.REVIEWED


def test_a_withdrawn_report_submitted_again_counts_its_lateness_anew(rep):
    report = submitted(rep, when=at(MONDAY, 9))
    services.withdraw_report(report=report, by=rep)
    report.refresh_from_db()
    late = at(MONDAY + datetime.timedelta(days=9), 9)
    report = report_services.submit_report(report=report, by=rep, at=late)
    assert report.late_by is not None
    assert report.revisions.order_by("-number").first().kind == ReportRevision.Kind.SUBMITTED


def test_only_the_author_withdraws_and_only_by_post(client, rep, lead, outsider):
    report = submitted(rep)
    client.force_login(lead)
    assert client.post(reverse("reviews:withdraw", args=[report.pk])).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("reviews:withdraw", args=[report.pk])).status_code == 404
    client.force_login(rep)
    assert client.get(reverse("reviews:withdraw", args=[report.pk])).status_code == 405
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
