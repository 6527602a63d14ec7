"""The customers list keeps a page of rows (customers.views.customer_rows_html) until something a
row shows changes: each test opens the list as the team's manager (so the rows are kept), changes
one thing, and checks the next view, with the change's transaction committed (the versions are
replaced on commit)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from customers import services
from customers.models import Activity, Customer
from teams import services as team_services
from tests.customers.conftest import MONDAY, WEDNESDAY, visit

pytestmark = pytest.mark.usefixtures("wednesday")
LIST = reverse("customers:customer_list")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def row(client, customer) -> list[str]:
    """The row's cells, as text."""
    page = client.get(LIST).content.decode()
    html = page.split(f'data-customer="{customer.pk}"')[1].split("</tr>")[0]
    cells = html.split("<td")[1:]
    return [" ".join(cell.split(">", 1)[1].replace("</td>", "").split()) for cell in cells]


def en(label) -> str:
    """A choice's label as the page shows it (the test people read English)."""
    with translation.override("en"):
        return str(label)


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def test_an_entry_logged_and_removed_changes_the_count_and_the_last_day(client, lead, rep, huawei, committed):
    with committed(execute=True):
        visit(rep, huawei, MONDAY)
    client.force_login(lead)
    assert row(client, huawei)[5:] == ["1", f"{MONDAY:%Y-%m-%d}"]
    with committed(execute=True):
        latest = visit(rep, huawei, WEDNESDAY)
    assert row(client, huawei)[5:] == ["2", f"{WEDNESDAY:%Y-%m-%d}"]
    with committed(execute=True):
        services.delete_activity(actor=rep, activity=latest)
    assert row(client, huawei)[5:] == ["1", f"{MONDAY:%Y-%m-%d}"]


def test_a_changed_tier_and_industry_show_at_once(client, lead, rep, huawei, committed):
    client.force_login(lead)
    assert strip_tags(row(client, huawei)[1]) == en(Customer.Tier.A.label)
    with committed(execute=True):
        services.update_customer(actor=rep, customer=huawei, data={"tier": "c", "industry": "通信设备"})
    cells = row(client, huawei)
    assert (strip_tags(cells[1]), cells[3]) == (en(Customer.Tier.C.label), "通信设备")


def test_a_contract_with_a_lead_makes_it_active_at_once(client, lead, rep, committed):
    lead_customer = services.create_customer(actor=rep, owner=rep, name="美的集团", status=Customer.Status.LEAD)
    client.force_login(lead)
    assert en(Customer.Status.LEAD.label) in row(client, lead_customer)[2]
    with committed(execute=True):
        visit(rep, lead_customer, WEDNESDAY, kind=Activity.Kind.CONTRACT, amount=100000)
    assert en(Customer.Status.ACTIVE.label) in row(client, lead_customer)[2]


def test_a_renamed_owner_shows_at_once(client, lead, rep, huawei, committed):
    client.force_login(lead)
    assert strip_tags(row(client, huawei)[4]) == "张伟"
    with committed(execute=True):
        team_services.update_member(actor=lead, member=rep, data={"display_name": "张伟明"})
    assert strip_tags(row(client, huawei)[4]) == "张伟明"
