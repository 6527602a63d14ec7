import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from teams import access, services
from teams.models import Membership, Team
from tests.factories import TeamFactory, member_of


def build_chain(root: Team, depth: int) -> list[Team]:
    """A line of `depth` teams below `root`, each with one salesperson."""
    chain, parent = [], root
    for level in range(depth):
        parent = TeamFactory(name=f"Level {level}", parent=parent)
        member_of(parent)
        chain.append(parent)
    return chain


def test_new_team_path_and_depth_follow_its_parent(team, east, company):
    assert team.depth == 2
    assert team.ancestor_ids == [company.pk, east.pk]
    assert team.is_inside(company) and not company.is_inside(team)


def test_sibling_names_must_differ(east, team):
    with pytest.raises(ValidationError) as exc:
        services.create_team(actor=None, name="shanghai 1", kind=Team.Kind.TEAM, parent=east)
    assert "name" in exc.value.message_dict


def test_moving_a_team_moves_its_whole_subtree(company, east, west, team, admin):
    child = TeamFactory(name="Pudong", parent=team)
    grandchild = TeamFactory(name="Pudong North", parent=child)

    services.update_team(actor=admin, team=team, name=team.name, kind=team.kind, parent=west)

    for t in (team, child, grandchild):
        t.refresh_from_db()
    assert team.parent == west
    assert grandchild.is_inside(west) and not grandchild.is_inside(east)
    assert (team.depth, child.depth, grandchild.depth) == (2, 3, 4)
    assert grandchild.ancestor_ids == [company.pk, west.pk, team.pk, child.pk]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MOVED)
    assert entry.actor == admin and entry.changes["parent"] == ["East", "West"]


def test_a_team_cannot_move_inside_itself(team, east):
    child = TeamFactory(name="Pudong", parent=team)
    with pytest.raises(ValidationError):
        services.update_team(actor=None, team=east, name=east.name, kind=east.kind, parent=child)
    east.refresh_from_db()
    assert east.depth == 1


def test_moving_a_team_changes_who_manages_its_members(team, west, rep, lead, other_lead):
    services.update_team(actor=None, team=team, name=team.name, kind=team.kind, parent=west)
    west_manager = member_of(west, Membership.Role.MANAGER)
    assert rep in access.visible_members(west_manager)


@pytest.mark.parametrize("depth", [2, 8])
def test_subtree_queries_do_not_grow_with_depth(company, director, depth, django_assert_max_num_queries):
    build_chain(company, depth)
    director._access_scope = None
    with django_assert_max_num_queries(2):
        members = list(access.visible_members(director))
    assert len(members) == depth + 1  # the chain's salespeople and the director
    with django_assert_max_num_queries(1):
        assert len(list(access.visible_teams(director))) == depth + 1


@pytest.mark.parametrize("depth", [2, 8])
def test_team_tree_page_queries_do_not_grow_with_depth(client, admin, company, depth, django_assert_num_queries):
    build_chain(company, depth)
    client.force_login(admin)
    # session, user, scope, teams with counts, managers
    with django_assert_num_queries(7):  # 5 + the two nav badges
        response = client.get(reverse("teams:team_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/teams/') >= depth


def test_admin_creates_a_team_from_the_form(client, admin, east):
    client.force_login(admin)
    response = client.post(reverse("teams:team_create"), {"name": "Hangzhou", "kind": "team", "parent": east.pk})
    created = Team.objects.get(name="Hangzhou")
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert created.parent == east
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=created.pk).exists()


def test_duplicate_team_name_is_shown_next_to_the_field_and_kept(client, admin, east, team):
    client.force_login(admin)
    response = client.post(reverse("teams:team_create"), {"name": "Shanghai 1", "kind": "team", "parent": east.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert 'value="Shanghai 1"' in response.content.decode()
    assert Team.objects.filter(name="Shanghai 1").count() == 1


def test_edit_form_refuses_moving_into_own_subtree(client, admin, east, team):
    client.force_login(admin)
    response = client.post(
        reverse("teams:team_edit", args=[east.pk]), {"name": "East", "kind": "region", "parent": team.pk}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    east.refresh_from_db()
    assert east.parent.name == "Acme Sales"
