"""The admins' reminder schedule with its days off, and each member's own leave."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reminders import services
from reminders.models import Reminder
from reports.models import DayOff, TeamSettings
from teams.models import Leave

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_schedule_shows_each_teams_reminder_times_in_its_time_zone(client, admin, team, time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 28, 9, tzinfo=SHANGHAI))
    TeamSettings.objects.create(team=team, reminder_hours="24,2")
    client.force_login(admin)
    page = client.get(reverse("reminders:schedule")).content.decode()
    row = page[page.index(f'data-team="{team.pk}"') :]
    row = row[: row.index("</tr>")]
    # National Day week: Friday's deadline moves to Wednesday 30 September.
    assert "09-30" in row and "18:00" in row and "moved off a day off" in row
    assert "09-29 18:00" in row and "09-30 16:00" in row  # 24 h and 2 h before


def test_admins_are_warned_about_a_year_without_the_official_holiday_schedule(client, admin, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    client.force_login(admin)
    page = client.get(reverse("reminders:schedule")).content.decode()
    assert 'data-uncovered="2027"' in page
    assert 'data-uncovered="2026"' not in page
    provisional = page[page.index("data-provisional") :]
    assert "02-06 Chinese New Year (Spring Festival)" in provisional[: provisional.index("</div>")]


def test_an_admin_enters_a_make_up_working_day(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("reminders:schedule"), {"on": "2026-12-27", "team": "", "name": "元旦调休", "is_working_day": "1"}
    )
    assert response.status_code == 302
    day = DayOff.objects.get()
    assert (day.on, day.is_working_day, day.team) == (datetime.date(2026, 12, 27), True, None)
    page = client.get(reverse("reminders:schedule")).content.decode()
    assert "元旦调休" in page and "data-working-day" in page


def test_an_admin_adds_and_removes_a_team_day_off(client, admin, team):
    client.force_login(admin)
    response = client.post(reverse("reminders:schedule"), {"on": "2026-12-31", "team": team.pk, "name": "年终盘点"})
    assert response.status_code == 302
    day_off = DayOff.objects.get()
    assert (day_off.team, day_off.on, day_off.name) == (team, datetime.date(2026, 12, 31), "年终盘点")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, actor=admin).exists()
    client.post(reverse("reminders:day_off_delete", args=[day_off.pk]))
    assert not DayOff.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETED, actor=admin).exists()


def test_the_same_day_off_twice_is_refused_with_a_message(client, admin):
    DayOff.objects.create(team=None, on=datetime.date(2026, 12, 31))
    client.force_login(admin)
    response = client.post(reverse("reminders:schedule"), {"on": "2026-12-31", "team": "", "name": "again"})
    assert response.status_code == 200
    assert "This day is already entered here." in response.content.decode()
    assert DayOff.objects.count() == 1


def test_a_bad_date_keeps_what_was_typed(client, admin):
    client.force_login(admin)
    response = client.post(reverse("reminders:schedule"), {"on": "2026-13-01", "team": "", "name": "年会"})
    assert response.status_code == 200
    assert response.context["form"].errors["on"]
    assert 'value="年会"' in response.content.decode()
    assert not DayOff.objects.exists()


def test_a_member_records_leave_and_gets_no_reminder_on_those_days(client, rep, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 9, tzinfo=SHANGHAI))
    client.force_login(rep)
    response = client.post(
        reverse("reminders:leave"), {"starts_on": "2026-11-19", "ends_on": "2026-11-20", "note": "年假"}
    )
    assert response.status_code == 302
    assert Leave.objects.get(member=rep).note == "年假"
    services.run_tick(datetime.datetime(2026, 11, 19, 18, 5, tzinfo=SHANGHAI))
    assert not Reminder.objects.filter(recipient=rep).exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "error"),
    [
        ("2026-11-20", "2026-11-19", "The leave cannot end before it starts."),
        ("2026-01-01", "2027-06-01", "Record at most one year of leave at a time."),
        ("2026-11-18", "2026-11-19", "This overlaps leave you have already recorded."),
    ],
)
def test_impossible_leave_is_refused_next_to_the_field(client, rep, starts_on, ends_on, error):
    Leave.objects.create(member=rep, starts_on=datetime.date(2026, 11, 17), ends_on=datetime.date(2026, 11, 18))
    client.force_login(rep)
    response = client.post(reverse("reminders:leave"), {"starts_on": starts_on, "ends_on": ends_on, "note": "病假"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'value="病假"' in response.content.decode()
    assert Leave.objects.count() == 1


def test_leave_that_has_started_cannot_be_removed_but_future_leave_can(client, rep, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 18, 9, tzinfo=SHANGHAI))
    started = Leave.objects.create(
        member=rep, starts_on=datetime.date(2026, 11, 17), ends_on=datetime.date(2026, 11, 19), status="approved"
    )
    future = Leave.objects.create(
        member=rep, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2026, 12, 2), status="approved"
    )
    client.force_login(rep)
    client.post(reverse("reminders:leave_delete", args=[started.pk]))
    client.post(reverse("reminders:leave_delete", args=[future.pk]))
    assert list(Leave.objects.all()) == [started]


def test_someone_on_leave_all_the_working_week_is_on_leave_not_missing_in_the_queue(client, lead, rep, other_rep):
    Leave.objects.create(
        member=rep, starts_on=datetime.date(2026, 11, 14), ends_on=datetime.date(2026, 11, 20), status="approved"
    )
    client.force_login(lead)
    response = client.get(reverse("reviews:queue"), {"week": "2026-11-16"})
    assert {entry.member for entry in response.context["groups"]["missing"]} == {other_rep}
    assert {entry.member for entry in response.context["groups"]["on_leave"]} == {rep}


def test_someone_on_leave_only_for_the_end_of_the_week_is_still_expected(client, lead, rep, other_rep):
    Leave.objects.create(
        member=rep, starts_on=datetime.date(2026, 11, 19), ends_on=datetime.date(2026, 11, 21), status="approved"
    )
    client.force_login(lead)
    response = client.get(reverse("reviews:queue"), {"week": "2026-11-16"})
    assert {entry.member for entry in response.context["groups"]["missing"]} == {rep, other_rep}


@pytest.mark.parametrize("teams", [1, 12])
def test_the_schedule_costs_the_same_for_any_number_of_teams(client, admin, east, teams, django_assert_max_num_queries):
    from tests.factories import TeamFactory

    for i in range(teams):
        TeamFactory(name=f"队{i}", parent=east)
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reminders:schedule")).status_code == 200
