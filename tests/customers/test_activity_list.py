"""The sales log as a list: filters in the URL (period, type, customer, who logged it), a bad value
shown next to its field, and "export this list"."""

from django.urls import reverse

from customers import services
from customers.models import Activity
from tests.customers.conftest import MONDAY, WEDNESDAY, visit

URL = reverse("customers:activity_list")


def listed(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_a_salesperson_filters_their_log_by_period_type_and_customer(client, rep, other_rep, huawei):
    alibaba = services.create_customer(actor=rep, owner=rep, name="阿里巴巴", tier="b", status="active")
    monday = visit(rep, huawei, MONDAY)
    call = visit(rep, alibaba, WEDNESDAY, kind=Activity.Kind.CALL)
    visit(other_rep, services.create_customer(actor=other_rep, owner=other_rep, name="腾讯"), WEDNESDAY)

    def pks(**params):
        response = listed(client, rep, **params)
        assert response.status_code == 200
        return [activity.pk for activity in response.context["page"]]

    assert pks() == [call.pk, monday.pk]  # newest first, never a teammate's entry
    assert pks(start=WEDNESDAY.isoformat()) == [call.pk]
    assert pks(end=MONDAY.isoformat()) == [monday.pk]
    assert pks(kind=Activity.Kind.CALL) == [call.pk]
    assert pks(customer="华为") == [monday.pk]
    # One person's own log: no "who logged it" filter.
    assert "author" not in listed(client, rep).context["form"].fields


def test_a_manager_filters_the_log_by_salesperson(client, lead, rep, other_rep, outsider, huawei):
    mine = visit(rep, huawei, MONDAY)
    theirs = visit(other_rep, services.create_customer(actor=other_rep, owner=other_rep, name="腾讯"), MONDAY)
    visit(outsider, services.create_customer(actor=outsider, owner=outsider, name="字节跳动"), MONDAY)
    response = listed(client, lead)
    assert {activity.pk for activity in response.context["page"]} == {mine.pk, theirs.pk}
    by_rep = listed(client, lead, author=rep.pk)
    assert [activity.pk for activity in by_rep.context["page"]] == [mine.pk]
    # Someone outside the manager's reach is not a choice, and shows nothing.
    outside = listed(client, lead, author=outsider.pk)
    assert outside.status_code == 200 and outside.context["form"].errors["author"]


def test_bad_filter_values_show_next_to_the_field_and_keep_what_was_typed(client, rep, huawei):
    entry = visit(rep, huawei, MONDAY)
    response = listed(client, rep, start="2026-02-30", kind="dinner", customer="华为")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start", "kind"}
    page = response.content.decode()
    assert 'value="2026-02-30"' in page and 'value="华为"' in page
    assert [activity.pk for activity in response.context["page"]] == [entry.pk]
    reversed_period = listed(client, rep, start=WEDNESDAY.isoformat(), end=MONDAY.isoformat())
    assert reversed_period.context["form"].errors["end"]


def test_export_this_list_downloads_the_filtered_log(client, rep, huawei):
    visit(rep, huawei, MONDAY, outcome="报价已发")
    visit(rep, huawei, WEDNESDAY, kind=Activity.Kind.CALL)
    response = listed(client, rep, kind=Activity.Kind.VISIT, export="csv")
    assert response["Content-Disposition"] == 'attachment; filename="sales-log.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(MONDAY.isoformat()) and "华为技术有限公司" in lines[1] and "报价已发" in lines[1]
    assert listed(client, rep, export="xlsx").content.startswith(b"PK")


def test_the_log_pages_link_to_the_list(client, rep, lead, huawei):
    client.force_login(rep)
    assert f'href="{URL}"' in client.get(reverse("customers:log")).content.decode()
    client.force_login(lead)
    page = client.get(reverse("customers:member_log", args=[rep.pk])).content.decode()
    assert f'href="{URL}?author={rep.pk}"' in page
