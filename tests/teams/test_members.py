import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from teams import access, services
from teams.models import Membership, User


def test_admin_adds_a_member_who_gets_an_invitation(client, admin, team, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("teams:member_create"),
            {
                "display_name": "孙丽",
                "email": "Sun.Li@Example.com",
                "username": "",
                "position": "销售代表",
                "phone": "",
                "wechat": "",
                "hired_on": "2026-03-02",
                "language": "zh-hans",
                "team": team.pk,
                "role": Membership.Role.SALESPERSON,
                "send_invitation": "on",
            },
        )
    member = User.objects.get(display_name="孙丽")
    assert response.status_code == 302 and response.url == member.get_absolute_url()
    assert member.email == "sun.li@example.com" and member.username == "sun.li@example.com"
    assert not member.has_usable_password()
    membership = Membership.objects.active().get(user=member)
    assert (membership.team, membership.started_on) == (team, datetime.date(2026, 3, 2))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=member.pk, actor=admin).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sun.li@example.com"]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_email_already_used_is_reported_next_to_the_field(client, admin, team, rep):
    client.force_login(admin)
    response = client.post(
        reverse("teams:member_create"),
        {
            "display_name": "重复",
            "email": rep.email.upper(),
            "language": "zh-hans",
            "team": team.pk,
            "role": Membership.Role.SALESPERSON,
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert "重复" in response.content.decode()  # what was typed is kept
    assert not User.objects.filter(display_name="重复").exists()


def test_moving_a_member_keeps_their_history(admin, rep, team, other_team, lead, other_lead):
    services.move_member(
        actor=admin, member=rep, team=other_team, role=Membership.Role.SALESPERSON, on=datetime.date(2026, 9, 1)
    )
    old, new = Membership.objects.filter(user=rep).order_by("started_on")
    assert (old.team, old.ended_on) == (team, datetime.date(2026, 9, 1))
    assert (new.team, new.ended_on) == (other_team, None)
    assert rep in access.visible_members(other_lead)
    assert rep not in access.visible_members(lead)
    assert AuditEntry.objects.get(action=AuditEntry.Action.MOVED).changes["team"] == ["Shanghai 1", "Guangzhou"]


def test_promoting_to_manager_is_a_role_change_in_the_same_team(admin, rep, team):
    services.move_member(actor=admin, member=rep, team=team, role=Membership.Role.MANAGER)
    assert Membership.objects.active().get(user=rep).role == Membership.Role.MANAGER
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROLE_CHANGED, target_id=rep.pk).exists()


def test_a_team_can_have_several_managers(admin, rep, lead, team):
    services.move_member(actor=admin, member=rep, team=team, role=Membership.Role.MANAGER)
    managers = Membership.objects.active().filter(team=team, role=Membership.Role.MANAGER)
    assert {m.user for m in managers} == {rep, lead}


def test_moving_to_the_same_place_is_refused(admin, rep, team):
    with pytest.raises(ValidationError):
        services.move_member(actor=admin, member=rep, team=team, role=Membership.Role.SALESPERSON)
    assert Membership.objects.filter(user=rep).count() == 1


def test_member_who_left_keeps_history_and_stays_visible_to_their_manager(admin, rep, lead, team):
    services.change_status(actor=admin, member=rep, status=User.Status.LEFT, on=datetime.date(2026, 10, 31))
    rep.refresh_from_db()
    assert not rep.is_active and rep.left_on == datetime.date(2026, 10, 31)
    assert Membership.objects.get(user=rep).ended_on == datetime.date(2026, 10, 31)
    lead._access_scope = None
    assert rep in access.visible_members(lead)


def test_coming_back_after_leaving_needs_a_team(admin, rep, team):
    services.change_status(actor=admin, member=rep, status=User.Status.LEFT)
    with pytest.raises(ValidationError) as exc:
        services.change_status(actor=admin, member=rep, status=User.Status.ACTIVE)
    assert "team" in exc.value.message_dict
    services.change_status(actor=admin, member=rep, status=User.Status.ACTIVE, team=team)
    rep.refresh_from_db()
    assert rep.is_active and Membership.objects.active().get(user=rep).team == team
    assert Membership.objects.filter(user=rep).count() == 2


def test_status_form_keeps_input_on_error(client, admin, rep):
    client.force_login(admin)
    response = client.post(reverse("teams:member_status", args=[rep.pk]), {"status": "active", "on": "2026-11-02"})
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert 'value="2026-11-02"' in response.content.decode()


def test_manager_cannot_change_a_profile(client, lead, rep):
    client.force_login(lead)
    response = client.post(reverse("teams:member_edit", args=[rep.pk]), {"display_name": "Hacked"})
    assert response.status_code == 403
    rep.refresh_from_db()
    assert rep.display_name == "张伟"


def test_profile_changes_are_audited_with_old_and_new_values(client, admin, rep):
    client.force_login(admin)
    response = client.post(
        reverse("teams:member_edit", args=[rep.pk]),
        {
            "display_name": "张伟",
            "email": rep.email,
            "position": "大客户经理",
            "phone": "13800000000",
            "wechat": "",
            "hired_on": "",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATED, target_id=rep.pk)
    assert entry.changes["position"] == ["", "大客户经理"]
    assert entry.actor == admin
    audit_page = client.get(reverse("audit:list")).content.decode()
    assert "大客户经理" in audit_page


def test_member_list_shows_current_team_with_bounded_queries(
    client, lead, rep, other_rep, team, django_assert_max_num_queries
):
    client.force_login(lead)
    with django_assert_max_num_queries(9):  # 8 + the unread-notifications badge
        response = client.get(reverse("teams:member_list"))
    page = response.content.decode()
    assert "张伟" in page and "王芳" in page and "Shanghai 1" in page


def test_member_list_search(client, admin, rep, other_rep):
    client.force_login(admin)
    page = client.get(reverse("teams:member_list"), {"q": "王"}).content.decode()
    assert "王芳" in page and "张伟" not in page
