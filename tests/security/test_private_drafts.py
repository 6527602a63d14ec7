"""Issue 16, finding 8: a draft is its author's until it is submitted. Managers, directors and
admins get 404 on it, its history, its attachments and its PDF; once it is returned for revision
its reviewers see it again while the author revises it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services as report_services
from reviews import services as review_services
from summaries.models import Document
from tests.reports.test_services import MONDAY, fill
from tests.reviews.test_pages import submitted

READERS = ["lead", "director", "admin"]


@pytest.fixture
def draft(rep):
    return fill(report_services.open_report(author=rep, week_start=MONDAY), summary="还没想好怎么写的草稿")


@pytest.fixture
def people(lead, director, admin):
    return {"lead": lead, "director": director, "admin": admin}


@pytest.mark.parametrize("role", READERS)
def test_the_authors_manager_director_and_admin_get_404_on_a_draft_and_its_history(client, draft, people, role):
    client.force_login(people[role])
    assert client.get(reverse("reports:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("reports:history", args=[draft.pk])).status_code == 404
    assert client.get(reverse("reviews:thread", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_nobody_but_the_author_can_ask_for_a_drafts_pdf_or_open_one(client, draft, rep, people, role):
    client.force_login(people[role])
    assert client.post(reverse("summaries:report_pdf", args=[draft.pk])).status_code == 404
    assert not Document.objects.exists()
    job = Document.objects.create(kind=Document.Kind.REPORT, report=draft, language="en", content_key="x")
    assert client.get(reverse("summaries:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("summaries:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_a_drafts_attachment_is_the_authors_alone(client, draft, people, role):
    attachment = report_services.add_attachment(
        report=draft, uploaded_by=draft.author, file=SimpleUploadedFile("offer.pdf", b"%PDF-1.4 x")
    )
    client.force_login(people[role])
    assert client.get(reverse("reports:attachment_download", args=[attachment.pk])).status_code == 404


def test_the_author_still_reads_and_edits_their_draft(client, draft, rep):
    client.force_login(rep)
    response = client.get(reverse("reports:detail", args=[draft.pk]))
    assert response.status_code == 200
    assert "还没想好怎么写的草稿" in response.text
    assert client.get(reverse("reports:edit", args=[draft.pk])).status_code == 200


def test_a_drafts_figures_stay_out_of_the_team_weekly_summary(client, team, rep, lead, draft):
    from reports.models import KPI

    sales = KPI.objects.get(code="sales_amount")
    report_services.save_draft(report=draft, editor=rep, base_version=draft.version, data={"kpis": {sales.pk: "98765"}})
    client.force_login(lead)
    response = client.get(reverse("summaries:team_week", args=[team.pk]), {"week": MONDAY.isoformat()})
    assert response.status_code == 200
    assert "张伟" in response.text  # the member and the draft's status are shown …
    assert "98,765" not in response.text  # … not what the draft says


def test_a_report_returned_for_revision_stays_visible_to_its_reviewer(client, rep, lead, director):
    report = submitted(rep)
    review_services.return_for_revision(report=report, reviewer=lead, reason="请补充客户名称")
    for reader in (lead, director):
        client.force_login(reader)
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    client.force_login(lead)
    assert client.post(reverse("summaries:report_pdf", args=[report.pk])).status_code == 302


def test_the_review_queue_and_the_reports_in_reach_leave_drafts_out(rep, lead, admin, draft):
    from reports import access

    for reader in (lead, admin):
        assert draft not in access.visible_reports(reader)
        assert draft not in access.reviewable_reports(reader)
    assert draft in access.visible_reports(rep)
