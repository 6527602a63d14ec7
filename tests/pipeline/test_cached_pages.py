"""The pipeline pages keep their figures (and the team page most of its HTML) in the cache under
the teams' data versions (teams.versions): each change to what they show is there on the next
view."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from customers import services as customer_services
from pipeline import services
from pipeline.models import Stage
from teams import services as team_services
from tests.pipeline.conftest import stage


@pytest.fixture
def page(client, lead, rep, other_rep, team, deal):
    """The page as the team's manager sees it now; the first call fills the cache."""

    def get() -> str:
        client.force_login(lead)
        return client.get(reverse("pipeline:team", args=[team.pk])).content.decode()

    assert "50,000" in get()  # 200,000 at 需求确认 (25 %) expected in December
    return get


def forecast_row(html: str, member) -> str:
    return html.split(f'data-forecast-member="{member.pk}"')[1].split("</tr>")[0]


def test_a_stage_move_shows_at_once(client, page, rep, deal, django_capture_on_commit_callbacks):
    client.force_login(rep)
    mine = reverse("pipeline:member", args=[rep.pk])
    assert 'id="forecast"' in client.get(mine).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_stage(actor=rep, opportunity=deal, stage=stage("商务谈判"))
    assert "150,000" in page()
    client.force_login(rep)
    assert "150,000" in client.get(mine).content.decode()


def test_an_edited_and_a_new_opportunity_show_at_once(
    client, page, lead, rep, deal, huawei, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    data = {"name": "核心网升级", "amount": "400000", "stage": stage("需求确认").pk, "expected_close_on": "2026-12-15"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pipeline:opportunity_edit", args=[deal.pk]), data)
    assert response.status_code == 302
    assert "100,000" in page()
    with django_capture_on_commit_callbacks(execute=True):
        services.create_opportunity(
            actor=rep,
            customer=huawei,
            name="数据中心",
            amount=Decimal(80000),
            stage=stage("方案报价"),
            expected_close_on=datetime.date(2026, 12, 20),
        )
    assert "140,000" in forecast_row(page(), rep)  # 100,000 + 40,000


def test_a_commit_set_by_the_manager_shows_at_once(client, page, lead, rep, team, django_capture_on_commit_callbacks):
    url = reverse("pipeline:forecast_set", args=[team.pk]) + "?period=quarter&day=2026-11-18"
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {f"{rep.pk}-commit": "120000", f"{rep.pk}-best_case": "180000"}).status_code == 302
    assert 'value="120000.00"' in forecast_row(page(), rep)


def test_a_customer_handed_over_takes_its_pipeline_along(
    page, lead, rep, other_rep, huawei, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.update_customer(actor=lead, customer=huawei, data={"owner": other_rep})
    html = page()
    assert "50,000" in forecast_row(html, other_rep) and "50,000" not in forecast_row(html, rep)


def test_a_customer_marked_lost_shows_at_once(page, rep, huawei, django_capture_on_commit_callbacks):
    assert "No customer was lost in this period." in page()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.update_customer(actor=rep, customer=huawei, data={"status": "lost", "lost_reason": "倒闭"})
    html = page()
    assert "No customer was lost in this period." not in html and "倒闭" in html


def test_a_new_name_shows_at_once(page, lead, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team_services.update_member(actor=lead, member=rep, data={"display_name": "张伟强"})
    html = page()
    # The forecast (the link and the inputs' labels) and the members' outcomes.
    assert ">张伟强</a>" in forecast_row(html, rep) and "Commit of 张伟强" in html
    assert html.split('id="member-outcomes"')[1].count(">张伟强</a>") == 1


def test_a_stage_changed_in_the_admin_shows_at_once(client, page, admin, django_capture_on_commit_callbacks):
    needs = stage("需求确认")
    client.force_login(admin)
    data = {"name": needs.name, "probability": "40", "position": needs.position, "is_active": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:pipeline_stage_change", args=[needs.pk]), data)
    assert response.status_code == 302
    assert Stage.objects.get(pk=needs.pk).probability == 40
    assert "80,000" in page()


def test_a_director_sees_a_move_at_once_and_the_manager_keeps_the_forms(
    client, page, director, rep, team, deal, django_capture_on_commit_callbacks
):
    url = reverse("pipeline:team", args=[team.pk])
    client.force_login(director)
    assert f'name="{rep.pk}-commit"' not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_stage(actor=rep, opportunity=deal, stage=stage("商务谈判"))
    client.force_login(director)
    html = client.get(url).content.decode()
    assert "150,000" in html and f'name="{rep.pk}-commit"' not in html and "/pipeline/forecast/" not in html
    assert f'name="{rep.pk}-commit"' in page()  # the forecast table the director's view cached has no inputs
