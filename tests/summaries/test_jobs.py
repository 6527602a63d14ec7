"""PDF jobs: one render per content, failures that say why and can be retried, jobs a dead worker
left behind, the weekly summary the app sends by itself, and the numbers the summaries show."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from reminders import services as reminder_services
from reports import services as report_services
from reports.models import KPI
from reviews import services as review_services
from summaries import rollups, services
from summaries.models import Document
from tests.factories import member_of
from tests.reports.test_services import MONDAY
from tests.reviews.test_pages import submitted

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ask(client, report):
    return client.post(reverse("summaries:report_pdf", args=[report.pk]))


def test_asking_twice_gives_one_job_and_one_render(client, rep, django_capture_on_commit_callbacks):
    report = submitted(rep)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = ask(client, report), ask(client, report)
    job = Document.objects.get()
    assert first.url == second.url == job.get_absolute_url()
    assert (job.status, job.attempts) == (Document.Status.DONE, 1)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, report)  # later: the rendered file is reused
    assert Document.objects.count() == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("summaries:download", args=[job.pk]) in page
    download = client.get(reverse("summaries:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_new_version_of_the_report_gets_a_new_pdf(rep, lead, django_capture_on_commit_callbacks):
    report = submitted(rep)
    first = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="zh-hans")
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    report.refresh_from_db()
    second = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="zh-hans")
    assert first.pk != second.pk


def test_a_pdf_that_cannot_render_fails_with_a_reason_and_can_be_retried(client, rep, settings, tmp_path):
    broken = tmp_path / "templates" / "pdf"
    broken.mkdir(parents=True)
    (broken / "report.html").write_text('{% url "no-such-page" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    report = submitted(rep)
    job = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="en")
    assert services.render_job(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == Document.Status.FAILED
    assert "could not be produced" in job.error and "no-such-page" in job.error
    client.force_login(rep)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "could not be produced" in page and reverse("summaries:retry", args=[job.pk]) in page
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": settings.TEMPLATES[0]["DIRS"][1:]}]
    response = client.post(reverse("summaries:retry", args=[job.pk]))
    again = Document.objects.exclude(pk=job.pk).get()
    assert response.url == again.get_absolute_url()
    assert services.render_job(job_id=again.pk) is True


def test_the_reason_of_a_failure_is_in_the_language_of_whoever_asked(rep, settings, tmp_path):
    broken = tmp_path / "templates" / "pdf"
    broken.mkdir(parents=True)
    (broken / "report.html").write_text('{% url "no-such-page" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    job = services.request_document(
        kind=Document.Kind.REPORT, report=submitted(rep), requested_by=rep, language="zh-hans"
    )
    with translation.override("en"):  # the worker's own language does not matter
        assert services.render_job(job_id=job.pk) is False
    job.refresh_from_db()
    assert "文件生成失败" in job.error and "could not be produced" not in job.error


def test_the_job_page_shows_progress_and_polls_until_done(client, rep):
    report = submitted(rep)
    job = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="en")
    client.force_login(rep)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page
    fragment = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="job-status"') and "<html" not in fragment


def test_a_job_left_rendering_by_a_dead_worker_is_rendered_again(rep):
    report = submitted(rep)
    job = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="en")
    Document.objects.filter(pk=job.pk).update(status=Document.Status.RENDERING, started_at=timezone.now())
    assert services.render_job(job_id=job.pk) is False  # someone is on it
    Document.objects.filter(pk=job.pk).update(started_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(1))
    assert services.requeue_stale_jobs() == 1  # eager in tests: rendered right away
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Document.Status.DONE, 1)


def test_a_period_in_the_future_is_refused_next_to_the_field(client, rep):
    client.force_login(rep)
    next_year = f"{datetime.date.today().year + 1}-01-01"
    future = {"period": "month", "day": next_year}
    for response in (
        client.post(reverse("summaries:member_period_pdf", args=[rep.pk]), future),
        client.get(reverse("summaries:member_period", args=[rep.pk]), future),
    ):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Choose a period that has started." in page and f'value="{next_year}"' in page
    assert not Document.objects.exists()


def test_a_month_in_the_app_shows_what_its_pdf_shows(client, rep, lead):
    for weeks_back in range(3):
        report = submitted(rep, week=MONDAY - datetime.timedelta(days=7 * weeks_back))
    review_services.mark_reviewed(report=report, reviewer=lead, suggestions="多拜访决策层")
    client.force_login(lead)
    month = {"period": "month", "day": "2026-11-20"}
    page = client.get(reverse("summaries:member_period", args=[rep.pk]), month)
    text = page.content.decode()
    assert page.context["summary"].start == datetime.date(2026, 11, 1)
    assert "多拜访决策层" in text and 'role="img"' in text and "跟进华为报价" in text
    response = client.post(reverse("summaries:member_period_pdf", args=[rep.pk]), month)
    job = Document.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.period_start, job.period_end) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def test_outsiders_reach_no_pdf(client, rep, outsider, team):
    report = submitted(rep)
    job = services.request_document(
        kind=Document.Kind.TEAM_WEEK, team=team, start=MONDAY, requested_by=None, language="en"
    )
    client.force_login(outsider)
    assert ask(client, report).status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("summaries:download", args=[job.pk])).status_code == 404
    assert Document.objects.count() == 1


# The weekly summary the app sends by itself -----------------------------------------------------------


def test_after_the_deadline_the_managers_get_the_weekly_summary_once(
    rep, other_rep, lead, team, django_capture_on_commit_callbacks
):
    submitted(rep)
    after_deadline = datetime.datetime(2026, 11, 20, 18, 5, tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_services.run_tick(now=after_deadline)
        reminder_services.run_tick(now=after_deadline + datetime.timedelta(minutes=5))
    notification = Notification.objects.get(recipient=lead, kind=Notification.Kind.SUMMARY_READY)
    job = Document.objects.get()
    assert (job.kind, job.team, job.period_start, job.status) == (Document.Kind.TEAM_WEEK, team, MONDAY, "done")
    assert notification.url == job.get_absolute_url()
    assert "Shanghai 1" in notification.title


# The numbers ----------------------------------------------------------------------------------------------


def test_a_period_adds_up_sums_averages_and_latest_values_as_each_kpi_says(rep, lead):
    sales = KPI.objects.get(code="sales_amount")
    satisfaction = KPI.objects.create(
        code="satisfaction", name_zh="满意度", name_en="Satisfaction", aggregation="average"
    )
    pipeline = KPI.objects.create(code="pipeline", name_zh="商机", name_en="Pipeline", aggregation="latest")
    weeks = [datetime.date(2026, 11, 2), datetime.date(2026, 11, 9), datetime.date(2026, 11, 16)]
    for week, (amount, score, open_deals) in zip(weeks, [(100, 4, 7), (200, 5, 9), (300, 3, 4)], strict=True):
        report = submitted(rep, week=week)
        for kpi, value in ((sales, amount), (satisfaction, score), (pipeline, open_deals)):
            report.kpi_values.update_or_create(kpi=kpi, defaults={"actual": Decimal(value)})
        report_services.set_targets(actor=lead, member=rep, week_start=week, values={sales: Decimal(150)})
    result = rollups.period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30), title="x", member=rep)
    totals = {total.kpi.code: total for total in result.kpis}
    assert totals["sales_amount"].actual == Decimal(600) and totals["sales_amount"].target == Decimal(450)
    assert totals["sales_amount"].deviation == Decimal(150)
    assert totals["satisfaction"].actual == Decimal("4.00")
    assert totals["pipeline"].actual == Decimal(4)


def test_a_monthly_target_spread_over_the_weeks_adds_back_up_to_the_month(rep, lead):
    sales = KPI.objects.get(code="sales_amount")
    settings = report_services.settings_for(rep.memberships.get().team)
    weeks = report_services.weeks_of_month(settings, 2026, 11)
    for week, share in zip(weeks, report_services.spread_monthly_target(Decimal(100000), len(weeks), 0), strict=True):
        report_services.set_targets(actor=lead, member=rep, week_start=week, values={sales: share})
    result = rollups.period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30), title="x", member=rep)
    assert next(t for t in result.kpis if t.kpi == sales).target == Decimal(100000)


@pytest.mark.parametrize("size", [3, 25])
def test_the_summaries_cost_the_same_for_any_team_size(team, lead, size, django_assert_max_num_queries):
    for i in range(size):
        person = member_of(team, username=f"m{i}")
        if i % 3:
            review_services.mark_reviewed(report=submitted(person), reviewer=lead, praise="好")
    # The roster (memberships, reports, leave, calendars, days off), the members' targets (with
    # their memberships, calendars and days off), the reports' contents and their feedback.
    with django_assert_max_num_queries(15):
        rollups.team_week(team, MONDAY)
    # + the problems by category (the categories and the counts), and the team's targets through
    # its memberships and their calendars; + the same series for the previous period (环比) and a
    # year before (同比), six queries each.
    with django_assert_max_num_queries(28):
        rollups.period(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31), title="x", team=team)


def test_the_weekly_summary_page_shows_the_same_chart_as_the_pdf(
    client, lead, rep, team, django_assert_max_num_queries
):
    submitted(rep)
    client.force_login(lead)
    # On a first view: the navigation's badge reads what waits for review with the review days.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("summaries:team_week", args=[team.pk]), {"week": MONDAY.isoformat()})
    page = response.content.decode()
    chart = rollups.team_week(team, MONDAY).chart
    assert response.status_code == 200 and str(chart) in page
    assert "张伟" in page and 'role="img"' in page
