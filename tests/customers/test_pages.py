"""The sales log pages: Today with its one-line entry, editing, customers, a member's log."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from customers import services
from customers.models import Activity, Customer
from reports import services as report_services
from tests.customers.conftest import MONDAY, WEDNESDAY, visit
from tests.reports.test_services import fill

pytestmark = pytest.mark.usefixtures("wednesday")
LOG = reverse("customers:log")
CREATE = reverse("customers:activity_create")


def entry(**fields) -> dict:
    return {
        "occurred_on": WEDNESDAY.isoformat(),
        "customer": "华为技术有限公司",
        "kind": "visit",
        "outcome": "",
        "amount": "",
        "next_step": "",
        "next_step_on": "",
        "notes": "",
        **fields,
    }


def test_today_shows_the_form_the_week_and_what_is_due(client, rep, huawei):
    visit(rep, huawei, MONDAY, outcome="确认需求", next_step="发报价", next_step_on=MONDAY + datetime.timedelta(days=1))
    client.force_login(rep)
    page = client.get(LOG).content.decode()
    assert 'id="entry-form"' in page
    assert '<option value="华为技术有限公司">' in page  # the customer list to pick from
    assert "确认需求" in page
    assert page.count("data-follow-up") == 1 and "发报价" in page
    assert f'value="{WEDNESDAY:%Y-%m-%d}"' in page  # today, in the team's time zone


def test_an_entry_is_logged_and_the_page_comes_back_to_its_week(client, rep, huawei):
    client.force_login(rep)
    response = client.post(CREATE, entry(outcome="方案交流", next_step="约技术交流", next_step_on="2026-11-20"))
    assert response.status_code == 302 and response.url == f"{LOG}?week={WEDNESDAY:%Y-%m-%d}"
    activity = Activity.objects.get()
    assert (activity.customer, activity.outcome, activity.next_step_on) == (
        huawei,
        "方案交流",
        datetime.date(2026, 11, 20),
    )


def test_with_htmx_the_form_comes_back_empty_and_the_week_shows_the_entry(client, rep, huawei):
    client.force_login(rep)
    response = client.post(CREATE, entry(kind="call", outcome="电话确认预算"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="logged"' in page and 'hx-swap-oob="true"' in page
    assert "电话确认预算" in page  # in the refreshed week
    assert 'name="customer" value=""' in page  # ready for the next entry
    assert '<option value="call" selected>' in page  # the type is kept for a run of calls


def test_a_new_name_becomes_a_customer(client, rep):
    client.force_login(rep)
    client.post(CREATE, entry(customer="比亚迪股份有限公司", kind="contract", amount="56,000"))
    customer = Customer.objects.get()
    assert (customer.name, customer.owner, customer.status) == ("比亚迪股份有限公司", rep, "active")
    assert Activity.objects.get().amount == 56000


def test_bad_input_is_shown_next_to_the_field_keeps_the_text_and_saves_nothing(client, rep, huawei):
    client.force_login(rep)
    response = client.post(
        CREATE,
        entry(occurred_on="2026-11-30", kind="payment", amount="-500", outcome="客户答应月底付款"),
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "An activity cannot be dated in the future" in page
    assert "客户答应月底付款" in page and 'value="-500"' in page
    assert 'aria-invalid="true"' in page
    assert not Activity.objects.exists()


def test_amounts_that_are_not_numbers_are_refused(client, rep, huawei):
    client.force_login(rep)
    page = client.post(CREATE, entry(kind="quote", amount="十万")).content.decode()
    assert "Enter an amount in yuan" in page
    assert not Activity.objects.exists()


def test_a_name_like_a_colleagues_customer_asks_before_creating(client, rep, other_rep):
    services.create_customer(actor=other_rep, owner=other_rep, name="华为")
    client.force_login(rep)
    page = client.post(CREATE, entry(customer="华为技术")).content.decode()
    assert "Similar customers already exist" in page and "“华为” (王芳&#x27;s)" in page
    assert 'name="confirm_new"' in page
    assert not Customer.objects.filter(owner=rep).exists()

    client.post(CREATE, entry(customer="华为技术", confirm_new="on"))
    assert Customer.objects.get(owner=rep).name == "华为技术"


def test_editing_an_entry_and_removing_it(client, rep, huawei):
    activity = visit(rep, huawei, MONDAY, outcome="初次拜访")
    client.force_login(rep)
    url = reverse("customers:activity_edit", args=[activity.pk])
    assert "初次拜访" in client.get(url).content.decode()
    response = client.post(url, entry(occurred_on=MONDAY.isoformat(), kind="meeting", outcome="方案评审"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.kind, activity.outcome) == ("meeting", "方案评审")

    client.post(reverse("customers:activity_delete", args=[activity.pk]))
    assert not Activity.objects.exists()


def test_a_submitted_week_cannot_lose_an_entry(client, rep, huawei):
    activity = visit(rep, huawei, MONDAY)
    report_services.submit_report(report=fill(report_services.open_report(author=rep, week_start=MONDAY)), by=rep)
    client.force_login(rep)
    response = client.post(reverse("customers:activity_delete", args=[activity.pk]), follow=True)
    assert "already submitted" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    page = client.get(f"{LOG}?week={MONDAY:%Y-%m-%d}").content.decode()
    assert "its log can no longer change" in page
    assert reverse("customers:activity_edit", args=[activity.pk]) not in page


def test_nobody_else_reaches_someones_customer_or_entry(client, rep, outsider, huawei):
    activity = visit(rep, huawei, MONDAY)
    client.force_login(outsider)
    assert client.get(huawei.get_absolute_url()).status_code == 404
    assert client.get(reverse("customers:customer_edit", args=[huawei.pk])).status_code == 404
    assert client.get(reverse("customers:activity_edit", args=[activity.pk])).status_code == 404
    # Nor can they log against it by naming its id anywhere: the form only knows names of their own.
    client.post(CREATE, entry(customer=str(huawei.pk)))
    assert Activity.objects.filter(author=outsider, customer=huawei).count() == 0


def _owner_cell(page: str, customer: Customer) -> str:
    row = page.split(f'<tr data-customer="{customer.pk}">')[1].split("</tr>")[0]
    return row.split("<td>")[5].split("</td>")[0]


def test_a_manager_sees_the_teams_customers_and_hands_one_over(client, rep, other_rep, lead, outsider, huawei):
    services.create_customer(actor=outsider, owner=outsider, name="别组的客户")
    zte = services.create_customer(actor=other_rep, owner=other_rep, name="中兴通讯")
    client.force_login(lead)
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert "华为技术有限公司" in page and "别组的客户" not in page
    # Each row names its own owner.
    assert _owner_cell(page, huawei) == str(rep) and _owner_cell(page, zte) == str(other_rep) != str(rep)

    url = reverse("customers:customer_edit", args=[huawei.pk])
    form = client.get(url).content.decode()
    assert f'<option value="{other_rep.pk}">' in form
    data = {"name": huawei.name, "industry": "", "tier": "a", "status": "active", "lost_reason": "", "contact": ""}
    assert client.post(url, {**data, "owner": other_rep.pk}).status_code == 302
    huawei.refresh_from_db()
    assert huawei.owner == other_rep
    assert _owner_cell(client.get(reverse("customers:customer_list")).content.decode(), huawei) == str(other_rep)
    # Someone outside the manager's team cannot be given the customer.
    response = client.post(url, {**data, "owner": outsider.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_a_new_customer_like_an_existing_one_needs_confirming(client, rep, huawei):
    client.force_login(rep)
    url = reverse("customers:customer_create")
    data = {
        "name": "华为",
        "industry": "通信",
        "tier": "b",
        "status": "lead",
        "lost_reason": "",
        "contact": "",
        "owner": rep.pk,
        "created_on": WEDNESDAY.isoformat(),
    }
    page = client.post(url, data).content.decode()
    assert "Similar customers already exist" in page and 'value="通信"' in page
    assert Customer.objects.count() == 1
    response = client.post(url, {**data, "confirm_new": "on"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    created = Customer.objects.get(name="华为")
    assert AuditEntry.objects.filter(target_id=created.pk, action=AuditEntry.Action.CREATED).exists()


def test_a_salesperson_cannot_make_someone_else_the_owner(client, rep, other_rep):
    client.force_login(rep)
    data = {"name": "海尔", "tier": "c", "status": "lead", "owner": other_rep.pk, "created_on": WEDNESDAY.isoformat()}
    response = client.post(reverse("customers:customer_create"), data)
    assert response.status_code == 200
    assert not Customer.objects.exists()


def test_the_manager_reads_a_members_week(client, rep, lead, huawei):
    visit(rep, huawei, MONDAY, outcome="拜访采购部")
    client.force_login(lead)
    page = client.get(reverse("customers:member_log", args=[rep.pk])).content.decode()
    assert "拜访采购部" in page
    assert 'id="entry-form"' not in page  # read-only


@pytest.mark.parametrize("entries", [5, 300])
def test_today_costs_the_same_whatever_the_week_holds(client, rep, huawei, entries, django_assert_num_queries):
    customers = [services.create_customer(actor=rep, owner=rep, name=f"客户{i}") for i in range(5)]
    for i in range(entries):
        day = MONDAY + datetime.timedelta(days=i % 3)
        visit(rep, customers[i % 5], day, next_step="回访", next_step_on=day)
    client.force_login(rep)
    # Session, user, membership (read once: the calendar reuses the scope's), calendar, own
    # customers, the week's entries, follow-ups, the week's report, the nav badges, and the
    # pipeline's open opportunities and stages for the entry's stage move (pipeline/hooks.py).
    with django_assert_num_queries(11):
        assert client.get(LOG).status_code == 200


def test_the_review_page_side_panel_lists_the_authors_customers_going_cold(client, rep, lead, huawei):
    midea = services.create_customer(actor=rep, owner=rep, name="美的集团", tier="b", status="active")
    visit(rep, huawei, MONDAY, next_step="发报价", next_step_on=MONDAY + datetime.timedelta(days=1))  # overdue
    visit(rep, midea, MONDAY, next_step="回访", next_step_on=WEDNESDAY)  # due today: not yet
    report = report_services.submit_report(report=fill(report_services.open_report(author=rep)), by=rep)
    client.force_login(lead)
    panel = client.get(reverse("reviews:side", args=[report.pk]), headers={"HX-Request": "true"}).content.decode()
    cold = panel.split('id="going-cold"')[1]
    assert "华为技术有限公司" in cold and "发报价" in cold and "美的集团" not in cold
