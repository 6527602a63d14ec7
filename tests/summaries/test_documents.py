"""My documents: the PDFs and exports a person asked for, newest first, filtered in the URL, each
with its state and a way to get it; nobody else's, whatever their role."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services as report_services
from summaries.models import Document, DocumentRequest
from tests.reports.test_services import MONDAY, at
from tests.reviews.test_pages import submitted

URL = reverse("summaries:documents")


def break_report_pdfs(settings, tmp_path) -> None:
    """The report PDF's template names a page that does not exist: rendering it fails."""
    broken = tmp_path / "templates" / "pdf"
    broken.mkdir(parents=True)
    (broken / "report.html").write_text('{% url "no-such-page" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]


def ask_for_report_pdf(client, report) -> Document:
    client.post(reverse("summaries:report_pdf", args=[report.pk]))
    return Document.objects.filter(kind=Document.Kind.REPORT, report=report).latest("pk")


def export_my_reports(client, **params) -> Document:
    """'Export this list' on My reports, long enough to go through the worker."""
    client.get(reverse("reports:my"), {**params, "export": "csv"})
    return Document.objects.filter(kind=Document.Kind.LIST).latest("pk")


@pytest.fixture
def documents_of_rep(client, rep, settings, tmp_path, time_machine, django_capture_on_commit_callbacks):
    """rep's report PDF (ready), an export of My reports (ready, a day later) and a report PDF that
    failed (two days later)."""
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 9))
    report = submitted(rep)
    report_services.open_report(author=rep, week_start=MONDAY + datetime.timedelta(days=7))
    client.force_login(rep)
    settings.EXPORT_AT_ONCE = 1
    with django_capture_on_commit_callbacks(execute=True):
        pdf = ask_for_report_pdf(client, report)
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=8), 9))
    with django_capture_on_commit_callbacks(execute=True):
        export = export_my_reports(client)
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=9), 9))
    break_report_pdfs(settings, tmp_path)
    earlier = submitted(rep, week=MONDAY - datetime.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        failed = ask_for_report_pdf(client, earlier)
    documents = {"pdf": pdf, "export": export, "failed": failed}
    for document in documents.values():
        document.refresh_from_db()
    return documents


def listed(client, **params) -> list[Document]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row.document for row in response.context["page"]]


def test_my_documents_lists_what_i_asked_for_newest_first_with_its_state_and_a_way_to_get_it(client, documents_of_rep):
    pdf, export, failed = documents_of_rep["pdf"], documents_of_rep["export"], documents_of_rep["failed"]
    assert [pdf.status, export.status, failed.status] == ["done", "done", "failed"]
    assert listed(client) == [failed, export, pdf]
    page = client.get(URL).content.decode()
    for ready in (pdf, export):
        assert reverse("summaries:download", args=[ready.pk]) in page
    assert reverse("summaries:download", args=[failed.pk]) not in page
    assert reverse("summaries:retry", args=[failed.pk]) in page and "could not be produced" in page
    assert "张伟 · " in page and "My reports · " in page  # what each is about
    # Each row's download works, and the list is one click from every page and from a job's page.
    download = client.get(reverse("summaries:download", args=[pdf.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert f'href="{URL}" id="nav-documents"' in page
    assert f'href="{URL}" id="my-documents"' in client.get(pdf.get_absolute_url()).content.decode()


def test_trying_a_failed_document_again_puts_the_new_one_on_top(
    client, documents_of_rep, settings, django_capture_on_commit_callbacks
):
    failed = documents_of_rep["failed"]
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": settings.TEMPLATES[0]["DIRS"][1:]}]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summaries:retry", args=[failed.pk]))
    again = Document.objects.latest("pk")
    assert response.url == again.get_absolute_url()
    assert listed(client)[:2] == [again, failed]
    assert Document.objects.get(pk=again.pk).status == Document.Status.DONE


def test_my_documents_filter_by_kind_state_and_day_in_the_url(client, documents_of_rep):
    pdf, export, failed = documents_of_rep["pdf"], documents_of_rep["export"], documents_of_rep["failed"]
    assert listed(client, kind=Document.Kind.REPORT) == [failed, pdf]
    assert listed(client, kind=Document.Kind.LIST) == [export]
    assert listed(client, status=Document.Status.DONE) == [export, pdf]
    assert listed(client, status=Document.Status.FAILED, kind=Document.Kind.REPORT) == [failed]
    day = (MONDAY + datetime.timedelta(days=8)).isoformat()
    assert listed(client, start=day) == [failed, export]
    assert listed(client, end=day) == [export, pdf]
    assert listed(client, start=day, end=day) == [export]
    bad = client.get(URL, {"kind": "nonsense", "start": "2026-02-31", "status": Document.Status.DONE})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"kind", "start"}
    assert [row.document for row in bad.context["page"]] == [export, pdf]  # the valid filter still applies
    assert 'value="2026-02-31"' in bad.content.decode()
    empty = client.get(URL, {"kind": Document.Kind.TEAM_PERIOD}).content.decode()
    assert "No document matches these filters." in empty


def test_my_documents_export_as_filtered(client, documents_of_rep, settings):
    settings.EXPORT_AT_ONCE = 100
    response = client.get(URL, {"status": Document.Status.DONE, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-documents.csv"'
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header[:3] == ["Asked for at", "Kind", "About"]
    assert [row[1] for row in rows] == ["Export of a filtered list", "Weekly report"]
    assert rows[1][5] == str(documents_of_rep["pdf"].size)


def test_someone_asking_for_the_same_pdf_shares_it_and_finds_it_in_their_list(
    client, rep, lead, django_capture_on_commit_callbacks
):
    report = submitted(rep)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask_for_report_pdf(client, report)
    client.force_login(lead)
    assert listed(client) == []
    assert ask_for_report_pdf(client, report) == job  # the file rendered for rep, not a second render
    assert listed(client) == [job]
    assert DocumentRequest.objects.filter(document=job).count() == 2


@pytest.mark.parametrize("who", ["lead", "director", "admin", "outsider"])
def test_nobody_else_sees_my_documents_in_their_list(client, request, documents_of_rep, who):
    client.force_login(request.getfixturevalue(who))
    assert listed(client) == []
    page = client.get(URL, {"export": "csv"}).content.decode("utf-8-sig")
    assert len(page.splitlines()) == 1  # the header only


def test_another_person_cannot_open_or_download_my_documents(client, outsider, lead, documents_of_rep):
    client.force_login(outsider)
    for document in documents_of_rep.values():
        assert client.get(document.get_absolute_url()).status_code == 404
        assert client.get(reverse("summaries:download", args=[document.pk])).status_code == 404
        assert client.post(reverse("summaries:retry", args=[document.pk])).status_code == 404
    # My manager may read my report, hence its PDF, but never my export of my list.
    client.force_login(lead)
    assert client.get(reverse("summaries:download", args=[documents_of_rep["pdf"].pk])).status_code == 200
    assert client.get(reverse("summaries:download", args=[documents_of_rep["export"].pk])).status_code == 404


def test_my_documents_come_in_pages(client, rep):
    for n in range(31):
        document = Document.objects.create(
            kind=Document.Kind.LIST, list_name="my_reports", language="en", content_key=f"list:{n}", requested_by=rep
        )
        DocumentRequest.objects.create(document=document, requester=rep)
    client.force_login(rep)
    first = client.get(URL, {"kind": Document.Kind.LIST})
    assert len(first.context["page"]) == 30
    assert "kind=list&amp;page=2" in first.content.decode()
    assert len(client.get(URL, {"kind": Document.Kind.LIST, "page": 2}).context["page"]) == 1


def test_my_documents_need_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_my_documents_cost_the_same_queries_for_any_number_of_documents(client, rep, team):
    report = submitted(rep)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            subject = [{"report": report}, {"team": team, "period_start": MONDAY}, {"member": rep, "team": team}][n % 3]
            kind = [Document.Kind.REPORT, Document.Kind.TEAM_WEEK, Document.Kind.MEMBER_PERIOD][n % 3]
            document = Document.objects.create(
                kind=kind, language="en", content_key=f"k{n}", requested_by=rep, **subject, period_end=MONDAY
            )
            DocumentRequest.objects.create(document=document, requester=rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    client.force_login(rep)
    add(3, 0)
    before = count()
    add(24, 3)
    assert count() == before
