from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from audit.models import AuditEntry
from teams import access
from teams.models import Membership, Team, User
from tests import demo_data


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    # The demo as seed_demo leaves it (tests/demo_data.py: seeded once per test process), for the
    # module in a transaction rolled back at its end; each test rolls its own changes back.
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield demo_data.seed()
            transaction.set_rollback(True)
        demo_data.forget_cached_rows()


@pytest.fixture
def demo(_demo, db) -> str:
    return _demo


def counts() -> dict[str, int]:
    """Rows of every model: reports, summaries, customers, pipelines and the rest, not only people."""
    return {model._meta.label: model.objects.count() for model in apps.get_models(include_auto_created=True)}


def test_seeding_twice_changes_nothing(demo):
    before = counts()
    passwords = dict(User.objects.values_list("username", "password"))

    output = seed()

    assert counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "nothing was created" in output


def test_tree_is_one_company_two_regions_four_teams(demo):
    company = Team.objects.get(kind=Team.Kind.COMPANY)
    assert company.name == "星辰科技销售公司" and company.parent is None
    regions = Team.objects.filter(kind=Team.Kind.REGION)
    assert {r.name for r in regions} == {"华东大区", "华南大区"}
    assert all(r.parent_id == company.pk for r in regions)
    teams = Team.objects.filter(kind=Team.Kind.TEAM)
    assert teams.count() == 4
    assert all(t.depth == 2 and t.is_inside(t.parent) for t in teams)
    assert Team.objects.get(name="上海一组").parent.name == "华东大区"


def test_every_team_has_one_manager(demo):
    for team in Team.objects.filter(kind=Team.Kind.TEAM):
        managers = Membership.objects.active().filter(team=team, role=Membership.Role.MANAGER)
        assert managers.count() == 1, team


def test_about_25_salespeople_with_profiles(demo):
    salespeople = User.objects.filter(memberships__role=Membership.Role.SALESPERSON).distinct()
    assert 20 <= salespeople.count() <= 30
    for person in salespeople:
        assert person.email.endswith("@demo.example.com")
        assert person.phone.startswith("138") and len(person.phone) == 11
        assert person.position and person.hired_on


def test_director_sees_every_salesperson(demo):
    director = User.objects.get(memberships__role=Membership.Role.DIRECTOR)
    salespeople = User.objects.filter(memberships__role=Membership.Role.SALESPERSON).distinct()

    visible = access.visible_members(director)

    assert set(salespeople) <= set(visible)


def test_admin_can_log_in(demo, client):
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not admin.memberships.exists()
    assert admin.check_password("demo-2026")

    client.force_login(admin)

    assert client.get("/teams/").status_code == 200


def test_person_who_left_keeps_an_ended_membership(demo):
    leaver = User.objects.get(status=User.Status.LEFT)
    assert not leaver.is_active and leaver.left_on
    membership = leaver.memberships.get()
    assert membership.ended_on == leaver.left_on
    assert AuditEntry.objects.filter(target_id=leaver.pk, action=AuditEntry.Action.STATUS_CHANGED).exists()


def test_one_person_is_on_leave_and_one_moved_during_the_year(demo):
    assert User.objects.filter(status=User.Status.ON_LEAVE).count() == 1
    mover = User.objects.get(username="linfeng")
    old, new = mover.memberships.order_by("started_on")
    assert (old.team.name, new.team.name) == ("广州组", "深圳组")
    assert old.ended_on == new.started_on and new.is_current


def test_password_option_resets_every_demo_password(demo):
    seed("--password", "other-2026")

    assert all(u.check_password("other-2026") for u in User.objects.all())


def test_prints_the_demo_logins(demo):
    for text in ("admin", "zhaoming", "liqiang", "上海一组", 'share the password "demo-2026"'):
        assert text in demo
