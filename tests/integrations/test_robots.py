"""Team chat robots: each platform's signature and dialect as documented, checked by a receiver on
loopback; limits, rate limits, the half-hour rule, pausing; and the reminder tick's one digest per
team and event."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest

from integrations import platforms, services
from integrations.models import Delivery, Robot
from integrations.platforms import Message
from notifications.models import Notification
from reminders import services as reminder_services
from teams.models import Leave

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = datetime.date(2026, 11, 16)  # deadline Friday 2026-11-20 18:00 Shanghai


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


def robot_for(receiver, team, platform: str, events=None, **fields) -> Robot:
    urls = {
        "dingtalk": f"{receiver.base}/dingtalk?access_token=abc123",
        "feishu": f"{receiver.base}/feishu/hook-token",
        "wecom": f"{receiver.base}/wecom?key=wecom-key-1",
    }
    return Robot.objects.create(
        team=team,
        name=f"{platform} group",
        platform=platform,
        url=urls[platform],
        secret=receiver.secrets.get(platform, ""),
        language=fields.pop("language", "zh-hans"),
        events=events or list(Robot.Event.values),
        **fields,
    )


def send(robot: Robot, message: Message, when: datetime.datetime) -> Delivery:
    delivery = Delivery.objects.create(
        robot=robot, event="test", key=f"k{Delivery.objects.count()}", body=message.as_json(), next_attempt_at=when
    )
    services.deliver(delivery_id=delivery.pk, now=when)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize("platform", ["dingtalk", "feishu", "wecom"])
def test_each_platform_accepts_a_message_signed_as_it_documents(receiver, team, platform):
    robot = robot_for(receiver, team, platform)
    delivery = send(robot, Message("3 份周报未交", ["- 王芳"], "https://reports.example.com/x"), at(20, 16, 5))
    assert delivery.status == Delivery.Status.SENT
    (got,) = receiver.of(platform)
    assert got.verified
    assert "3 份周报未交" in json.dumps(got.body, ensure_ascii=False)
    assert delivery.response_code == 200
    assert ('"errcode": 0' if platform != "feishu" else '"code": 0') in delivery.response


def test_dingtalk_and_wecom_mention_people_by_mobile_number(receiver, team):
    message = Message("未交周报", ["- 王芳"], mobiles=["13800138000"])
    send(robot_for(receiver, team, "dingtalk"), message, at(20, 16, 5))
    send(robot_for(receiver, team, "wecom"), message, at(20, 16, 6))
    dingtalk, wecom = receiver.of("dingtalk")[0].body, receiver.of("wecom")[0].body
    assert dingtalk["at"]["atMobiles"] == ["13800138000"]
    assert "@13800138000" in dingtalk["markdown"]["text"]
    assert wecom["msgtype"] == "text"
    assert wecom["text"]["mentioned_mobile_list"] == ["13800138000"]


def test_a_wrong_secret_is_refused_and_the_platforms_answer_is_recorded(receiver, team):
    robot = robot_for(receiver, team, "dingtalk")
    robot.secret = "SECwrong-secret-0000"
    robot.save()
    delivery = send(robot, Message("x", ["y"]), at(20, 16, 5))
    assert delivery.status == Delivery.Status.PENDING  # retried later, with backoff
    assert "310000" in delivery.response and "sign not match" in delivery.response
    assert delivery.next_attempt_at == at(20, 16, 6)
    robot.refresh_from_db()
    assert robot.failures_in_a_row == 1


@pytest.mark.parametrize(("platform", "limit"), [("wecom", 2048), ("feishu", 20 * 1024)])
def test_long_digests_are_cut_within_the_platforms_limit_with_a_link(receiver, team, platform, limit):
    lines = [f"- 销售员{i:04d} 还没有提交本周周报" for i in range(2000)]
    link = "https://reports.example.com/reports/this-week/"
    message = Message("很多人未交", lines, link, mobiles=["13800138000"])
    assert send(robot_for(receiver, team, platform), message, at(20, 16, 5)).status == Delivery.Status.SENT
    body = receiver.of(platform)[0].body
    text = body["text"]["content"] if platform == "wecom" else body["card"]["elements"][0]["content"]
    assert len(text.encode()) <= limit
    if platform == "feishu":
        assert len(json.dumps(body, ensure_ascii=False).encode()) <= 20_000
    assert text.rstrip().endswith(f"({link})")
    assert "销售员0000" in text and "销售员1999" not in text


def test_wecom_markdown_stays_within_4096_bytes():
    _url, body = platforms.request(
        "wecom", "https://x/?key=1", "", Message("t", ["很长的一行"] * 2000, "https://l/"), 0
    )
    assert len(json.loads(body)["markdown"]["content"].encode()) <= 4096


# Rate limits and the half hour ------------------------------------------------------------------


def test_dingtalk_robots_send_20_messages_a_minute_and_the_rest_the_next_minute(receiver, team):
    robot = robot_for(receiver, team, "dingtalk")
    when = at(20, 16, 5, 10)
    results = [send(robot, Message("m", [str(i)]), when) for i in range(21)]
    assert [d.status for d in results].count(Delivery.Status.SENT) == 20
    held = results[-1]
    assert (held.status, held.attempts, held.next_attempt_at) == (Delivery.Status.PENDING, 0, at(20, 16, 6))
    assert services.send_due(now=at(20, 16, 6)) == 1
    assert len(receiver.of("dingtalk")) == 21


def test_feishu_robots_send_5_a_second_and_100_a_minute(receiver, team):
    # About 2 s: the minute's limit takes 100 real requests to reach.
    robot = robot_for(receiver, team, "feishu")
    start = at(20, 16, 5, 0)
    first_second = [send(robot, Message("m", ["x"]), start) for _ in range(6)]
    assert [d.status for d in first_second].count(Delivery.Status.SENT) == 5
    assert first_second[-1].next_attempt_at == start + datetime.timedelta(seconds=1)
    for second in range(1, 20):
        for _ in range(5):
            send(robot, Message("m", ["x"]), start + datetime.timedelta(seconds=second))
    assert len(receiver.of("feishu")) == 100
    held = send(robot, Message("m", ["x"]), start + datetime.timedelta(seconds=20))
    assert (held.status, held.next_attempt_at) == (Delivery.Status.PENDING, at(20, 16, 6))


def test_nothing_goes_to_a_robot_in_the_first_minute_of_an_hour_or_half_hour(receiver, team):
    robot = robot_for(receiver, team, "feishu")
    delivery = send(robot, Message("m", ["x"]), at(20, 18, 0, 5))
    assert delivery.status == Delivery.Status.PENDING
    assert at(20, 18, 1) <= delivery.next_attempt_at < at(20, 18, 2)
    assert receiver.of("feishu") == []
    assert services.send_due(now=at(20, 18, 2)) == 1


def test_a_robot_that_keeps_failing_is_paused_and_the_admins_are_told(receiver, team, admin):
    robot = robot_for(receiver, team, "wecom")
    receiver.answers["wecom"] = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    delivery = send(robot, Message("m", ["x"]), at(20, 16, 5))
    when = at(20, 16, 5)
    for _ in range(4):
        when = Delivery.objects.get(pk=delivery.pk).next_attempt_at
        services.send_due(now=when)
    delivery.refresh_from_db()
    robot.refresh_from_db()
    assert delivery.attempts == 5
    assert delivery.status == Delivery.Status.FAILED
    assert not robot.is_active and robot.paused_at == when
    assert "invalid webhook url" in robot.last_error
    notice = Notification.objects.get(recipient=admin)
    assert notice.kind == Notification.Kind.ROBOT_PAUSED
    assert robot.name in notice.title
    # Paused: new messages wait, nothing is sent.
    assert services.send_due(now=when + datetime.timedelta(hours=1)) == 0
    assert len(receiver.of("wecom")) == 5


# Events ------------------------------------------------------------------------------------------


@pytest.fixture
def tick(time_machine, django_capture_on_commit_callbacks):
    """The reminder tick at `when`, its after-commit work (the robots' messages) done at once."""

    def run(when):
        time_machine.move_to(when, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            return reminder_services.run_tick(now=when)

    return run


def test_the_deadline_reminder_tick_sends_one_digest_per_team_listing_who_is_missing(
    receiver, team, other_team, rep, other_rep, outsider, tick
):
    rep.phone = "13800138000"
    rep.save()
    robot = robot_for(receiver, team, "dingtalk", events=[Robot.Event.DEADLINE])
    other = robot_for(receiver, other_team, "wecom", events=[Robot.Event.DEADLINE], language="en")
    tick(at(20, 16, 5))  # the 2-hour reminder
    tick(at(20, 16, 10))  # nothing new: no second digest
    assert Delivery.objects.filter(robot=robot).count() == 1
    assert Delivery.objects.filter(robot=other).count() == 1
    (dingtalk,) = receiver.of("dingtalk")
    text = dingtalk.body["markdown"]["text"]
    assert "2 " in dingtalk.body["markdown"]["title"] and "2026-11-20 18:00" in text
    assert str(rep) in text and str(other_rep) in text and str(outsider) not in text
    assert dingtalk.body["at"]["atMobiles"] == ["13800138000"]
    assert "https://reports.example.com/" in text
    (wecom,) = receiver.of("wecom")
    assert "still missing" in wecom.body["markdown"]["content"]


def test_robots_keep_the_reminders_holiday_and_leave_rules(receiver, team, rep, other_rep, tick):
    robot = robot_for(receiver, team, "feishu", events=[Robot.Event.DEADLINE])
    Leave.objects.create(
        member=other_rep, starts_on=WEEK, ends_on=WEEK + datetime.timedelta(days=6), status=Leave.Status.APPROVED
    )
    tick(at(20, 16, 5))
    (got,) = receiver.of("feishu")
    content = got.body["card"]["elements"][0]["content"]
    assert str(rep) in content and str(other_rep) not in content
    rep_submitted = Delivery.objects.filter(robot=robot).count()
    Leave.objects.create(
        member=rep, starts_on=WEEK, ends_on=WEEK + datetime.timedelta(days=6), status=Leave.Status.APPROVED
    )
    tick(at(20, 20, 5))  # overdue time: everyone is on leave, nobody is reminded
    assert Delivery.objects.filter(robot=robot).count() == rep_submitted


def test_a_submission_reaches_robots_that_want_each_submission(
    receiver, team, rep, time_machine, django_capture_on_commit_callbacks
):
    from tests.reviews.test_pages import submitted

    time_machine.move_to(at(20, 12, 5), tick=False)
    robot_for(receiver, team, "wecom", events=[Robot.Event.SUBMITTED])
    robot_for(receiver, team, "dingtalk", events=[Robot.Event.DEADLINE])
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(rep)
    (got,) = receiver.received
    assert got.platform == "wecom"
    assert f"https://reports.example.com{report.get_absolute_url()}" in got.body["markdown"]["content"]


def test_the_review_day_digest_reaches_the_teams_robot_with_the_managers_counts(receiver, team, rep, lead, tick):
    from tests.reminders.test_tick import submit

    robot_for(receiver, team, "wecom", events=[Robot.Event.DIGEST], language="en")
    submit(rep)
    tick(at(23, 9, 5))
    (got,) = receiver.of("wecom")
    content = got.body["markdown"]["content"]
    assert "review day for the week of 2026-11-16" in content
    assert "Waiting for review: 1" in content and "Missing: 0" in content
    assert "https://reports.example.com/reviews/" in content and "week=2026-11-16" in content


def test_the_teams_weekly_summary_reaches_its_robot_once_with_page_and_pdf(
    receiver, team, time_machine, django_capture_on_commit_callbacks
):
    from summaries.models import Document
    from summaries.signals import document_ready

    time_machine.move_to(at(21, 10, 5), tick=False)
    robot_for(receiver, team, "feishu", events=[Robot.Event.SUMMARY])
    for language in ("zh-hans", "en"):  # the same week's summary asked for in two languages
        document = Document.objects.create(
            kind=Document.Kind.TEAM_WEEK, team=team, period_start=WEEK, language=language, content_key=language
        )
        with django_capture_on_commit_callbacks(execute=True):
            document_ready.send(sender=Document, document=document)
    (got,) = receiver.of("feishu")
    card = got.body["card"]
    assert "2026-11-16" in card["header"]["title"]["content"]
    content = card["elements"][0]["content"]
    assert f"https://reports.example.com/teams/{team.pk}/week/?week=2026-11-16" in content
    assert "https://reports.example.com/documents/" in content and "/download/" in content
