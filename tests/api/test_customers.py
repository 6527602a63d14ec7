"""Customers and the sales log through the API, as a CRM syncs them: a second POST with the same
external id changes the same row instead of adding one; bad input changes nothing."""

import datetime

from customers.models import Activity, Customer
from customers.services import create_customer
from reports.services import open_report, submit_report
from tests.reports.test_services import fill


def test_posting_a_customer_twice_with_one_external_id_keeps_one_customer(rep, api_as):
    api = api_as(rep)
    first = api.post("/customers", {"name": "华为技术有限公司", "external_id": "crm-1"})
    assert first.status_code == 201
    again = api.post("/customers", {"name": "华为技术有限公司", "industry": "通信", "external_id": "crm-1"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    customer = Customer.objects.get(owner=rep)
    assert customer.industry == "通信" and customer.external_id == "crm-1"


def test_a_duplicate_name_or_a_wrong_value_answers_400_by_field(rep, api_as):
    api = api_as(rep)
    create_customer(actor=rep, owner=rep, name="腾讯")
    duplicate = api.post("/customers", {"name": "腾讯", "external_id": "crm-2"})
    assert duplicate.status_code == 400 and "name" in duplicate.json()["errors"]
    unknown = api.post("/customers", {"name": "阿里", "colour": "blue"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]
    lost = api.post("/customers", {"name": "阿里", "status": "lost"})
    assert lost.status_code == 400 and "lost_reason" in lost.json()["errors"]
    assert list(Customer.objects.values_list("name", flat=True)) == ["腾讯"]


def test_customers_of_others_are_out_of_reach(rep, outsider, lead, director, api_as):
    customer = create_customer(actor=rep, owner=rep, name="华为")
    assert api_as(outsider).patch(f"/customers/{customer.pk}", {"industry": "x"}).status_code == 404
    assert api_as(director).patch(f"/customers/{customer.pk}", {"industry": "x"}).status_code == 403
    assert api_as(lead).patch(f"/customers/{customer.pk}", {"industry": "通信"}).status_code == 200
    assert api_as(outsider).get("/customers").json()["count"] == 0
    assert [c["name"] for c in api_as(lead).get("/customers", {"member": rep.pk}).json()["items"]] == ["华为"]
    assert api_as(outsider).post("/customers", {"name": "x", "owner_id": rep.pk}).status_code == 400


def test_logging_an_activity_twice_with_one_external_id_keeps_one_entry(rep, api_as):
    customer = create_customer(actor=rep, owner=rep, name="华为")
    api = api_as(rep)
    day = open_report(author=rep).week_start.isoformat()
    body = {"customer_id": customer.pk, "occurred_on": day, "kind": "visit", "outcome": "确认需求", "external_id": "a1"}
    first = api.post("/activities", body)
    assert first.status_code == 201, first.json()
    again = api.post("/activities", {**body, "outcome": "确认需求和预算"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert list(Activity.objects.values_list("outcome", flat=True)) == ["确认需求和预算"]
    assert api.get("/activities", {"external_id": "a1"}).json()["count"] == 1


def test_bad_activities_are_refused_and_nothing_is_written(rep, outsider, api_as):
    mine = create_customer(actor=rep, owner=rep, name="华为")
    theirs = create_customer(actor=outsider, owner=outsider, name="小米")
    api = api_as(rep)
    today = datetime.date.today().isoformat()
    contract = api.post("/activities", {"customer_id": mine.pk, "occurred_on": today, "kind": "contract"})
    assert contract.status_code == 400 and "amount" in contract.json()["errors"]
    foreign = api.post("/activities", {"customer_id": theirs.pk, "occurred_on": today, "kind": "visit"})
    assert foreign.status_code == 400 and "customer_id" in foreign.json()["errors"]
    typed = api.post("/activities", {"customer_id": mine.pk, "occurred_on": "tomorrow", "kind": "visit"})
    assert typed.status_code == 400 and "occurred_on" in typed.json()["errors"]
    assert not Activity.objects.exists()


def test_an_activity_changes_only_by_its_author_while_its_week_is_open(rep, lead, api_as):
    customer = create_customer(actor=rep, owner=rep, name="华为")
    report = open_report(author=rep)
    api = api_as(rep)
    created = api.post(
        "/activities", {"customer_id": customer.pk, "occurred_on": report.week_start.isoformat(), "kind": "call"}
    ).json()
    assert api_as(lead).patch(f"/activities/{created['id']}", {"outcome": "x"}).status_code == 403
    assert api.patch(f"/activities/{created['id']}", {"outcome": "约了下周拜访"}).status_code == 200
    submit_report(report=fill(report), by=rep)
    closed = api.patch(f"/activities/{created['id']}", {"outcome": "改"})
    assert closed.status_code == 400
    assert Activity.objects.get().outcome == "约了下周拜访"
    assert [
        a["id"] for a in api_as(lead).get("/activities", {"team": rep.memberships.get().team_id}).json()["items"]
    ] == [created["id"]]
