"""The pipeline on the pages: the stage move in the Today page's entry, the weekly report's
section (edit, autosave, detail, review page), the pipeline pages, forecasts and exports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from customers import services as customer_services
from customers.models import Activity
from pipeline import services
from pipeline.models import Forecast, Opportunity, Period
from reports import services as report_services
from reports.models import WeeklyReport
from reports.templatetags.report_tags import report_sections
from tests.pipeline.conftest import WEDNESDAY, stage
from tests.reports.test_writing import posted

CREATE = reverse("customers:activity_create")


def entry(**fields) -> dict:
    return {
        "occurred_on": WEDNESDAY.isoformat(),
        "customer": "华为技术有限公司",
        "kind": "quote",
        "outcome": "发了报价",
        "amount": "180000",
        "next_step": "",
        "next_step_on": "",
        "notes": "",
        "opportunity": "",
        "stage": "",
        "loss_reason": "",
        **fields,
    }


def test_logging_a_quote_moves_the_opportunity_in_the_same_line(client, rep, deal):
    client.force_login(rep)
    page = client.get(reverse("customers:log")).content.decode()
    assert "核心网升级" in page and 'name="stage"' in page
    response = client.post(CREATE, entry(opportunity=deal.pk, stage=stage("方案报价").pk))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage.name == "方案报价"
    assert Activity.objects.filter(kind="quote", customer=deal.customer).exists()
    assert deal.stage_changes.last().changed_on == WEDNESDAY


def test_a_stage_move_for_another_customers_opportunity_logs_nothing(client, rep, deal):
    customer_services.create_customer(actor=rep, owner=rep, name="美的集团")
    client.force_login(rep)
    response = client.post(CREATE, entry(customer="美的集团", opportunity=deal.pk, stage=stage("方案报价").pk))
    assert response.status_code == 200
    assert "This opportunity is with another customer." in response.content.decode()
    assert 'value="发了报价"' in response.content.decode()  # what was typed is kept
    deal.refresh_from_db()
    assert deal.stage.name == "需求确认" and not Activity.objects.exists()


def test_a_move_to_lost_from_the_log_needs_the_reason(client, rep, deal):
    client.force_login(rep)
    response = client.post(CREATE, entry(kind="visit", amount="", opportunity=deal.pk, stage=stage("输单").pk))
    assert "Say why the opportunity was lost." in response.content.decode()
    assert not Activity.objects.exists()
    client.post(
        CREATE, entry(kind="visit", amount="", opportunity=deal.pk, stage=stage("输单").pk, loss_reason="预算取消")
    )
    deal.refresh_from_db()
    assert deal.stage.is_lost and deal.loss_reason == "预算取消"


def edit(client, activity: Activity, **fields):
    return client.post(reverse("customers:activity_edit", args=[activity.pk]), entry(**fields))


def history(opportunity: Opportunity) -> list[tuple[str | None, str]]:
    return [
        (change.from_stage.name if change.from_stage else None, change.to_stage.name)
        for change in opportunity.stage_changes.select_related("from_stage", "to_stage")
    ]


@pytest.fixture
def visit_entry(client, rep, deal) -> Activity:
    """A visit to the deal's customer logged on Tuesday without touching the pipeline."""
    client.force_login(rep)
    tuesday = (WEDNESDAY - datetime.timedelta(days=1)).isoformat()
    client.post(CREATE, entry(kind="visit", amount="", outcome="初次拜访", occurred_on=tuesday))
    return Activity.objects.get()


def test_editing_an_entry_moves_the_opportunity_as_logging_one_does(client, rep, deal, visit_entry):
    page = client.get(reverse("customers:activity_edit", args=[visit_entry.pk])).content.decode()
    assert "核心网升级" in page and 'name="stage"' in page
    response = edit(client, visit_entry, outcome="发了报价", opportunity=deal.pk, stage=stage("方案报价").pk)
    assert response.status_code == 302
    visit_entry.refresh_from_db()
    deal.refresh_from_db()
    assert (visit_entry.kind, visit_entry.outcome) == ("quote", "发了报价")
    assert deal.stage.name == "方案报价"
    assert history(deal) == [(None, "需求确认"), ("需求确认", "方案报价")]
    move = deal.stage_changes.last()
    assert (move.changed_on, move.changed_by) == (WEDNESDAY, rep)  # the entry's (edited) date

    # Changing the entry's target stage is one more move, kept in the history.
    edit(client, visit_entry, outcome="价格谈判", opportunity=deal.pk, stage=stage("商务谈判").pk)
    deal.refresh_from_db()
    assert deal.stage.name == "商务谈判"
    assert history(deal)[-1] == ("方案报价", "商务谈判")


def test_an_edit_that_leaves_the_stage_alone_moves_nothing(client, rep, deal, visit_entry):
    edit(client, visit_entry, opportunity=deal.pk, stage=stage("方案报价").pk)
    edit(client, visit_entry, outcome="报价已确认")  # the stage left at "(keep)"
    edit(client, visit_entry, outcome="报价已确认", opportunity=deal.pk, stage=stage("方案报价").pk)  # where it is
    visit_entry.refresh_from_db()
    deal.refresh_from_db()
    assert visit_entry.outcome == "报价已确认"
    assert deal.stage.name == "方案报价"
    assert history(deal) == [(None, "需求确认"), ("需求确认", "方案报价")]


def test_an_edit_cannot_reopen_a_won_opportunity(client, rep, deal, visit_entry):
    services.move_stage(actor=rep, opportunity=deal, stage=stage("赢单"))
    response = edit(client, visit_entry, outcome="重新报价", opportunity=deal.pk, stage=stage("方案报价").pk)
    # As on the Today page, only open opportunities can be chosen; the whole edit is refused.
    assert response.status_code == 200
    assert 'id="id_opportunity_errors"' in (page := response.content.decode()) and "Select a valid choice" in page
    visit_entry.refresh_from_db()
    deal.refresh_from_db()
    assert visit_entry.outcome == "初次拜访"
    assert deal.stage.is_won and history(deal) == [(None, "需求确认"), ("需求确认", "赢单")]


def test_an_edit_whose_stage_move_is_refused_saves_nothing(client, rep, deal, visit_entry):
    response = edit(
        client, visit_entry, kind="visit", amount="", outcome="客户放弃", opportunity=deal.pk, stage=stage("输单").pk
    )
    assert response.status_code == 200 and "Say why the opportunity was lost." in response.content.decode()
    assert 'value="客户放弃"' in response.content.decode()  # what was typed is kept
    visit_entry.refresh_from_db()
    deal.refresh_from_db()
    assert visit_entry.outcome == "初次拜访" and deal.stage.name == "需求确认" and len(history(deal)) == 1
    edit(
        client,
        visit_entry,
        kind="visit",
        amount="",
        outcome="客户放弃",
        opportunity=deal.pk,
        stage=stage("输单").pk,
        loss_reason="预算取消",
    )
    deal.refresh_from_db()
    assert deal.stage.is_lost and deal.loss_reason == "预算取消"
    assert history(deal)[-1] == ("需求确认", "输单")


@pytest.fixture
def moved(rep, deal):
    """The week's pipeline: the deal advanced twice."""
    services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    services.move_stage(actor=rep, opportunity=deal, stage=stage("商务谈判"))
    return deal


def test_the_weekly_report_shows_the_weeks_changes_and_autosaves_the_comment(client, rep, lead, moved):
    report = report_services.open_report(author=rep)
    client.force_login(rep)
    page = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert 'id="section-pipeline"' in page and "方案报价 → 商务谈判" in page and 'name="section_pipeline"' in page
    data = {**posted(report), "section_pipeline": "核心网升级下周签约"}
    response = client.post(reverse("reports:autosave", args=[report.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.section_comments == {"pipeline": "核心网升级下周签约"} and report.version == 2
    WeeklyReport.objects.filter(pk=report.pk).update(status=WeeklyReport.Status.SUBMITTED)
    client.force_login(lead)
    review = client.get(reverse("reviews:review", args=[report.pk])).content.decode()
    assert "需求确认 → 方案报价" in review and "核心网升级下周签约" in review
    # The section follows the KPIs, so the reviewer reads both together.
    assert review.index('id="section-kpis"') < review.index('id="section-pipeline"')
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "核心网升级下周签约" in detail and "方案报价 → 商务谈判" in detail
    assert detail.index('id="section-kpis"') < detail.index('id="section-pipeline"')


def test_the_reports_section_follows_each_change_at_once(client, rep, deal, django_capture_on_commit_callbacks):
    """The section is kept between views (pipeline/hooks.py): a move and a customer's new name
    show on the next view."""
    report = report_services.open_report(author=rep)
    client.force_login(rep)

    def section() -> str:
        page = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
        start = page.index('id="section-pipeline"')
        return page[start : page.index("</section>", start)]

    assert "Nothing moved in the pipeline this week." in section()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    assert "华为技术有限公司 · 核心网升级" in section() and "需求确认 → 方案报价" in section()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.update_customer(actor=rep, customer=deal.customer, data={"name": "华为终端有限公司"})
    assert "华为终端有限公司 · 核心网升级" in section()


def test_a_too_long_comment_is_refused_next_to_its_field_and_nothing_is_saved(client, rep, moved):
    report = report_services.open_report(author=rep)
    client.force_login(rep)
    data = {**posted(report), "section_pipeline": "长" * 5001}
    page = client.post(reverse("reports:autosave", args=[report.pk]), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="id_section_pipeline_errors"' in page and "5000" in page
    report.refresh_from_db()
    assert report.section_comments == {} and report.version == 1


def test_the_pdf_shows_the_same_section(rep, moved):
    report = report_services.open_report(author=rep)
    html = report_sections(report)
    assert "方案报价 → 商务谈判" in html


def test_a_report_without_a_pipeline_has_no_section(client, other_rep, wednesday):
    report = report_services.open_report(author=other_rep)
    client.force_login(other_rep)
    assert 'id="section-pipeline"' not in client.get(reverse("reports:edit", args=[report.pk])).content.decode()


def test_the_team_page_shows_the_quarters_forecast_against_target(client, lead, director, rep, team, moved):
    client.force_login(director)
    page = client.get(reverse("pipeline:team", args=[team.pk])).content.decode()
    assert 'id="forecast"' in page and "150,000" in page  # 200,000 at 商务谈判, 75 %
    assert f'name="{rep.pk}-commit"' not in page and "Save forecasts" not in page  # directors read
    client.force_login(lead)
    page = client.get(reverse("pipeline:team", args=[team.pk])).content.decode()
    assert f'name="{rep.pk}-commit"' in page and f'name="{rep.pk}-best_case"' in page and "Save forecasts" in page


FORECASTS = "?period=quarter&day=2026-11-18"


def rows(*people, **values) -> dict:
    """The forecast table's inputs as posted: every member's, `values` ("commit", "best_case") for
    `people`, empty for the others."""
    return {f"{person.pk}-{name}": value for person in people for name, value in values.items()}


def test_a_manager_sets_several_members_forecasts_at_once(client, lead, rep, other_rep, team, moved):
    client.force_login(lead)
    url = reverse("pipeline:forecast_set", args=[team.pk]) + FORECASTS
    data = {**rows(rep, commit="120000", best_case="180000"), **rows(other_rep, commit="30000", best_case="")}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(FORECASTS.replace("11-18", "10-01"))
    saved = {f.member: (f.commit, f.best_case, f.set_by) for f in Forecast.objects.filter(period=Period.QUARTER)}
    assert saved == {rep: (Decimal(120000), Decimal(180000), lead), other_rep: (Decimal(30000), None, lead)}
    page = client.get(response["Location"]).content.decode()
    assert 'value="120000.00"' in page and "Forecasts saved." in page
    assert client.get(url).status_code == 405


def test_a_refused_row_saves_nothing_and_keeps_every_row_as_typed(client, lead, rep, other_rep, team, moved):
    client.force_login(lead)
    url = reverse("pipeline:forecast_set", args=[team.pk]) + FORECASTS
    data = {**rows(rep, commit="120000", best_case="100000"), **rows(other_rep, commit="30000", best_case="abc")}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and not Forecast.objects.exists()
    assert "The best case cannot be below the commit." not in page  # checked once the inputs are numbers
    assert "Enter a number." in page and 'value="abc"' in page and 'value="120000"' in page
    row = page.split(f'data-forecast-member="{other_rep.pk}"')[1].split("</tr>")[0]
    assert "is-invalid" in row and "Enter a number." in row

    data[f"{other_rep.pk}-best_case"] = "40000"
    page = client.post(url, data).content.decode()
    row = page.split(f'data-forecast-member="{rep.pk}"')[1].split("</tr>")[0]
    assert "The best case cannot be below the commit." in row and 'value="100000"' in row
    assert not Forecast.objects.exists()  # the other row was fine, but none is saved


def test_rows_left_as_they_were_are_not_touched(client, lead, rep, other_rep, team, moved):
    client.force_login(lead)
    url = reverse("pipeline:forecast_set", args=[team.pk]) + FORECASTS
    assert client.post(url, rows(rep, commit="120000", best_case="")).status_code == 302
    page = client.get(reverse("pipeline:team", args=[team.pk])).content.decode()
    assert 'value="120000.00"' in page
    # The page posted back as shown: nothing changes, no empty forecast appears for the others.
    assert client.post(url, rows(rep, commit="120000.00", best_case="")).status_code == 302
    assert list(Forecast.objects.values_list("member", "commit")) == [(rep.pk, Decimal(120000))]


def test_directors_cannot_set_forecasts(client, director, rep, team, wednesday):
    client.force_login(director)
    url = reverse("pipeline:forecast_set", args=[team.pk])
    assert client.post(url, rows(rep, commit="1")).status_code == 403


def test_creating_an_opportunity_keeps_the_input_when_it_is_refused(client, rep, huawei):
    client.force_login(rep)
    data = {
        "customer": huawei.pk,
        "name": "数据中心",
        "amount": "50000",
        "stage": stage("输单").pk,
        "expected_close_on": "2026-12-31",
        "competitor": "中兴",
        "loss_reason": "",
    }
    response = client.post(reverse("pipeline:opportunity_create"), data)
    assert response.status_code == 200 and "Say why the opportunity was lost." in response.content.decode()
    assert 'value="中兴"' in response.content.decode() and not Opportunity.objects.exists()
    response = client.post(reverse("pipeline:opportunity_create"), {**data, "stage": stage("线索").pk})
    created = Opportunity.objects.get()
    assert response.status_code == 302 and created.competitor == "中兴" and created.customer == huawei


def test_the_owners_manager_edits_an_opportunity_and_the_outsider_does_not_see_it(client, lead, outsider, deal):
    client.force_login(lead)
    url = reverse("pipeline:opportunity_edit", args=[deal.pk])
    data = {"name": "核心网升级", "amount": "250000", "stage": stage("需求确认").pk, "expected_close_on": "2027-01-31"}
    assert client.post(url, data).status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal(250000) and deal.close_date_changes.count() == 1
    client.force_login(outsider)
    assert client.get(reverse("pipeline:opportunity_detail", args=[deal.pk])).status_code == 404


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_lists_the_teams_opportunities(client, lead, team, deal, file_format):
    client.force_login(lead)
    response = client.get(reverse("pipeline:export", args=[team.pk, file_format]))
    assert response.status_code == 200
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        assert "核心网升级" in text and "200000" in text
    else:
        assert response.content.startswith(b"PK")


def test_pipeline_figures_agree_between_page_and_export(client, lead, team, moved):
    """The page and the export show the weighted amount computed from the same stage probability."""
    client.force_login(lead)
    text = client.get(reverse("pipeline:export", args=[team.pk, "csv"])).content.decode("utf-8-sig")
    page = client.get(reverse("pipeline:team", args=[team.pk])).content.decode()
    assert "150000.00" in text and "150,000" in page


def test_the_week_boundary_counts_changes_in_the_reports_week(rep, deal, time_machine):
    from pipeline import selectors

    week = report_services.open_report(author=rep).week_start
    assert selectors.week_changes(owner_id=rep.pk, start=week, end=week + datetime.timedelta(days=6))["new"] == []
