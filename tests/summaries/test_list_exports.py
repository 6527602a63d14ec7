"""'Export this list' for a list too long to write at once: the worker writes every row of the
filtered list, as the person who asked sees it, and only they can read the file."""

import datetime
import io

import openpyxl
from django.urls import reverse

from customers import services as customer_services
from customers.models import Activity
from reports import services as report_services
from summaries.models import Document
from teams import services as team_services
from tests.customers.conftest import MONDAY, visit
from tests.reports.test_services import at


def download(client, job) -> bytes:
    response = client.get(reverse("summaries:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_long_list_goes_through_the_worker_with_every_filtered_row(
    client, rep, settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=30), 9))
    weeks = [MONDAY + datetime.timedelta(days=7 * n) for n in range(4)]
    for week in weeks:
        report_services.open_report(author=rep, week_start=week)
    settings.EXPORT_AT_ONCE = 2
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:my"), {"start": weeks[1].isoformat(), "export": "csv", "page": "2"})
    job = Document.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.kind, job.list_name, job.query) == (Document.Kind.LIST, "my_reports", f"start={weeks[1].isoformat()}")
    assert job.status == Document.Status.DONE
    lines = download(client, job).decode("utf-8-sig").splitlines()
    assert [line[:10] for line in lines[1:]] == [week.isoformat() for week in reversed(weeks[1:])]
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("summaries:download", args=[job.pk]) in page


def test_the_worker_applies_the_access_policy_of_whoever_asked(
    client, lead, rep, outsider, settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    huawei = customer_services.create_customer(actor=rep, owner=rep, name="华为技术有限公司")
    for _ in range(3):
        visit(rep, huawei, MONDAY, kind=Activity.Kind.CALL)
    visit(rep, huawei, MONDAY)
    tencent = customer_services.create_customer(actor=outsider, owner=outsider, name="腾讯")
    visit(outsider, tencent, MONDAY, kind=Activity.Kind.CALL)
    settings.EXPORT_AT_ONCE = 1
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("customers:activity_list"), {"kind": Activity.Kind.CALL, "export": "xlsx"})
    job = Document.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, job))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and {row[3] for row in rows} == {"华为技术有限公司"}  # never the outsider's call
    # The file is the manager's: nobody else opens it, not even the salesperson it is about.
    client.force_login(rep)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("summaries:download", args=[job.pk])).status_code == 404


def test_someone_who_left_before_the_worker_ran_gets_no_file(
    client, lead, admin, rep, settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    settings.EXPORT_AT_ONCE = 1
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(reverse("teams:member_list"), {"export": "csv"})
    job = Document.objects.get()
    assert response.url == job.get_absolute_url() and job.status == Document.Status.QUEUED
    team_services.change_status(actor=admin, member=lead, status="left", on=MONDAY + datetime.timedelta(days=2))
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == Document.Status.FAILED and not job.file
