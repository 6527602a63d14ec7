"""Nothing a user can do deletes a submitted report or its history: people who leave are marked as
left, and teams with history cannot be deleted (the admin says why). That no request in the access
matrix removes a submitted report, its revisions or its comments: test_posts_keep_history.py."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from audit.models import AuditEntry
from teams.models import Team, User
from tests.factories import TeamFactory, UserFactory


def test_the_database_refuses_to_delete_an_author_or_a_team_with_reports(objects, rep, team):
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=rep.pk).delete()
    with pytest.raises(ProtectedError):
        Team.objects.filter(pk=team.pk).delete()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_admin_refuses_to_delete_a_team_with_members_and_says_why(admin_client, team, rep):
    response = admin_client.get(reverse("admin:teams_team_delete", args=[team.pk]), follow=True)
    text = response.content.decode()
    assert "cannot be deleted" in text and "1 person has been a member of it." in text and "Deactivate" in text
    response = admin_client.post(reverse("admin:teams_team_delete", args=[team.pk]), {"post": "yes"}, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_admin_refuses_to_delete_a_region_with_teams_below(admin_client, east, team):
    response = admin_client.post(reverse("admin:teams_team_delete", args=[east.pk]), {"post": "yes"}, follow=True)
    assert "1 team lies below it." in response.content.decode()
    assert Team.objects.filter(pk=east.pk).exists()


def test_a_team_created_by_mistake_can_be_deleted_and_the_trail_says_who(admin_client, admin, company):
    typo = TeamFactory(name="Shanghia", parent=company)
    assert admin_client.get(reverse("admin:teams_team_delete", args=[typo.pk])).status_code == 200
    response = admin_client.post(reverse("admin:teams_team_delete", args=[typo.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Team.objects.filter(pk=typo.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED, target_id=typo.pk)
    assert entry.actor == admin and entry.target_repr == "Shanghia"


def test_the_admin_refuses_to_delete_people_with_history(admin_client, objects, rep, lead):
    for person in (rep, lead):
        response = admin_client.post(reverse("admin:teams_user_delete", args=[person.pk]), {"post": "yes"}, follow=True)
        assert "Mark them as left instead" in response.content.decode()
        assert User.objects.filter(pk=person.pk).exists()
    mistake = UserFactory(username="dup")
    assert admin_client.post(reverse("admin:teams_user_delete", args=[mistake.pk]), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=mistake.pk).exists()


def test_there_is_no_bulk_delete_of_teams_or_people(admin_client, team):
    for changelist in ("admin:teams_team_changelist", "admin:teams_user_changelist"):
        assert "delete_selected" not in admin_client.get(reverse(changelist)).content.decode()


def test_someone_who_leaves_keeps_their_reports_readable_by_their_manager(admin_client, client, objects, rep, lead):
    from datetime import date

    response = admin_client.post(
        reverse("teams:member_status", args=[rep.pk]), {"status": User.Status.LEFT, "on": date.today().isoformat()}
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.status == User.Status.LEFT and not rep.is_active
    client.force_login(lead)
    assert client.get(reverse("reports:detail", args=[objects["submitted_report"]])).status_code == 200
