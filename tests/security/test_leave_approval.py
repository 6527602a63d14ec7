"""Issue 16, finding 9: leave was self-declared without limits (three one-year leaves in a row and
a salesperson vanished from the missing list). Leave longer than LEAVE_APPROVAL_AFTER_DAYS, or
starting in the past, waits for the manager; only approved leave excuses a member; every change
is audited and the people concerned are told."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from notifications.models import Notification
from reminders import services
from reminders.models import Reminder
from reports import roster
from teams.models import Leave

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 10)  # a Tuesday
DEADLINE_DAY = datetime.date(2026, 11, 20)  # the Friday of the week of 2026-11-16


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 9, tzinfo=SHANGHAI))


def ask(client, person, starts_on, ends_on, note="年假"):
    client.force_login(person)
    return client.post(
        reverse("reminders:leave"),
        {"starts_on": f"{starts_on:%Y-%m-%d}", "ends_on": f"{ends_on:%Y-%m-%d}", "note": note},
    )


def audit_of(leave):
    return AuditEntry.objects.filter(target_type__model="leave", target_id=leave.pk)


def expected(week=DEADLINE_DAY - datetime.timedelta(days=4)) -> set:
    """Who the roster expects a report from for the week (the one roster every page counts with)."""
    excused = (roster.State.ON_LEAVE, roster.State.NOT_EXPECTED)
    return {e.member for e in roster.Roster(paths=None, weeks=[week]).entries if e.state not in excused}


def test_a_year_of_leave_waits_for_the_manager_and_the_member_stays_on_the_missing_list(client, rep, lead):
    response = ask(client, rep, TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=365))
    assert response.status_code == 302
    leave = Leave.objects.get(member=rep)
    assert leave.status == Leave.Status.PENDING
    assert rep in expected()  # not excused while pending
    [request] = Notification.objects.filter(recipient=lead, kind=Notification.Kind.LEAVE_REQUEST)
    assert "张伟" in request.title and "2027-11-10" in request.title
    assert audit_of(leave).filter(action=AuditEntry.Action.CREATED).exists()


def test_the_missing_list_in_the_review_queue_keeps_a_member_whose_leave_is_pending(client, rep, lead):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    client.force_login(lead)
    response = client.get(reverse("reviews:queue"), {"week": "2026-11-16"})
    groups = response.context["groups"]
    assert rep in {entry.member for entry in groups["not_yet_due"]}  # the deadline is on Friday
    assert rep not in {entry.member for entry in groups["on_leave"]}


def test_leave_starting_in_the_past_waits_for_the_manager(client, rep):
    ask(client, rep, TODAY - datetime.timedelta(days=3), TODAY)
    assert Leave.objects.get(member=rep).status == Leave.Status.PENDING


def test_short_leave_announced_ahead_is_approved_at_once_and_audited(client, rep, lead):
    ask(client, rep, datetime.date(2026, 11, 16), DEADLINE_DAY)  # the whole working week
    leave = Leave.objects.get(member=rep)
    assert leave.status == Leave.Status.APPROVED
    assert rep not in expected()
    assert not Notification.objects.filter(kind=Notification.Kind.LEAVE_REQUEST).exists()
    entry = audit_of(leave).get(action=AuditEntry.Action.CREATED)
    assert entry.actor == rep and entry.changes["status"] == [None, "approved"]


def test_the_length_that_needs_approval_is_a_setting(client, rep, settings):
    settings.LEAVE_APPROVAL_AFTER_DAYS = 3
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 11, 19))  # four days
    assert Leave.objects.get(member=rep).status == Leave.Status.PENDING


def test_the_manager_approves_on_the_team_leave_page_and_the_member_is_excused_and_told(client, rep, lead):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    leave = Leave.objects.get(member=rep)
    client.force_login(lead)
    page = client.get(reverse("reminders:team_leave"))
    assert page.status_code == 200 and "张伟" in page.text
    assert reverse("reminders:leave_approve", args=[leave.pk]) in page.text
    response = client.post(reverse("reminders:leave_approve", args=[leave.pk]))
    assert response.status_code == 302
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (Leave.Status.APPROVED, lead)
    assert rep not in expected()
    [answer] = Notification.objects.filter(recipient=rep, kind=Notification.Kind.LEAVE_DECIDED)
    assert "approved" in answer.title
    entry = audit_of(leave).get(action=AuditEntry.Action.STATUS_CHANGED)
    assert entry.actor == lead and entry.changes == {"status": ["pending", "approved"]}


def test_declined_leave_excuses_nothing_and_reminders_still_come(client, rep, lead):
    from reminders.services import run_tick

    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    leave = Leave.objects.get(member=rep)
    client.force_login(lead)
    client.post(reverse("reminders:leave_decline", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == Leave.Status.DECLINED
    assert rep in expected()
    assert "declined" in Notification.objects.get(recipient=rep, kind=Notification.Kind.LEAVE_DECIDED).title
    run_tick(datetime.datetime(2026, 11, 19, 18, 5, tzinfo=SHANGHAI))
    assert Reminder.objects.filter(recipient=rep).exists()


def test_pending_leave_does_not_silence_reminders(client, rep):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    services.run_tick(datetime.datetime(2026, 11, 19, 18, 5, tzinfo=SHANGHAI))
    assert Reminder.objects.filter(recipient=rep).exists()


def test_decided_leave_cannot_be_decided_again(client, rep, lead):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    leave = Leave.objects.get(member=rep)
    client.force_login(lead)
    client.post(reverse("reminders:leave_decline", args=[leave.pk]))
    response = client.post(reverse("reminders:leave_approve", args=[leave.pk]), follow=True)
    assert "This leave has already been decided." in response.text
    leave.refresh_from_db()
    assert leave.status == Leave.Status.DECLINED


@pytest.mark.parametrize(
    ("person", "status"), [("rep", 403), ("director", 403), ("other_lead", 404), ("outsider", 404)]
)
def test_only_the_members_manager_or_an_admin_decides(client, request, rep, person, status):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    leave = Leave.objects.get(member=rep)
    client.force_login(request.getfixturevalue(person))
    assert client.post(reverse("reminders:leave_approve", args=[leave.pk])).status_code == status
    leave.refresh_from_db()
    assert leave.status == Leave.Status.PENDING


def test_another_teams_manager_does_not_see_the_request(client, rep, other_lead):
    ask(client, rep, datetime.date(2026, 11, 16), datetime.date(2026, 12, 31))
    client.force_login(other_lead)
    assert "张伟" not in client.get(reverse("reminders:team_leave")).text


def test_removing_leave_is_audited(client, rep):
    ask(client, rep, datetime.date(2026, 11, 19), datetime.date(2026, 11, 20))
    leave = Leave.objects.get(member=rep)
    client.post(reverse("reminders:leave_delete", args=[leave.pk]))
    assert not Leave.objects.exists()
    entry = audit_of(leave).get(action=AuditEntry.Action.DELETED)
    assert entry.actor == rep and entry.changes["ends_on"] == ["2026-11-20", None]


def test_approving_leave_shows_on_the_dashboard_at_once(client, rep, lead, team, django_capture_on_commit_callbacks):
    ask(client, rep, datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))  # in the past: pending
    leave = Leave.objects.get(member=rep)

    def discipline():
        client.force_login(lead)
        response = client.get(reverse("insights:dashboard", args=[team.pk]), {"period": "week", "day": "2026-11-02"})
        return response.context["board"].discipline

    assert (discipline().missing, discipline().on_leave) == (1, 0)  # pending; the page is now cached
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reminders:leave_approve", args=[leave.pk]))
    assert (discipline().missing, discipline().on_leave) == (0, 1)
