"""Customers and the sales log: the rules of creating, logging, changing and following up."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from customers import services
from customers.models import Activity, Customer
from reports import services as report_services
from reports.customer_names import name_key
from tests.customers.conftest import MONDAY, SUNDAY, WEDNESDAY, visit
from tests.reports.test_services import fill

pytestmark = pytest.mark.usefixtures("wednesday", "english")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("华为技术有限公司", "华为技术"),
        ("华为技术 有限公司", "华为技术"),
        ("Huawei Co., Ltd.", "huawei"),
        ("ＡＢＣ集团", "abc"),
        ("  美的  ", "美的"),
        ("有限公司", "有限公司"),  # nothing but a legal form stays a name
    ],
)
def test_names_compare_without_legal_forms_width_case_or_punctuation(name, key):
    assert name_key(name) == key


def test_an_owner_cannot_have_the_same_customer_twice(rep, other_rep, huawei):
    with pytest.raises(ValidationError) as exc:
        services.create_customer(actor=rep, owner=rep, name="华为技术 有限公司")
    assert exc.value.message_dict["name"] == ["You already have a customer with this name."]
    # A colleague may (the warning on the page tells them); each owner has their own list.
    services.create_customer(actor=other_rep, owner=other_rep, name="华为技术有限公司")
    assert Customer.objects.filter(key="华为技术").count() == 2


def test_similar_names_are_found_among_the_owners_team_only(rep, other_rep, outsider, huawei):
    services.create_customer(actor=other_rep, owner=other_rep, name="华为")
    services.create_customer(actor=outsider, owner=outsider, name="华为终端")
    similar = services.similar_customers(owner=rep, name="华为技术")
    assert [(s.customer.name, s.is_own) for s in similar] == [("华为技术有限公司", True), ("华为", False)]
    assert services.similar_customers(owner=rep, name="比亚迪") == []


def test_a_lost_customer_needs_a_reason_and_nothing_is_saved_without_it(rep, huawei):
    with pytest.raises(ValidationError) as exc:
        services.update_customer(actor=rep, customer=huawei, data={"status": Customer.Status.LOST})
    assert "lost_reason" in exc.value.message_dict
    huawei.refresh_from_db()
    assert huawei.status == Customer.Status.ACTIVE
    services.update_customer(
        actor=rep, customer=huawei, data={"status": Customer.Status.LOST, "lost_reason": "预算取消"}
    )
    entry = AuditEntry.objects.filter(target_id=huawei.pk, action=AuditEntry.Action.STATUS_CHANGED).get()
    assert entry.changes["status"] == ["active", "lost"]


def test_a_manager_hands_a_customer_over_and_the_trail_says_so(rep, other_rep, lead, huawei):
    services.update_customer(actor=lead, customer=huawei, data={"owner": other_rep})
    huawei.refresh_from_db()
    assert huawei.owner == other_rep
    entry = AuditEntry.objects.filter(target_id=huawei.pk, action=AuditEntry.Action.UPDATED).get()
    assert entry.actor == lead and entry.changes["owner"] == [str(rep), str(other_rep)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"occurred_on": WEDNESDAY + datetime.timedelta(days=1)}, "occurred_on", "cannot be dated in the future"),
        ({"next_step": "回访", "next_step_on": MONDAY - datetime.timedelta(days=1)}, "next_step_on", "cannot come"),
        ({"next_step_on": WEDNESDAY}, "next_step", "Say what the next step is."),
        ({"kind": "quote", "amount": Decimal("-1")}, "amount", "cannot be negative"),
        ({"kind": "contract", "amount": Decimal("100000000000")}, "amount", "too large"),
        ({"kind": "contract"}, "amount", "Enter the amount"),
        ({"kind": "payment"}, "amount", "Enter the amount"),
        ({"kind": "visit", "amount": Decimal("5000")}, "amount", "Only quotes, contracts and payments"),
        ({"kind": "lunch"}, "kind", "Choose what kind"),
        ({"occurred_on": datetime.date(1999, 12, 31)}, "occurred_on", "too long ago"),
    ],
)
def test_bad_activities_are_refused_by_field_and_nothing_is_written(rep, huawei, fields, field, message):
    data = {"occurred_on": MONDAY, "kind": "visit", **fields}
    with pytest.raises(ValidationError) as exc:
        services.log_activity(author=rep, customer=huawei, **data)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Activity.objects.exists()


def test_a_colleagues_customer_cannot_be_logged(rep, other_rep):
    theirs = services.create_customer(actor=other_rep, owner=other_rep, name="比亚迪")
    with pytest.raises(ValidationError) as exc:
        visit(rep, theirs, MONDAY)
    assert exc.value.message_dict["customer"] == ["Choose one of your own customers."]


def test_amounts_are_read_as_people_type_them():
    assert services.parse_amount("12,000") == Decimal("12000")
    assert services.parse_amount("￥3 500.50") == Decimal("3500.50")
    assert services.parse_amount("") is None
    with pytest.raises(ValidationError):
        services.parse_amount("十万")
    with pytest.raises(ValidationError):
        services.parse_amount("NaN")


def test_a_new_name_creates_the_customer_with_the_activity(rep):
    activity = services.log_activity(
        author=rep, new_customer="阿里巴巴", occurred_on=WEDNESDAY, kind="contract", amount=Decimal("80000")
    )
    customer = activity.customer
    assert (customer.name, customer.owner, customer.status) == ("阿里巴巴", rep, Customer.Status.ACTIVE)
    assert customer.created_on == WEDNESDAY


def test_a_refused_activity_does_not_leave_its_new_customer_behind(rep):
    with pytest.raises(ValidationError):
        services.log_activity(author=rep, new_customer="阿里巴巴", occurred_on=WEDNESDAY, kind="contract")
    assert not Customer.objects.exists()


def test_a_contract_makes_a_lead_an_active_customer(rep):
    lead_customer = services.create_customer(actor=rep, owner=rep, name="美的")
    visit(rep, lead_customer, MONDAY, kind="contract", amount=Decimal("1000"))
    lead_customer.refresh_from_db()
    assert lead_customer.status == Customer.Status.ACTIVE
    assert AuditEntry.objects.filter(target_id=lead_customer.pk, action=AuditEntry.Action.STATUS_CHANGED).exists()


def test_a_submitted_week_keeps_its_log(rep, huawei):
    earlier = visit(rep, huawei, MONDAY, outcome="确认需求")
    report = report_services.open_report(author=rep, week_start=MONDAY)
    report_services.submit_report(report=fill(report), by=rep)

    with pytest.raises(ValidationError, match="already submitted"):
        visit(rep, huawei, WEDNESDAY)
    with pytest.raises(ValidationError, match="already submitted"):
        services.update_activity(actor=rep, activity=earlier, data={"outcome": "改了"})
    with pytest.raises(ValidationError, match="already submitted"):
        services.delete_activity(actor=rep, activity=earlier)
    earlier.refresh_from_db()
    assert earlier.outcome == "确认需求"
    # The week before is still open: its report was never submitted.
    visit(rep, huawei, MONDAY - datetime.timedelta(days=1))


def test_an_activity_cannot_be_moved_into_a_submitted_week(rep, huawei):
    last_week = MONDAY - datetime.timedelta(days=7)
    report = report_services.open_report(author=rep, week_start=last_week)
    report_services.submit_report(report=fill(report), by=rep)
    activity = visit(rep, huawei, MONDAY)
    with pytest.raises(ValidationError) as exc:
        services.update_activity(actor=rep, activity=activity, data={"occurred_on": last_week})
    assert "occurred_on" in exc.value.message_dict


def test_changes_and_removals_are_in_the_audit_trail(rep, huawei):
    activity = visit(rep, huawei, MONDAY, outcome="初次拜访")
    services.update_activity(actor=rep, activity=activity, data={"outcome": "确认需求", "kind": "meeting"})
    services.delete_activity(actor=rep, activity=activity)
    entries = AuditEntry.objects.filter(target_type__model="activity", target_id=activity.pk).order_by("pk")
    assert [e.action for e in entries] == [AuditEntry.Action.UPDATED, AuditEntry.Action.DELETED]
    assert entries[0].changes["outcome"] == ["初次拜访", "确认需求"]
    assert not Activity.objects.exists()


def test_follow_ups_are_due_when_their_date_passed_with_nothing_logged_since(rep, other_rep, huawei):
    cold = visit(rep, huawei, MONDAY, next_step="发报价", next_step_on=MONDAY + datetime.timedelta(days=1))
    midea = services.create_customer(actor=rep, owner=rep, name="美的")
    visit(rep, midea, MONDAY, next_step="回访", next_step_on=WEDNESDAY)  # due today: not overdue yet
    lost = services.create_customer(actor=rep, owner=rep, name="格力")
    visit(rep, lost, MONDAY, next_step="回访", next_step_on=MONDAY)
    services.update_customer(actor=rep, customer=lost, data={"status": "lost", "lost_reason": "选了竞品"})

    due = services.overdue_follow_ups(Activity.objects.filter(author=rep), WEDNESDAY)
    assert list(due) == [cold]

    # Anything logged for the customer since (here by a colleague who took it over) answers it.
    huawei = services.update_customer(actor=rep, customer=huawei, data={"owner": other_rep})
    visit(other_rep, huawei, WEDNESDAY, kind="call")
    assert not services.overdue_follow_ups(Activity.objects.filter(author=rep), WEDNESDAY).exists()


def test_a_later_entry_on_the_same_day_answers_an_earlier_one(rep, huawei):
    visit(rep, huawei, MONDAY, next_step="电话确认", next_step_on=MONDAY)
    visit(rep, huawei, MONDAY, kind="call", outcome="已确认")
    assert not services.overdue_follow_ups(Activity.objects.filter(author=rep), SUNDAY).exists()


def test_an_earlier_entry_on_the_same_day_does_not_answer_a_later_one(rep, huawei):
    visit(rep, huawei, MONDAY, kind="call", outcome="约了下午见面")
    later = visit(rep, huawei, MONDAY, next_step="发报价", next_step_on=MONDAY)
    assert list(services.overdue_follow_ups(Activity.objects.filter(author=rep), SUNDAY)) == [later]


def test_only_team_members_keep_a_log(director, huawei):
    with pytest.raises(ValidationError, match="Only members of a team"):
        services.log_activity(author=director, customer=huawei, occurred_on=MONDAY, kind="visit")
