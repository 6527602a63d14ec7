"""The demo company's chat robot: a DingTalk robot on the company's root team, so it hears every
team's reminders, pointed at the local receiver `manage.py robot_receiver` (docs/integrations.md).
With `make run` the reminder tick then prints one digest per team and event in that terminal."""

from integrations.models import Robot
from teams.models import Team

DEMO_RECEIVER = "http://127.0.0.1:8765"
DEMO_SECRET = "SECdemo0robot0secret0for0the0local0receiver"  # nosec B105 # the demo robot and its local stand-in


def seed_robot(company: Team, *, receiver: str = DEMO_RECEIVER) -> Robot:
    """The demo robot of `company` (created once; seeding again changes nothing)."""
    robot, _created = Robot.objects.get_or_create(
        team=company,
        name="销售周报提醒（演示）",
        defaults={
            "platform": Robot.Platform.DINGTALK,
            "url": f"{receiver}/dingtalk?access_token=demo",
            "secret": DEMO_SECRET,
            "language": "zh-hans",
            "events": [Robot.Event.DEADLINE, Robot.Event.OVERDUE, Robot.Event.DIGEST, Robot.Event.SUMMARY],
        },
    )
    return robot
