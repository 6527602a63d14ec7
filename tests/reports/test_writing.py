"""The salesperson writes this week's report: the form, autosave, conflicts between tabs, submit."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import services
from reports.models import (
    KPI,
    DraftConflict,
    ReportRevision,
    ReportTemplate,
    TeamSettings,
    TemplateKPI,
    TemplateVersion,
    WeeklyReport,
)
from tests.reports.test_services import MONDAY, at, fill

WEDNESDAY = MONDAY + datetime.timedelta(days=2)


def posted(
    report: WeeklyReport, *, base_version=None, summary="", kpis=None, reviews=None, problems=(), plan=(), htmx=False
) -> dict:
    """The POST the edit page sends: every field of the form, as a browser would."""
    data = {
        "base_version": report.version if base_version is None else base_version,
        "summary": summary,
        "problems-TOTAL_FORMS": len(problems),
        "problems-INITIAL_FORMS": 0,
        "plan-TOTAL_FORMS": len(plan),
        "plan-INITIAL_FORMS": 0,
    }
    for value in report.kpi_values.all():
        data[f"kpi_{value.kpi_id}"] = (kpis or {}).get(value.kpi_id, "")
    for review in report.plan_reviews.all():
        outcome, note = (reviews or {}).get(review.pk, ("", ""))
        data[f"plan_review_{review.pk}"], data[f"plan_review_{review.pk}_note"] = outcome, note
    for i, row in enumerate(problems):
        data.update({f"problems-{i}-{key}": value for key, value in row.items()})
    for i, row in enumerate(plan):
        data.update({f"plan-{i}-{key}": value for key, value in row.items()})
    return data


def complete(report: WeeklyReport, **overrides) -> dict:
    """A POST with every required part filled in."""
    return posted(
        report,
        **{
            "summary": "拜访了三家客户",
            "kpis": {v.kpi_id: "5" for v in report.kpi_values.all()},
            "reviews": {r.pk: ("done", "") for r in report.plan_reviews.all()},
            "plan": [{"item": "跟进华为报价", "customer": "华为", "due_on": "2026-11-25"}],
            **overrides,
        },
    )


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(rep):
    return services.open_report(author=rep, week_start=MONDAY)


@pytest.fixture
def carried(rep):
    """This week's draft, opened after last week's report planned two items."""
    last = services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))
    fill(last, plan=[{"item": "拜访阿里", "customer": "阿里", "due_on": None}, {"item": "发报价", "customer": ""}])
    return services.open_report(author=rep, week_start=MONDAY)


def url(name: str, report: WeeklyReport) -> str:
    return reverse(f"reports:{name}", args=[report.pk])


# This week --------------------------------------------------------------------------------------


def test_this_week_creates_the_draft_once_and_reopens_it(client, rep, time_machine):
    time_machine.move_to(at(WEDNESDAY, 10))
    client.force_login(rep)
    first = client.get(reverse("reports:this_week"))
    second = client.get(reverse("reports:this_week"))
    report = WeeklyReport.objects.get(author=rep)
    assert first.url == second.url == url("edit", report)
    assert report.week_start == MONDAY and report.status == WeeklyReport.Status.DRAFT


def test_this_week_shows_a_submitted_report_instead_of_the_form(client, rep, time_machine):
    time_machine.move_to(at(WEDNESDAY, 10))
    report = services.submit_report(report=fill(services.open_report(author=rep)), by=rep)
    client.force_login(rep)
    assert client.get(reverse("reports:this_week")).url == url("detail", report)


@pytest.mark.parametrize("person", ["director", "admin"])
def test_people_who_write_no_reports_are_told_so(db, client, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("reports:this_week"), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Only members of a team write weekly reports." in response.content.decode()
    assert not WeeklyReport.objects.exists()


# The form ---------------------------------------------------------------------------------------


def test_edit_page_shows_last_weeks_plan_targets_and_rates(client, rep, lead, carried):
    sales = KPI.objects.get(code="sales_amount")
    services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={sales: Decimal(50000)})
    saved = services.save_draft(report=carried, editor=rep, base_version=1, data={"kpis": {sales.pk: "40000"}})
    client.force_login(rep)
    response = client.get(url("edit", carried))
    page = response.content.decode()
    assert response.status_code == 200
    assert "拜访阿里" in page and "发报价" in page  # last week's plan, to be answered
    assert "50,000.00" in page  # the target
    assert 'data-target="50000.0000"' in page and ">80%<" in page  # the rate, before any JavaScript runs
    assert f'name="base_version" id="id_base_version" value="{saved.version}"' in page
    assert 'src="/static/js/report-form.js"' in page and "<script>" not in page  # no inline scripts


def test_a_plan_next_weeks_report_answers_is_shown_but_no_longer_editable(client, rep, carried):
    last = WeeklyReport.objects.get(author=rep, week_start=MONDAY - datetime.timedelta(days=7))
    client.force_login(rep)
    page = client.get(url("edit", last)).content.decode()
    plan = page.split('id="section-plan"')[1].split("</section>")[0]
    assert "Next week's report already answers this plan" in plan
    assert "拜访阿里 · 阿里" in plan and "发报价" in plan and 'name="plan-' not in plan
    # This week's plan is nobody's answer yet: its rows are there to fill in.
    assert 'name="plan-0-item"' in client.get(url("edit", carried)).content.decode()


def test_a_script_in_the_summary_comes_back_as_text(client, rep, draft):
    services.save_draft(report=draft, editor=rep, base_version=1, data={"summary": "<script>alert(1)</script>"})
    client.force_login(rep)
    page = client.get(url("edit", draft)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("rows", [2, 10])
def test_edit_page_query_count_does_not_grow_with_rows(client, rep, carried, rows, django_assert_max_num_queries):
    fill(
        carried,
        plan=[{"item": f"计划{i}", "customer": ""} for i in range(rows)],
        problems=[{"problem": f"问题{i}", "cause": "", "action": "", "help_needed": ""} for i in range(rows)],
    )
    client.force_login(rep)
    # 12 + the unread-notifications badge and the days off of the team's working calendar, + the
    # week's sales log (activities by type, new customers) for the fill-from-log hints, the problem
    # categories and the author's customers to pick from.
    with django_assert_max_num_queries(18):
        assert client.get(url("edit", carried)).status_code == 200


def test_full_save_without_javascript_stores_rows_and_comes_back(client, rep, carried):
    review = carried.plan_reviews.first()
    client.force_login(rep)
    response = client.post(
        url("edit", carried),
        posted(
            carried,
            summary="本周签约一单",
            reviews={review.pk: ("partly", "客户出差")},
            problems=[{"problem": "报价太高", "cause": "成本", "action": "申请折扣", "help_needed": "经理审批"}],
            plan=[{"item": "签合同", "customer": "阿里", "due_on": "2026-11-26"}, {"item": "", "customer": ""}],
        ),
    )
    assert response.status_code == 302 and response.url == url("edit", carried)
    carried.refresh_from_db()
    assert carried.summary == "本周签约一单" and carried.version == 2
    assert carried.plan_reviews.get(pk=review.pk).outcome == "partly"
    assert list(carried.problems.values_list("help_needed", flat=True)) == ["经理审批"]
    assert [(p.item, p.due_on) for p in carried.plan_items.all()] == [("签合同", datetime.date(2026, 11, 26))]


def test_a_row_without_its_main_text_is_refused_and_kept_on_the_page(client, rep, draft):
    client.force_login(rep)
    response = client.post(url("edit", draft), posted(draft, summary="kept", plan=[{"item": "", "customer": "华为"}]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Describe the plan item, or clear the row." in page and 'value="华为"' in page
    draft.refresh_from_db()
    assert draft.summary == "" and draft.version == 1


def test_a_rows_error_sits_in_the_box_next_to_its_field_in_every_row_and_the_blank_one(client, rep, draft):
    client.force_login(rep)
    response = client.post(url("edit", draft), posted(draft, plan=[{"item": "", "customer": "华为"}]))
    page = response.content.decode()
    assert '<label class="form-label small mb-0" for="id_plan-0-item">' in page
    assert '<div id="id_plan-0-item_errors" class="invalid-feedback d-block"><div>Describe the plan item' in page
    assert 'aria-describedby="id_plan-0-item_errors"' in page
    # The blank row that "Add a plan item" copies has the same label and error box.
    assert 'for="id_plan-__prefix__-item"' in page and 'id="id_plan-__prefix__-item_errors"' in page


def test_custom_fields_of_the_template_are_asked_saved_and_required_on_submit(client, rep, team):
    template = ReportTemplate.objects.create(name="Key accounts")
    version = TemplateVersion.objects.create(
        template=template,
        number=1,
        sections=["custom", "kpis"],
        fields=[
            {"key": "region", "label": "负责区域", "type": "choice", "required": True, "choices": ["华东", "华南"]},
            {"key": "visits_note", "label": "拜访说明", "type": "long_text", "help": "重点客户"},
            {"key": "pipeline", "label": "商机金额", "type": "number"},
            {"key": "next_visit", "label": "下次拜访", "type": "date"},
            {"key": "contact", "label": "联系人", "type": "short_text"},
        ],
    )
    TemplateKPI.objects.create(version=version, kpi=KPI.objects.get(code="visits"))
    TeamSettings.objects.create(team=team, template=template)
    report = services.open_report(author=rep, week_start=MONDAY)
    client.force_login(rep)
    page = client.get(url("edit", report)).content.decode()
    assert page.index("负责区域") < page.index("Customer visits")  # in the template's order (the cast reads English)
    assert "重点客户" in page and 'type="date" name="custom_next_visit"' in page
    assert "section-review" not in page and "section-plan" not in page

    data = {
        "base_version": 1,
        f"kpi_{KPI.objects.get(code='visits').pk}": "4",
        "custom_region": "",
        "custom_visits_note": "三家",
        "custom_pipeline": "120000.50",
        "custom_next_visit": "2026-11-24",
        "custom_contact": "王总",
    }
    response = client.post(url("submit", report), data)
    assert '<div id="id_custom_region_errors" class="invalid-feedback d-block"><div>This field is required.' in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.DRAFT
    assert report.custom_values == {
        "region": "",
        "visits_note": "三家",
        "pipeline": "120000.5",
        "next_visit": "2026-11-24",
        "contact": "王总",
    }
    response = client.post(url("submit", report), {**data, "base_version": report.version, "custom_region": "华东"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED and report.custom_values["region"] == "华东"


# Autosave ---------------------------------------------------------------------------------------


def test_autosave_stores_the_form_and_hands_back_the_new_version(client, rep, draft):
    client.force_login(rep)
    response = client.post(url("autosave", draft), posted(draft, summary="写到一半"), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == "写到一半" and draft.version == 2
    assert "Saved at" in page
    assert 'id="id_base_version" value="2" hx-swap-oob="true"' in page


def test_autosave_shows_a_negative_kpi_next_to_its_field_and_saves_nothing(client, rep, draft):
    kpi = draft.kpi_values.first().kpi
    client.force_login(rep)
    response = client.post(url("autosave", draft), posted(draft, summary="text", kpis={kpi.pk: "-3"}), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Not saved: {kpi.name_en}: Ensure this value is greater than or equal to 0." in page
    assert f'<div id="id_kpi_{kpi.pk}_errors" class="invalid-feedback d-block" hx-swap-oob="true"><div>Ensure' in page
    assert "base_version" not in page  # the page keeps building on the version it has
    draft.refresh_from_db()
    assert draft.summary == "" and draft.version == 1


def test_two_autosaves_from_the_same_version_keep_both_texts(client, rep, draft):
    client.force_login(rep)
    client.post(url("autosave", draft), posted(draft, summary="first tab", base_version=1), **HTMX)
    response = client.post(url("autosave", draft), posted(draft, summary="second tab", base_version=1), **HTMX)
    page = response.content.decode()
    conflict = DraftConflict.objects.get(report=draft)
    assert response.status_code == 200
    assert 'data-state="conflict"' in page
    assert reverse("reports:conflict", args=[draft.pk, conflict.pk]) in page
    draft.refresh_from_db()
    assert draft.summary == "first tab" and draft.version == 2
    assert conflict.data["summary"] == "second tab" and conflict.base_version == 1


def test_a_stale_full_save_leads_to_the_conflict_page(client, rep, draft):
    services.save_draft(report=draft, editor=rep, base_version=1, data={"summary": "other device"})
    client.force_login(rep)
    response = client.post(url("edit", draft), posted(draft, summary="this device", base_version=1))
    conflict = DraftConflict.objects.get(report=draft)
    assert response.url == reverse("reports:conflict", args=[draft.pk, conflict.pk])


# Conflicts --------------------------------------------------------------------------------------


@pytest.fixture
def conflict(client, rep, draft):
    services.save_draft(report=draft, editor=rep, base_version=1, data={"summary": "saved on the phone"})
    with pytest.raises(services.ReportConflict) as exc:
        services.save_draft(report=draft, editor=rep, base_version=1, data={"summary": "typed on the laptop"})
    return exc.value.conflict


def test_conflict_page_shows_both_versions(client, rep, draft, conflict):
    client.force_login(rep)
    response = client.get(reverse("reports:conflict", args=[draft.pk, conflict.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "saved on the phone" in page and "typed on the laptop" in page
    assert reverse("reports:conflict_keep_mine", args=[draft.pk, conflict.pk]) in page
    assert f'href="{url("edit", draft)}"' in page  # keep the saved version: just go back


def test_keep_mine_applies_the_refused_text_on_top_of_the_current_version(client, rep, draft, conflict):
    client.force_login(rep)
    response = client.post(reverse("reports:conflict_keep_mine", args=[draft.pk, conflict.pk]))
    assert response.url == url("edit", draft)
    draft.refresh_from_db()
    conflict.refresh_from_db()
    assert draft.summary == "typed on the laptop" and draft.version == 3
    assert conflict.resolved_at is not None
    # Applying it twice would overwrite newer text with old: refused.
    services.save_draft(report=draft, editor=rep, base_version=3, data={"summary": "newer"})
    client.post(reverse("reports:conflict_keep_mine", args=[draft.pk, conflict.pk]))
    draft.refresh_from_db()
    assert draft.summary == "newer"


def test_a_conflict_of_another_report_is_not_found(client, rep, draft, conflict):
    other = services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))
    client.force_login(rep)
    assert client.get(reverse("reports:conflict", args=[other.pk, conflict.pk])).status_code == 404
    assert client.post(reverse("reports:conflict_keep_mine", args=[other.pk, conflict.pk])).status_code == 404


# Submit -----------------------------------------------------------------------------------------


def test_submit_with_missing_parts_shows_each_error_next_to_its_field(client, rep, carried):
    review = carried.plan_reviews.first()
    kpi = carried.kpi_values.first().kpi
    client.force_login(rep)
    response = client.post(url("submit", carried), posted(carried, summary="", kpis={kpi.pk: "7"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<div id="id_summary_errors" class="invalid-feedback d-block"><div>Describe what you did' in page
    assert f'<div id="id_plan_review_{review.pk}_errors" class="invalid-feedback d-block"><div>Say whether' in page
    assert '<div id="plan_errors" class="invalid-feedback d-block"><div>Add at least one item' in page
    assert f'name="kpi_{kpi.pk}" value="7"' in page  # what was typed stays
    carried.refresh_from_db()
    assert carried.status == WeeklyReport.Status.DRAFT and carried.submitted_at is None
    assert not ReportRevision.objects.exists()
    # What was typed is kept as the draft, and the page goes on from that version.
    assert f'name="base_version" id="id_base_version" value="{carried.version}"' in page


def test_submitting_a_complete_report_freezes_it(client, rep, carried, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=4), 19, 30))
    client.force_login(rep)
    response = client.post(url("submit", carried), complete(carried), follow=True)
    assert response.redirect_chain == [(url("detail", carried), 302)]
    assert "Report submitted, late by 1 h 30 min." in response.content.decode()
    carried.refresh_from_db()
    assert carried.status == WeeklyReport.Status.SUBMITTED and carried.summary == "拜访了三家客户"
    assert carried.revisions.count() == 1
    version = carried.version

    assert client.get(url("edit", carried)).status_code == 403
    assert client.post(url("edit", carried), complete(carried, summary="changed")).status_code == 403
    assert client.post(url("autosave", carried), complete(carried, summary="changed"), **HTMX).status_code == 403
    assert client.post(url("submit", carried), complete(carried, summary="changed")).status_code == 403
    carried.refresh_from_db()
    assert carried.summary == "拜访了三家客户" and carried.version == version and carried.revisions.count() == 1


# A draft is private to its author: its own manager does not see it either (404).
@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("other_lead", 404), ("lead", 404)])
def test_forged_posts_for_another_members_report_change_nothing(client, request, draft, person, status):
    client.force_login(request.getfixturevalue(person))
    for name in ("edit", "autosave", "submit"):
        assert client.post(url(name, draft), complete(draft)).status_code == status, name
    assert client.get(url("edit", draft)).status_code == status
    draft.refresh_from_db()
    assert draft.summary == "" and draft.version == 1 and draft.status == WeeklyReport.Status.DRAFT


@pytest.mark.parametrize("name", ["autosave", "submit"])
def test_actions_only_answer_post(client, rep, draft, name):
    client.force_login(rep)
    assert client.get(url(name, draft)).status_code == 405


def test_a_version_too_large_to_be_ours_is_refused_not_a_server_error(client, rep, draft):
    # Found by the property tests: it used to overflow the conflict's version column (a 500).
    client.force_login(rep)
    response = client.post(url("autosave", draft), posted(draft, summary="改过的", base_version=10**20))
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == "" and not DraftConflict.objects.exists()


def test_a_kpi_typed_with_thousands_separators_is_stored_as_a_plain_number(client, rep, draft):
    sales = draft.kpi_values.get(kpi__code="sales_amount")
    client.force_login(rep)
    response = client.post(url("autosave", draft), posted(draft, kpis={sales.kpi_id: "145,000"}), **HTMX)
    assert response.status_code == 200
    sales.refresh_from_db()
    assert sales.actual == 145000
    page = client.get(url("edit", draft)).content.decode()
    assert f'name="kpi_{sales.kpi_id}" value="145000"' in page  # the page groups it, not the server
