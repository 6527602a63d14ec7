"""The demo's robot: on the company's root team, it gets one digest per team and event from the
reminder tick, as `make run` shows with `manage.py robot_receiver`."""

import datetime
from zoneinfo import ZoneInfo

from demo import integrations as demo
from integrations.models import Delivery, Robot
from reminders import services as reminder_services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_robot_gets_one_digest_per_team_from_the_reminder_tick(
    receiver, company, team, other_team, rep, outsider, time_machine, django_capture_on_commit_callbacks
):
    receiver.secrets["dingtalk"] = demo.DEMO_SECRET
    robot = demo.seed_robot(company, receiver=receiver.base)
    assert demo.seed_robot(company, receiver=receiver.base) == robot  # seeding again adds nothing
    when = datetime.datetime(2026, 11, 20, 16, 5, tzinfo=SHANGHAI)
    time_machine.move_to(when, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_services.run_tick(now=when)
    assert Robot.objects.count() == 1
    assert Delivery.objects.filter(robot=robot).count() == 2
    titles = sorted(r.body["markdown"]["title"] for r in receiver.of("dingtalk"))
    assert len(titles) == 2 and titles[0].startswith(other_team.name) and titles[1].startswith(team.name)
    assert all(r.verified for r in receiver.received)
