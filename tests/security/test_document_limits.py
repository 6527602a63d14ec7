"""PDF and export jobs are bounded: one person has at most DOCUMENT_JOBS_PER_USER of them waiting
or rendering (a salesperson once queued 60 member summaries in 4 s by varying the month), and
rendered files do not pile up: they are deleted after DOCUMENT_RETENTION_DAYS by a periodic task,
and asking again renders them again."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.urls import reverse
from django.utils import timezone

from summaries import services, tasks
from summaries.models import Document

MONTHS = ["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15", "2026-06-15"]


def ask_for_summary(client, member, day: str):
    return client.post(
        reverse("summaries:member_period_pdf", args=[member.pk]), {"period": "month", "day": day}, follow=True
    )


@pytest.fixture
def five_waiting(client, rep, settings, django_capture_on_commit_callbacks):
    """The salesperson has asked for five monthly summaries; no worker has taken them yet."""
    settings.DOCUMENT_JOBS_PER_USER = 5
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=False):
        for day in MONTHS[:5]:
            assert ask_for_summary(client, rep, day).status_code == 200
    assert Document.objects.filter(requested_by=rep, status=Document.Status.QUEUED).count() == 5


def test_a_sixth_job_waiting_is_refused_with_a_message_and_nothing_is_queued(
    client, rep, five_waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = ask_for_summary(client, rep, MONTHS[5])
    assert response.status_code == 200
    assert "You already have 5 files waiting or rendering." in response.content.decode()
    assert Document.objects.count() == 5
    assert callbacks == []  # no render handed to the workers


def test_asking_again_for_a_file_on_its_way_is_no_new_job_and_is_never_refused(client, rep, five_waiting):
    response = ask_for_summary(client, rep, MONTHS[0])
    assert response.redirect_chain[-1][0] == Document.objects.get(period_start="2026-01-01").get_absolute_url()
    assert "waiting or rendering" not in response.content.decode()


def test_the_limit_is_per_person_and_frees_up_as_jobs_finish(client, rep, lead, five_waiting):
    client.force_login(lead)
    assert ask_for_summary(client, rep, MONTHS[5]).redirect_chain  # the manager has a queue of his own
    lead_job = Document.objects.get(requested_by=lead)
    client.force_login(rep)
    finished = Document.objects.filter(requested_by=rep).first()
    Document.objects.filter(pk=finished.pk).update(status=Document.Status.DONE)  # a worker got to it
    response = ask_for_summary(client, rep, "2026-07-15")
    assert "waiting or rendering" not in response.content.decode()
    assert Document.objects.filter(requested_by=rep).count() == 6
    assert lead_job.pk != Document.objects.latest("pk").pk


def test_asking_again_for_a_failed_file_counts_against_the_limit_too(client, rep, five_waiting):
    failed = Document.objects.filter(requested_by=rep).first()
    Document.objects.filter(pk=failed.pk).update(status=Document.Status.FAILED, error="x")
    ask_for_summary(client, rep, MONTHS[5])  # back to five waiting
    response = client.post(reverse("summaries:retry", args=[failed.pk]), follow=True)
    assert response.status_code == 200
    assert "You already have 5 files waiting or rendering." in response.content.decode()
    assert Document.objects.count() == 6


def rendered_export(team, requested_by, layout=Document.Layout.LONG) -> Document:
    job = services.request_document(
        kind=Document.Kind.EXPORT,
        requested_by=requested_by,
        language="en",
        team=team,
        start=datetime.date(2026, 11, 1),
        end=datetime.date(2026, 11, 30),
        file_format=Document.Format.CSV,
        layout=layout,
    )
    assert services.render_job(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_files_older_than_the_retention_are_deleted_by_the_periodic_task_and_asking_again_renders_them(
    client, lead, team, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RETENTION_DAYS = 3
    old, recent = rendered_export(team, lead), rendered_export(team, None, Document.Layout.WIDE)
    Document.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=3, hours=1))
    old_path, recent_path = Path(old.file.path), Path(recent.file.path)

    assert tasks.expire_documents.delay().get() == 1
    assert not old_path.exists() and recent_path.exists()
    old.refresh_from_db()
    assert (old.status, old.file.name) == (Document.Status.EXPIRED, "")
    assert tasks.expire_documents.delay().get() == 0  # a second run finds nothing more

    client.force_login(lead)
    assert client.get(reverse("summaries:download", args=[old.pk])).status_code == 404
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Files are kept for 3 days" in page and 'id="ask-again"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summaries:retry", args=[old.pk]))
    again = Document.objects.exclude(pk__in=[old.pk, recent.pk]).get()
    assert response.url == again.get_absolute_url()
    again.refresh_from_db()
    assert (again.status, again.file_format, again.layout) == ("done", "csv", "long")
    download = client.get(reverse("summaries:download", args=[again.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")


def test_the_beat_deletes_expired_files_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in project_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["summaries.tasks.expire_documents"] == 60 * 60


@pytest.mark.parametrize(
    ("referer", "lands_on"),
    [
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("http://testserver/reports/", "http://testserver/reports/"),
    ],
)
def test_a_refused_request_goes_back_only_to_a_page_of_ours(client, rep, five_waiting, referer, lands_on):
    response = client.post(
        reverse("summaries:member_period_pdf", args=[rep.pk]),
        {"period": "month", "day": MONTHS[5]},
        HTTP_REFERER=referer,
    )
    assert response.status_code == 302
    assert response.url == lands_on
