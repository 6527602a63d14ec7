"""The pipeline through the API, as a CRM syncs it: a resend with the same external id changes
the same opportunity, a stage move goes through the pipeline's service (history, the
loss-reason rule, the audit trail), bad input changes nothing, and a team's forecast and funnel
are the figures of its pipeline page."""

import datetime
from decimal import Decimal

from django.urls import reverse

from audit.models import AuditEntry
from customers.services import create_customer
from pipeline import selectors
from pipeline import services as pipeline_services
from pipeline.models import LeadSource, Opportunity, Period
from reports import services as report_services
from tests.pipeline.conftest import MONDAY, WEDNESDAY, deal, huawei, stage, wednesday  # noqa: F401  (fixtures)


def body(customer, **fields) -> dict:
    return {
        "customer_id": customer.pk,
        "name": "核心网升级",
        "amount": "200000",
        "stage_id": stage("线索").pk,
        "expected_close_on": "2026-12-15",
        **fields,
    }


def test_posting_an_opportunity_twice_with_one_external_id_keeps_one(rep, huawei, api_as):  # noqa: F811
    api = api_as(rep)
    first = api.post("/opportunities", body(huawei, external_id="crm-9"))
    assert first.status_code == 201, first.json()
    assert first.json()["owner_id"] == rep.pk and first.json()["external_id"] == "crm-9"
    again = api.post("/opportunities", body(huawei, amount="250000", external_id="crm-9"))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert list(Opportunity.objects.values_list("amount", flat=True)) == [Decimal(250000)]
    assert api.get("/opportunities", {"external_id": "crm-9"}).json()["count"] == 1
    assert api.post("/opportunities", body(huawei, name="维保")).status_code == 201  # no id: a new one


def test_a_stage_move_is_kept_in_the_history_audited_and_a_loss_needs_a_reason(rep, deal, api_as):  # noqa: F811
    api = api_as(rep)
    moved = api.patch(f"/opportunities/{deal.pk}", {"stage_id": stage("方案报价").pk})
    assert moved.status_code == 200 and moved.json()["stage_id"] == stage("方案报价").pk
    lost = api.patch(f"/opportunities/{deal.pk}", {"stage_id": stage("输单").pk})
    assert lost.status_code == 400 and "loss_reason" in lost.json()["errors"]
    detail = api.get(f"/opportunities/{deal.pk}").json()
    assert detail["stage_id"] == stage("方案报价").pk and detail["closed_on"] is None
    assert [(m["from_stage_id"], m["to_stage_id"]) for m in detail["stage_history"]] == [
        (None, stage("需求确认").pk),
        (stage("需求确认").pk, stage("方案报价").pk),
    ]
    assert detail["stage_history"][1]["changed_by_id"] == rep.pk
    closed = api.patch(f"/opportunities/{deal.pk}", {"stage_id": stage("输单").pk, "loss_reason": "价格太高"})
    assert closed.status_code == 200 and closed.json()["closed_on"] == WEDNESDAY.isoformat()
    slipped = api.patch(f"/opportunities/{deal.pk}", {"expected_close_on": "2027-01-15"}).json()
    assert slipped["expected_close_on"] == "2027-01-15"
    detail = api.get(f"/opportunities/{deal.pk}").json()
    assert [(c["from_on"], c["to_on"]) for c in detail["close_date_changes"]] == [("2026-12-15", "2027-01-15")]
    assert AuditEntry.objects.filter(target_id=deal.pk, action=AuditEntry.Action.STATUS_CHANGED, actor=rep).count() == 2


def test_bad_opportunities_are_refused_by_field_and_nothing_is_written(rep, outsider, huawei, api_as):  # noqa: F811
    theirs = create_customer(actor=outsider, owner=outsider, name="小米")
    api = api_as(rep)
    unknown = api.post("/opportunities", body(huawei, colour="blue"))
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]
    typed = api.post("/opportunities", body(huawei, amount="lots"))
    assert typed.status_code == 400 and "amount" in typed.json()["errors"]
    no_stage = api.post("/opportunities", body(huawei, stage_id=999999))
    assert no_stage.status_code == 400 and "stage_id" in no_stage.json()["errors"]
    no_source = api.post("/opportunities", body(huawei, lead_source_id=999999))
    assert no_source.status_code == 400 and "lead_source_id" in no_source.json()["errors"]
    foreign = api.post("/opportunities", body(theirs))
    assert foreign.status_code == 400 and "customer_id" in foreign.json()["errors"]
    lost = api.post("/opportunities", body(huawei, stage_id=stage("输单").pk))
    assert lost.status_code == 400 and "loss_reason" in lost.json()["errors"]
    assert not Opportunity.objects.exists()


def test_a_read_only_token_reads_but_changes_nothing(rep, deal, huawei, api_as):  # noqa: F811
    api = api_as(rep, write=False)
    assert api.get(f"/opportunities/{deal.pk}").status_code == 200
    assert api.post("/opportunities", body(huawei)).status_code == 403
    assert api.patch(f"/opportunities/{deal.pk}", {"name": "改名"}).status_code == 403
    assert list(Opportunity.objects.values_list("name", flat=True)) == ["核心网升级"]


def test_the_list_filters_by_status_stage_member_and_close_date(rep, lead, outsider, team, deal, huawei, api_as):  # noqa: F811
    pipeline_services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="维保",
        amount=Decimal(30000),
        stage=stage("赢单"),
        expected_close_on=datetime.date(2026, 11, 18),
        lead_source=LeadSource.objects.get(name="转介绍"),
    )
    api = api_as(lead)

    def names(**params):
        return [o["name"] for o in api.get("/opportunities", params).json()["items"]]

    assert names() == ["维保", "核心网升级"]  # soonest close first
    assert names(status="open") == ["核心网升级"] and names(status="won") == ["维保"] and names(status="lost") == []
    assert names(stage=stage("需求确认").pk) == ["核心网升级"]
    assert names(member=rep.pk, start="2026-12-01", end="2026-12-31") == ["核心网升级"]
    assert names(team=team.pk) == ["维保", "核心网升级"]
    assert api.get("/opportunities", {"status": "stalled"}).status_code == 400
    assert api_as(outsider).get("/opportunities").json()["count"] == 0
    assert api_as(outsider).get("/opportunities", {"member": rep.pk}).status_code == 404
    assert [s["name"] for s in api.get("/stages").json()][:2] == ["线索", "需求确认"]
    assert "展会" in [s["name"] for s in api.get("/lead-sources").json()]


def test_the_forecast_and_funnel_are_the_team_pages_figures(client, rep, lead, team, deal, huawei, api_as):  # noqa: F811
    sales = selectors.sales_kpi()
    report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={sales: Decimal(100000)})
    pipeline_services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    pipeline_services.create_opportunity(
        actor=rep, customer=huawei, name="维保", amount=Decimal(30000), stage=stage("赢单"), expected_close_on=WEDNESDAY
    )
    pipeline_services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="扩容",
        amount=Decimal(80000),
        stage=stage("输单"),
        expected_close_on=WEDNESDAY,
        loss_reason="价格太高",
    )
    pipeline_services.set_forecast(
        actor=lead, member=rep, period=Period.QUARTER, day=WEDNESDAY, commit=Decimal(90000), best_case=Decimal(150000)
    )
    params = {"period": "quarter", "day": "2026-11-18"}
    forecast = api_as(lead).get(f"/teams/{team.pk}/forecast", params).json()
    funnel = api_as(lead).get(f"/teams/{team.pk}/funnel", params).json()
    client.force_login(lead)
    page = client.get(reverse("pipeline:team", args=[team.pk]), params).context

    assert (forecast["start"], forecast["end"]) == (page["start"].isoformat(), page["end"].isoformat())
    table = page["table"]
    fields = ("won", "weighted", "pipeline", "forecast", "commit", "best_case", "target", "attainment")
    for answer, row in [*zip(forecast["rows"], table.rows, strict=True), (forecast["total"], table.total)]:
        assert answer["member_id"] == (row.member.pk if row.member else None)
        assert [_decimal(answer[name]) for name in fields] == [getattr(row, name) for name in fields]
    mine = next(r for r in forecast["rows"] if r["member_id"] == rep.pk)
    assert Decimal(mine["won"]) == 30000 and Decimal(mine["commit"]) == 90000 and Decimal(mine["target"]) == 100000

    shown = page["funnel"]
    assert [(s["stage"], s["reached"], _decimal(s["conversion"])) for s in funnel["steps"]] == [
        (s.stage.name, s.reached, s.conversion) for s in shown.steps
    ]
    outcomes = funnel["outcomes"]
    assert (outcomes["won"], outcomes["lost"], _decimal(outcomes["win_rate"])) == (
        shown.outcomes.won,
        shown.outcomes.lost,
        shown.outcomes.win_rate,
    )
    assert (outcomes["won"], outcomes["lost"]) == (1, 1)
    assert [(s["lead_source"], s["outcomes"]["won"]) for s in funnel["by_source"]] == [
        (name, o.won) for name, _steps, o in shown.by_source
    ]
    assert [(r["loss_reason"], r["count"]) for r in funnel["loss_reasons"]] == [("价格太高", 1)]


def test_figures_of_a_team_out_of_reach_are_404_and_a_bad_period_400(team, other_team, lead, api_as):
    api = api_as(lead)
    assert api.get(f"/teams/{other_team.pk}/forecast").status_code == 404
    assert api.get(f"/teams/{other_team.pk}/funnel").status_code == 404
    response = api.get(f"/teams/{team.pk}/funnel", {"period": "week"})
    assert response.status_code == 400 and "period" in response.json()["errors"]


def _decimal(value):
    return None if value is None else Decimal(value)
