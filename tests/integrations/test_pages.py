"""The robot and webhook pages: secrets never shown back, the platform's answer to a test
message, managers limited to their subtree, bad input kept with its message."""

import datetime
import html

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from integrations.models import Delivery, Robot, Subscription

SECRET = "SECd1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a1b2"


def robot_data(receiver, team, **overrides):
    return {
        "team": team.pk,
        "name": "东区销售群",
        "platform": "dingtalk",
        "url": f"{receiver.base}/dingtalk?access_token=tok-9f8e7d6c5b4a",
        "language": "zh-hans",
        "events": ["deadline", "digest"],
        "is_active": "on",
        "new_secret": SECRET,
        **overrides,
    }


@pytest.fixture
def away_from_half_hour(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 4, 10, tzinfo=datetime.UTC), tick=False)


def test_an_admin_adds_a_robot_and_its_secret_is_never_shown_back(client, admin, team, receiver):
    receiver.secrets["dingtalk"] = SECRET
    client.force_login(admin)
    response = client.post(reverse("integrations:robot_create"), robot_data(receiver, team))
    robot = Robot.objects.get()
    assert response.status_code == 302
    assert (robot.secret, robot.events, robot.created_by) == (SECRET, ["deadline", "digest"], admin)
    for url in (reverse("integrations:robot_edit", args=[robot.pk]), reverse("integrations:robot_list")):
        page = client.get(url).content.decode()
        assert SECRET not in page
        assert "SEC…a1b2" in page
    assert "tok-9f8e7d6c5b4a" not in client.get(reverse("integrations:robot_list")).content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATED, target_repr=str(robot))
    assert entry.actor == admin and SECRET not in str(entry.changes) and "tok-9f8e7d6c5b4a" not in str(entry.changes)


def test_saving_without_a_new_secret_keeps_the_stored_one(client, admin, team, receiver):
    client.force_login(admin)
    client.post(reverse("integrations:robot_create"), robot_data(receiver, team))
    robot = Robot.objects.get()
    client.post(
        reverse("integrations:robot_edit", args=[robot.pk]), robot_data(receiver, team, name="新名字", new_secret="")
    )
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("新名字", SECRET)


def test_the_test_message_shows_the_platforms_answer(client, lead, team, receiver, away_from_half_hour):
    receiver.secrets["dingtalk"] = SECRET
    client.force_login(lead)
    client.post(reverse("integrations:robot_create"), robot_data(receiver, team))
    robot = Robot.objects.get()
    response = client.post(reverse("integrations:robot_test", args=[robot.pk]), follow=True)
    assert '"errcode": 0' in html.unescape(response.content.decode())
    (got,) = receiver.of("dingtalk")
    assert got.verified and "东区销售群" not in got.body["markdown"]["text"]
    assert team.name in got.body["markdown"]["text"]

    receiver.secrets["dingtalk"] = "SECsomething-else-entirely"  # the group's admin changed it
    response = client.post(reverse("integrations:robot_test", args=[robot.pk]), follow=True)
    assert "sign not match" in response.content.decode()
    assert Delivery.objects.filter(robot=robot, event="test").count() == 2


def test_managers_attach_robots_only_to_teams_of_their_subtree(client, lead, other_team, team, receiver):
    client.force_login(lead)
    response = client.post(reverse("integrations:robot_create"), robot_data(receiver, other_team))
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not Robot.objects.exists()


def test_a_missing_field_keeps_what_was_typed(client, admin, team, receiver):
    client.force_login(admin)
    response = client.post(reverse("integrations:robot_create"), robot_data(receiver, team, events=[]))
    assert response.status_code == 200
    assert "events" in response.context["form"].errors
    assert "东区销售群" in response.content.decode()
    assert not Robot.objects.exists()


def test_a_new_webhook_shows_its_secret_once(client, admin, receiver):
    client.force_login(admin)
    response = client.post(
        reverse("integrations:webhook_create"),
        {"name": "CRM", "url": f"{receiver.base}/webhook", "events": ["report.submitted"], "is_active": "on"},
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.secret.startswith("whsec_")
    assert subscription.secret in response.content.decode()
    again = client.get(reverse("integrations:webhook_edit", args=[subscription.pk])).content.decode()
    assert subscription.secret not in again and subscription.masked_secret in again


def test_a_manager_lists_only_the_robots_of_their_subtree(client, lead, team, other_team, receiver):
    for where, name in ((team, "上海群"), (other_team, "广州群")):
        Robot.objects.create(team=where, name=name, platform="wecom", url=f"{receiver.base}/wecom?key=1", events=[])
    client.force_login(lead)
    page = client.get(reverse("integrations:robot_list")).content.decode()
    assert "上海群" in page and "广州群" not in page
