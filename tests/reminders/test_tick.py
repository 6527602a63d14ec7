"""The reminder tick: who is reminded of what and when, in each team's time zone and working
calendar, and that every reminder goes out exactly once."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import translation

from notifications.models import Notification
from reminders import services
from reminders.models import Reminder
from reports import services as report_services
from reports.calendar import WorkCalendar, calendar_for, effective_deadline, is_covered, is_provisional
from reports.models import DayOff, TeamSettings, WeeklyReport
from reviews import services as review_services
from teams.models import Leave, User
from tests.reports.test_services import fill

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = datetime.date(2026, 11, 16)  # deadline Friday 2026-11-20 18:00 Shanghai, review Monday 11-23


def at(year, month, day, hour, minute=0, zone=SHANGHAI) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def tick(when: datetime.datetime) -> services.TickResult:
    return services.run_tick(now=when)


def kinds(user: User) -> list[str]:
    return sorted(Reminder.objects.filter(recipient=user).values_list("kind", flat=True))


def submit(author, week=WEEK, when=None):
    report = fill(report_services.open_report(author=author, week_start=week))
    return report_services.submit_report(report=report, by=author, at=when or at(2026, 11, 20, 12))


# When reminders are due --------------------------------------------------------------------------


def test_nothing_is_due_before_the_first_reminder_time(rep):
    assert tick(at(2026, 11, 19, 17, 59)).sent == 0
    assert kinds(rep) == []


def test_the_day_before_the_deadline_brings_the_24_hour_reminder(rep, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tick(at(2026, 11, 19, 18, 5))
    assert kinds(rep) == ["due:24"]
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == Notification.Kind.DUE_SOON
    assert "2026-11-20 18:00" in notification.title
    assert [m.to for m in mailoutbox] == [[rep.email]]


def test_two_hours_before_and_after_the_deadline_come_the_next_reminders(rep):
    tick(at(2026, 11, 20, 16, 1))
    tick(at(2026, 11, 20, 19, 1))  # 60 minutes after the deadline
    assert kinds(rep) == ["due:2", "overdue"]


def test_a_reminder_whose_moment_passed_long_ago_is_not_sent_at_night(rep):
    tick(at(2026, 11, 20, 2, 0))  # 24-hour reminder was due the evening before, 8 hours ago
    assert kinds(rep) == []


def test_times_are_counted_in_the_teams_own_time_zone(rep, team):
    TeamSettings.objects.create(team=team, time_zone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    tick(at(2026, 11, 19, 18, 5))  # Shanghai evening = New York morning: nothing yet
    assert kinds(rep) == []
    tick(at(2026, 11, 19, 18, 5, zone=new_york))
    assert kinds(rep) == ["due:24"]


def test_people_who_submitted_are_on_leave_or_left_are_not_reminded(team, rep, other_rep):
    from tests.factories import member_of

    submit(rep)
    away = member_of(team, username="away")
    Leave.objects.create(
        member=away, starts_on=datetime.date(2026, 11, 19), ends_on=datetime.date(2026, 11, 21), status="approved"
    )
    member_of(team, username="on_leave", status=User.Status.ON_LEAVE)
    member_of(team, username="gone", status=User.Status.LEFT)
    tick(at(2026, 11, 19, 18, 5))
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {"other_rep"}


# The working calendar ---------------------------------------------------------------------------


def test_a_deadline_on_a_public_holiday_moves_to_the_previous_working_day():
    # National Day 2026: Thursday 1 – Wednesday 7 October are off; Friday 2 October is the deadline.
    deadline = effective_deadline(TeamSettings(time_zone="Asia/Shanghai"), datetime.date(2026, 9, 28), WorkCalendar())
    assert deadline == at(2026, 9, 30, 18)


def test_make_up_working_days_count_as_working_days():
    calendar = WorkCalendar()
    assert calendar.is_working_day(datetime.date(2026, 10, 10))  # Saturday, 补班
    assert not calendar.is_working_day(datetime.date(2026, 10, 5))  # Monday, holiday
    assert not calendar.is_working_day(datetime.date(2026, 10, 11))  # an ordinary Sunday


def test_the_moved_deadline_drives_the_reminders_and_the_late_flag(rep):
    week = datetime.date(2026, 9, 28)
    tick(at(2026, 9, 29, 18, 5))  # 24 h before Wednesday 18:00
    assert kinds(rep) == ["due:24"]
    report = submit(rep, week=week, when=at(2026, 9, 30, 20))
    assert report.late_by == datetime.timedelta(hours=2)


def test_no_reminders_on_a_public_holiday(rep, team):
    # A Thursday deadline in the week after National Day; 48 hours before is Tuesday 6 October.
    TeamSettings.objects.create(team=team, deadline_weekday=3, reminder_hours="48")
    tick(at(2026, 10, 6, 18, 5))
    assert kinds(rep) == []
    tick(at(2026, 11, 17, 18, 5))  # the same moment of an ordinary week
    assert kinds(rep) == ["due:48"]


def test_a_week_that_is_entirely_off_expects_no_report(rep):
    week = datetime.date(2026, 2, 16)  # Spring Festival 2026
    assert effective_deadline(TeamSettings(time_zone="Asia/Shanghai"), week, WorkCalendar()) is None
    assert tick(at(2026, 2, 19, 18, 5)).sent == 0
    assert report_services.lateness(TeamSettings(time_zone="Asia/Shanghai"), week, at(2026, 3, 1, 9)) is None


def test_a_year_the_holiday_package_does_not_cover_uses_its_computed_holidays_provisionally(rep, team):
    assert not is_covered(2027)
    calendar = calendar_for(team)
    # The Spring Festival of 2027 (5 to 10 February, computed by the lunar calendar) is off.
    assert is_provisional(datetime.date(2027, 2, 8)) and not calendar.is_working_day(datetime.date(2027, 2, 8))
    assert calendar.is_working_day(datetime.date(2027, 2, 11))
    # The week of 1 February: Friday the 5th is New Year's Eve, so the deadline moves to Thursday.
    deadline = effective_deadline(TeamSettings(time_zone="Asia/Shanghai"), datetime.date(2027, 2, 1), calendar)
    assert deadline.astimezone(SHANGHAI).date() == datetime.date(2027, 2, 4)
    # Thursday 11 February is a working day: its reminder goes out, and nothing crashes.
    tick(at(2027, 2, 11, 18, 5))
    assert kinds(rep) == ["due:24"]
    # An admin enters a day off for the team: the next week's same moment is quiet.
    DayOff.objects.create(team=team, on=datetime.date(2027, 2, 18), name="春节（补录）")
    tick(at(2027, 2, 18, 18, 5))
    assert kinds(rep) == ["due:24"]


def test_a_make_up_working_day_is_worked_even_on_a_weekend_or_holiday(team):
    sunday, holiday = datetime.date(2027, 2, 14), datetime.date(2027, 2, 10)
    assert not calendar_for(team).is_working_day(sunday)
    DayOff.objects.create(team=None, on=sunday, name="春节调休", is_working_day=True)
    DayOff.objects.create(team=team, on=holiday, name="值班", is_working_day=True)
    calendar = calendar_for(team)
    assert calendar.is_working_day(sunday) and calendar.is_working_day(holiday)


def test_admins_are_told_once_in_the_fourth_quarter_when_next_years_schedule_is_unknown(admin, rep):
    tick(at(2026, 9, 30, 12))
    assert not Notification.objects.filter(kind=Notification.Kind.HOLIDAYS).exists()  # not before October
    tick(at(2026, 10, 8, 9))
    tick(at(2026, 10, 8, 9, 5))
    told = Notification.objects.get(kind=Notification.Kind.HOLIDAYS)
    with translation.override("en"):  # the title is in the reader's language, whatever ran before
        assert told.recipient == admin and "2027" in told.title and "provisional" in told.title
    assert not Notification.objects.filter(recipient=rep, kind=Notification.Kind.HOLIDAYS).exists()


def test_company_days_off_apply_to_every_team(rep, outsider):
    DayOff.objects.create(team=None, on=datetime.date(2026, 11, 19), name="公司年会")
    tick(at(2026, 11, 19, 18, 5))
    assert Reminder.objects.count() == 0


# The managers' review day ---------------------------------------------------------------------------


def test_the_manager_gets_a_digest_in_the_morning_of_review_day(rep, other_rep, lead):
    submit(rep)
    submit(other_rep, when=at(2026, 11, 21, 9))  # late
    tick(at(2026, 11, 23, 9, 5))
    digest = Notification.objects.get(recipient=lead, kind=Notification.Kind.REVIEW_DIGEST)
    assert digest.data | {"awaiting": 2, "late": 1, "missing": 0} == digest.data
    assert "?week=2026-11-16" in digest.url


def test_pending_reviews_bring_an_afternoon_nudge_and_none_once_reviewed(rep, other_rep, lead):
    first, second = submit(rep), submit(other_rep)
    review_services.mark_reviewed(report=first, reviewer=lead, praise="好")
    tick(at(2026, 11, 23, 15, 5))
    assert Notification.objects.get(recipient=lead, kind=Notification.Kind.REVIEWS_PENDING).data["pending"] == 1
    review_services.mark_reviewed(report=second, reviewer=lead, praise="好")
    Reminder.objects.all().delete()
    tick(at(2026, 11, 23, 15, 10))
    assert not Reminder.objects.filter(kind="pending").exists()


def test_the_quarterly_profile_check_waits_for_the_first_working_day(rep, director):
    tick(at(2026, 10, 5, 10, 30))  # National Day holidays
    assert not Reminder.objects.filter(kind="profile").exists()
    tick(at(2026, 10, 8, 10, 30))  # the first working day of the quarter
    tick(at(2026, 10, 9, 11, 0))
    assert set(Reminder.objects.filter(kind="profile").values_list("recipient__username", flat=True)) >= {
        "rep",
        "director",
    }
    assert Notification.objects.filter(recipient=rep, kind=Notification.Kind.PROFILE_CHECK).count() == 1


# Exactly once -------------------------------------------------------------------------------------


def test_running_the_tick_twice_sends_each_reminder_once(rep, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tick(at(2026, 11, 19, 18, 5))
        second = tick(at(2026, 11, 19, 18, 10))
    assert (first.sent, second.sent) == (1, 0)
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert len(mailoutbox) == 1


def test_a_claim_left_by_a_dead_tick_is_taken_over_after_the_timeout(rep):
    when = at(2026, 11, 19, 18, 5)
    services.claim(services.due_reminders(when), when)  # the tick died before delivering
    assert tick(when + datetime.timedelta(minutes=5)).sent == 0  # still someone else's
    assert tick(when + services.CLAIM_TIMEOUT + datetime.timedelta(minutes=1)).sent == 1
    reminder = Reminder.objects.get(recipient=rep)
    assert reminder.status == Reminder.Status.SENT
    assert Notification.objects.filter(recipient=rep).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers, so the race only exists on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_the_same_moment_send_each_reminder_once(team, other_rep, rep):
    from tests.factories import member_of

    for i in range(20):
        member_of(team, username=f"member{i}")
    when = at(2026, 11, 19, 18, 5)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(tick(when).sent)
        except Exception as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 22
    assert Reminder.objects.count() == 22
    assert Notification.objects.filter(kind=Notification.Kind.DUE_SOON).count() == 22


@pytest.mark.parametrize("size", [5, 50])
def test_the_tick_uses_the_same_number_of_queries_for_any_number_of_members(team, size, django_assert_max_num_queries):
    from tests.factories import member_of

    for i in range(size):
        member_of(team, username=f"member{i}")
    # Read: teams, calendars, days off, memberships, leave, reports. Claim: insert, take over stale.
    # Deliver: lock the claims, email choices, insert and read back notifications, mark sent.
    # In the fourth quarter: whether the admins were told next year's holidays are provisional,
    # and the admins to tell.
    with django_assert_max_num_queries(22):
        assert tick(at(2026, 11, 19, 18, 5)).sent == size


def test_an_unsubmitted_week_still_gets_its_overdue_reminder_in_the_following_week(rep, team):
    # A Monday 10:00 deadline (the week's first day) falls in the next calendar week.
    TeamSettings.objects.create(team=team, deadline_weekday=0, deadline_time=datetime.time(10, 0))
    tick(at(2026, 11, 23, 11, 5))
    assert Reminder.objects.get(recipient=rep).period_start == WEEK
    assert WeeklyReport.objects.count() == 0
