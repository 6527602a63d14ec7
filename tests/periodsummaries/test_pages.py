"""The pages of period summaries over HTTP: writing with autosave, a refused submission that
keeps what was typed, the manager's review, practices, and the PDF read back with pypdf."""

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from periodsummaries import services
from periodsummaries.models import PeriodSummary, Practice
from tests.periodsummaries.test_services import NOVEMBER, complete, submitted_weeks


def post_form(summary, **fields):
    """The edit form as the browser posts it: every figure, the plan's one blank row."""
    data = {
        "base_version": summary.version,
        "overview": "",
        "plan-TOTAL_FORMS": "1",
        "plan-INITIAL_FORMS": "0",
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "50",
    }
    for row in summary.kpis.all():
        data[f"kpi_{row.kpi_id}"] = "" if row.actual is None else f"{row.actual:,.0f}"
        data[f"cause_{row.kpi_id}"] = row.cause
    return data | fields


def test_author_writes_with_autosave_and_sees_prefilled_marks(client, rep, lead):
    kpi = submitted_weeks(rep, lead)
    client.force_login(rep)
    response = client.post(
        reverse("periodsummaries:start"), {"level": "member", "period": "month", "day": "2026-11-20"}
    )
    summary = PeriodSummary.objects.get(author=rep)
    assert response.url == reverse("periodsummaries:edit", args=[summary.pk])
    page = client.get(response.url).content.decode()
    assert 'id="report-form"' in page and "100,000" in page

    saved = client.post(
        reverse("periodsummaries:autosave", args=[summary.pk]),
        post_form(summary, overview="十一月回顾", **{f"kpi_{kpi.pk}": "110,000"}),
    )
    assert 'data-state="saved"' in saved.content.decode()
    summary.refresh_from_db()
    assert summary.overview == "十一月回顾"
    detail = client.get(reverse("periodsummaries:detail", args=[summary.pk])).content.decode()
    assert "data-changed" in detail and "110,000" in detail and "100,000" in detail


def test_a_refused_submission_keeps_the_text_and_names_the_missing_cause(client, rep, lead):
    kpi = submitted_weeks(rep, lead)
    summary = services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)
    client.force_login(rep)
    response = client.post(
        reverse("periodsummaries:submit", args=[summary.pk]),
        post_form(
            summary,
            overview="本月完成十万",
            **{"plan-0-item": "拿下华为二期", "plan-0-owner": "张伟"},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "本月完成十万" in page and "拿下华为二期" in page
    assert re.search(rf'id="id_cause_{kpi.pk}_errors"[^>]*>\s*<div>', page)
    summary.refresh_from_db()
    assert summary.status == PeriodSummary.Status.DRAFT and summary.overview == "本月完成十万"


def test_manager_reviews_from_the_queue_with_four_part_feedback(client, rep, lead):
    submitted_weeks(rep, lead)
    summary = complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    services.submit_summary(summary=summary, by=rep)
    client.force_login(lead)
    queue = client.get(reverse("periodsummaries:queue")).content.decode()
    assert reverse("periodsummaries:review", args=[summary.pk]) in queue
    empty = client.post(reverse("periodsummaries:mark_reviewed", args=[summary.pk]), {})
    assert "Write at least one part of the feedback." in empty.content.decode()
    client.post(
        reverse("periodsummaries:mark_reviewed", args=[summary.pk]),
        {"praise": "目标拆解清楚", "problems": "回款偏慢", "suggestions": "提前约财务", "goals": "一月拜访十家"},
    )
    summary.refresh_from_db()
    assert summary.status == PeriodSummary.Status.REVIEWED
    client.force_login(rep)
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "目标拆解清楚" in page and "一月拜访十家" in page


def test_a_lesson_marked_as_practice_is_found_on_the_teams_page(client, rep, lead, team):
    summary = complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    services.submit_summary(summary=summary, by=rep)
    client.force_login(lead)
    client.post(
        reverse("periodsummaries:practice_add", args=[summary.pk]),
        {"title": "先技术交流后报价", "text": "先约技术交流再报价"},
    )
    assert Practice.objects.get().team == team
    client.force_login(rep)
    found = client.get(reverse("periodsummaries:practices", args=[team.pk]), {"q": "技术"}).content.decode()
    assert "先技术交流后报价" in found
    missed = client.get(reverse("periodsummaries:practices", args=[team.pk]), {"q": "回款"}).content.decode()
    assert "先技术交流后报价" not in missed


def test_the_pdf_says_what_the_page_says(client, rep, lead):
    submitted_weeks(rep, lead)
    summary = complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    services.submit_summary(summary=summary, by=rep)
    services.mark_reviewed(summary=summary, reviewer=lead, praise="目标拆解清楚")
    client.force_login(lead)
    response = client.get(reverse("periodsummaries:pdf", args=[summary.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "本月完成销售额十万元",
        "100,000",
        "120,000",
        "华为项目延期",
        "拿下华为二期",
        "签约50万",
        "目标拆解清楚",
    ):
        assert expected in text, expected


def test_a_team_summary_costs_the_same_queries_however_many_member_summaries(client, rep, other_rep, lead, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import member_of

    team_summary = services.open_summary(author=lead, level="team", period="month", day=NOVEMBER)
    url = reverse("periodsummaries:detail", args=[team_summary.pk])

    def count() -> int:
        client.force_login(lead)
        client.get(url)  # what the navigation keeps between pages is read on the first one
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.submit_summary(
        summary=complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)), by=rep
    )
    before = count()
    for i in range(3):
        person = member_of(team, username=f"extra{i}", display_name=f"成员{i}")
        services.submit_summary(
            summary=complete(services.open_summary(author=person, level="member", period="month", day=NOVEMBER)),
            by=person,
        )
    page = client.get(url).content.decode()
    assert count() == before
    assert "成员2" in page and "本月完成销售额十万元" in page
