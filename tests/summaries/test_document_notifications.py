"""A file rendered by the worker tells whoever asked for it when it is ready or could not be
produced: exported lists and PDFs alike, in the inbox (and by email), linking to a page they can
open. The worker runs eagerly here, as in the other document tests, once the request commits."""

import datetime

from django.urls import reverse

from notifications.models import Notification
from reports import services as report_services
from summaries.models import Document
from teams import services as team_services
from teams.models import Membership
from tests.reports.test_services import MONDAY, at
from tests.reviews.test_pages import submitted
from tests.summaries.test_documents import ask_for_report_pdf, break_report_pdfs


def told(person) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=Notification.Kind.DOCUMENT))


def open_from_inbox(client, notification: Notification):
    """Open the notification as its recipient does (the inbox's link), following the redirect."""
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == notification.url
    return client.get(response.url)


def test_a_long_list_exported_by_the_worker_tells_its_requester_it_is_ready(
    client, rep, settings, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=14), 9))
    for week in (MONDAY, MONDAY + datetime.timedelta(days=7)):
        report_services.open_report(author=rep, week_start=week)
    settings.EXPORT_AT_ONCE = 1
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:my"), {"export": "xlsx"})
    job = Document.objects.get()
    assert job.status == Document.Status.DONE
    (notification,) = told(rep)
    assert notification.url == job.get_absolute_url() and notification.is_unread
    assert job.subject.startswith("My reports · ")
    assert notification.title == f"Your file is ready: Export of a filtered list · {job.subject}"
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "Your file is ready: Export of a filtered list" in inbox
    page = open_from_inbox(client, notification)
    assert page.status_code == 200 and reverse("summaries:download", args=[job.pk]) in page.content.decode()
    notification.refresh_from_db()
    assert not notification.is_unread
    assert len(mailoutbox) == 1 and job.get_absolute_url() in mailoutbox[0].body


def test_a_pdf_that_fails_tells_everyone_who_asked_for_it_why(
    client, rep, lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    report = submitted(rep)
    break_report_pdfs(settings, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (rep, lead):  # both before the worker starts: one job, one render
            client.force_login(person)
            job = ask_for_report_pdf(client, report)
    job.refresh_from_db()
    assert job.status == Document.Status.FAILED and Document.objects.count() == 1
    for person in (rep, lead):
        (notification,) = told(person)
        assert notification.title == "Your file could not be produced: Weekly report · 张伟 · 2026-11-16"
        assert "no-such-page" in notification.excerpt and notification.url == job.get_absolute_url()
        client.force_login(person)
        page = open_from_inbox(client, notification).content.decode()
        assert reverse("summaries:retry", args=[job.pk]) in page


def test_the_notification_speaks_the_requesters_language(client, rep, django_capture_on_commit_callbacks):
    rep.language = "zh-hans"
    rep.save(update_fields=["language"])
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_report_pdf(client, submitted(rep))
    (notification,) = told(rep)
    assert notification.data["document"] == "周报 · 张伟 · 2026-11-16"
    inbox = client.get(reverse("notifications:inbox")).content.decode()  # in the language of their profile
    assert "你的文件已生成：周报 · 张伟 · 2026-11-16" in inbox


def test_only_those_who_may_still_open_the_file_are_told(
    client, rep, lead, admin, other_team, django_capture_on_commit_callbacks
):
    report = submitted(rep)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for person in (rep, lead):
            client.force_login(person)
            job = ask_for_report_pdf(client, report)
    # The manager moves to another team before the worker gets to the job: rep's report is out of reach.
    team_services.move_member(actor=admin, member=lead, team=other_team, role=Membership.Role.MANAGER)
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == Document.Status.DONE
    assert [n.url for n in told(rep)] == [job.get_absolute_url()]
    assert told(lead) == []


def test_a_document_asked_for_again_once_ready_tells_nobody_again(client, rep, django_capture_on_commit_callbacks):
    report = submitted(rep)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_report_pdf(client, report)
        ask_for_report_pdf(client, report)
    assert len(told(rep)) == 1
