"""Filters on lists: in the URL, validated, and "export this list" downloads what is shown."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from customers.models import Customer
from reports import services as report_services
from reports.customer_names import name_key
from reports.models import WeeklyReport
from summaries.models import Document
from tests.reports.test_services import MONDAY, at
from tests.reviews.test_pages import FRIDAY, submitted, week_of_reports  # noqa: F401 (a fixture)

LATER = MONDAY + datetime.timedelta(days=21)


def my_reports(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:my"), params)


def test_my_reports_filter_by_period_state_and_lateness(client, rep, lead, time_machine):
    time_machine.move_to(at(LATER + datetime.timedelta(days=4), 9))
    on_time = submitted(rep, at(FRIDAY, 12))
    late = submitted(rep, at(FRIDAY + datetime.timedelta(days=8), 9), week=MONDAY + datetime.timedelta(days=7))
    draft = report_services.open_report(author=rep, week_start=LATER)

    def listed(**params):
        return set(my_reports(client, rep, **params).context["page"])

    assert listed() == {on_time, late, draft}
    assert listed(start=(MONDAY + datetime.timedelta(days=7)).isoformat()) == {late, draft}
    assert listed(end=MONDAY.isoformat()) == {on_time}
    assert listed(status=WeeklyReport.Status.DRAFT) == {draft}
    assert listed(late="late") == {late}
    assert listed(late="on_time") == {on_time}


def test_a_bad_filter_value_shows_a_message_keeps_the_text_and_lists_the_rest(client, rep, time_machine):
    time_machine.move_to(at(FRIDAY, 13))
    report = submitted(rep)
    response = my_reports(client, rep, start="2026-13-45", status="nonsense", late="late")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"start", "status"}
    page = response.content.decode()
    assert 'value="2026-13-45"' in page
    assert list(response.context["page"]) == []  # the valid filter (late) still applies
    assert report.late_by is None


def test_a_period_ending_before_it_starts_is_refused_next_to_the_field(client, rep):
    response = my_reports(client, rep, start="2026-11-20", end="2026-11-01")
    assert response.context["form"].errors["end"]


def test_export_this_list_downloads_the_filtered_rows(client, rep, time_machine):
    time_machine.move_to(at(LATER, 9))
    submitted(rep)
    report_services.open_report(author=rep, week_start=LATER)
    response = my_reports(client, rep, status=WeeklyReport.Status.DRAFT, export="csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-reports.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(LATER.isoformat())
    xlsx = my_reports(client, rep, export="xlsx")
    assert xlsx.content.startswith(b"PK")


def test_a_list_too_long_to_export_at_once_goes_to_the_worker_or_says_why_not(client, rep, time_machine, settings):
    time_machine.move_to(at(LATER, 9))
    submitted(rep)
    report_services.open_report(author=rep, week_start=LATER)
    settings.EXPORT_AT_ONCE = 1
    response = my_reports(client, rep, export="csv")
    assert response.status_code == 302 and response.url.startswith("/documents/")
    settings.DOCUMENT_JOBS_PER_USER = 1  # that job is still waiting for a worker
    refused = my_reports(client, rep, export="xlsx")
    assert refused["Content-Type"].startswith("text/html")
    assert "waiting or rendering" in refused.content.decode()


def test_a_manager_filters_the_queue_by_member_name_and_group(client, lead, week_of_reports, time_machine):  # noqa: F811
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 10))
    client.force_login(lead)
    url = reverse("reviews:queue")
    by_name = client.get(url, {"week": MONDAY.isoformat(), "member": "张"})
    assert by_name.context["groups"]["awaiting"] == [week_of_reports["on_time"]]
    assert by_name.context["groups"]["missing"] == []
    missing = client.get(url, {"week": MONDAY.isoformat(), "state": "missing"})
    assert [section["key"] for section in missing.context["sections"]] == []
    assert "group-missing" in missing.content.decode()
    late = client.get(url, {"week": MONDAY.isoformat(), "state": "late"})
    assert late.context["sections"][0]["rows"] == [week_of_reports["late"]]
    bad = client.get(url, {"week": MONDAY.isoformat(), "state": "everything"})
    assert bad.status_code == 200 and bad.context["filter_form"].errors["state"]


def test_the_overview_filters_by_name_and_state(client, director, week_of_reports, time_machine):  # noqa: F811
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=10), 10))
    client.force_login(director)
    url = reverse("reviews:overview")
    rows = client.get(url, {"week": MONDAY.isoformat(), "name": "李经理"}).context["rows"]
    assert [row.team.name for row in rows] == ["Shanghai 1"]
    assert client.get(url, {"week": MONDAY.isoformat(), "state": "on_time"}).context["rows"] == [
        row for row in client.get(url, {"week": MONDAY.isoformat()}).context["rows"] if not row.is_behind
    ]


def test_customers_filter_and_export(client, rep):
    for name, status in (("华为", Customer.Status.ACTIVE), ("中兴", Customer.Status.LEAD)):
        Customer.objects.create(name=name, key=name_key(name), owner=rep, status=status, created_on=MONDAY)
    client.force_login(rep)
    url = reverse("customers:customer_list")
    assert [c.name for c in client.get(url, {"status": Customer.Status.ACTIVE}).context["page"]] == ["华为"]
    csv = client.get(url, {"q": "中", "export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert len(csv) == 2 and csv[1].startswith("中兴")
    assert client.get(url, {"owner": "abc"}).status_code == 200


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.usefixtures("week_of_reports")
def test_a_manager_exports_the_queue_as_filtered_with_every_group(client, lead, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 10))
    client.force_login(lead)
    url = reverse("reviews:queue")
    page = client.get(url, {"week": MONDAY.isoformat(), "member": "张"}).content.decode()
    assert f"?member=%E5%BC%A0&amp;week={MONDAY.isoformat()}&amp;export=csv" in page  # the link keeps the week
    header, *rows = csv_rows(client.get(url, {"week": MONDAY.isoformat(), "export": "csv"}))
    assert header[:3] == ["Group", "Member", "Team"]
    lines = [(row[0], row[1]) for row in rows]
    assert lines[:4] == [
        ("Awaiting review", "张伟"),
        ("Awaiting review", "王芳"),
        ("Returned for revision", "退回者"),
        ("Reviewed", "已审者"),
    ]
    assert set(lines[4:6]) == {("Missing", "草稿者"), ("Missing", "缺席者")} and lines[6:] == [("On leave", "休假者")]
    assert "李经理" not in {row[1] for row in rows} and "刘洋" not in {row[1] for row in rows}
    assert rows[1][5]  # 王芳 submitted late: by how much
    _header, *filtered = csv_rows(client.get(url, {"week": MONDAY.isoformat(), "member": "张", "export": "csv"}))
    assert [(row[0], row[1]) for row in filtered] == [("Awaiting review", "张伟")]
    _header, *missing = csv_rows(client.get(url, {"week": MONDAY.isoformat(), "state": "missing", "export": "csv"}))
    assert {row[1] for row in missing} == {"草稿者", "缺席者"}


@pytest.mark.usefixtures("week_of_reports")
def test_only_reviewers_export_the_queue(client, rep):
    client.force_login(rep)
    assert client.get(reverse("reviews:queue"), {"week": MONDAY.isoformat(), "export": "csv"}).status_code == 404


@pytest.mark.usefixtures("week_of_reports")
def test_a_director_exports_the_overview_as_filtered(client, director, rep, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=10), 10))
    client.force_login(director)
    url = reverse("reviews:overview")
    shown = client.get(url, {"week": MONDAY.isoformat()}).context["rows"]
    header, *rows = csv_rows(client.get(url, {"week": MONDAY.isoformat(), "export": "csv"}))
    assert header[:3] == ["Team", "Managers", "Expected"]
    assert [row[0] for row in rows] == [row.team.name for row in shown]
    shanghai = next(row for row in shown if row.team.name == "Shanghai 1")
    assert next(row for row in rows if row[0] == "Shanghai 1")[1:7] == [
        "李经理",
        *(str(getattr(shanghai, name)) for name in ("expected", "submitted", "reviewed", "pending", "overdue")),
    ]
    _header, *named = csv_rows(client.get(url, {"week": MONDAY.isoformat(), "name": "李经理", "export": "csv"}))
    assert [row[0] for row in named] == ["Shanghai 1"]
    client.force_login(rep)
    assert client.get(url, {"week": MONDAY.isoformat(), "export": "csv"}).status_code == 404


@pytest.mark.usefixtures("week_of_reports")
def test_a_long_queue_is_exported_by_the_worker_with_the_same_rows(
    client, lead, time_machine, settings, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 10))
    client.force_login(lead)
    url = reverse("reviews:queue")
    at_once = client.get(url, {"week": MONDAY.isoformat(), "export": "csv"}).content
    settings.EXPORT_AT_ONCE = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"week": MONDAY.isoformat(), "export": "csv"})
    job = Document.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == Document.Status.DONE, job.error
    download = client.get(reverse("summaries:download", args=[job.pk]))
    assert b"".join(download.streaming_content) == at_once
