"""The cast of tests/conftest.py with one object of every kind in `team`, built once per test module
for the data-driven suites (the access matrix, CSRF, headers, data safety, downloads, the API's
matrix), which ask the same world a question per URL and role: about 1,800 tests.

A module opts in with `world.used_by(globals())`, which puts this module's fixtures in its place:
the cast's own fixtures (`team`, `rep`, …) as well as `cast` and `objects`, since the world's
people already exist while the module runs. The world is built in a transaction that is rolled
back when the module ends; each test runs in its own savepoint inside it (pytest-django's `db`), so
what one test changes never reaches the next. Each test gets fresh instances (read again by primary
key) and its own copy of the world's files in its own MEDIA_ROOT; `cast.log_in(client, role)` signs
a test client in with a session the world opened once per role.
"""

import datetime
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from teams.models import Membership, Team, User
from tests.factories import TeamFactory, UserFactory, member_of

# name: (team name, kind, parent)
TEAMS = {
    "company": ("Acme Sales", Team.Kind.COMPANY, None),
    "east": ("East", Team.Kind.REGION, "company"),
    "west": ("West", Team.Kind.REGION, "company"),
    "team": ("Shanghai 1", Team.Kind.TEAM, "east"),
    "other_team": ("Guangzhou", Team.Kind.TEAM, "west"),
}
# username: (team, role, display name); `admin` is staff in no team.
PEOPLE = {
    "rep": ("team", Membership.Role.SALESPERSON, "张伟"),
    "other_rep": ("team", Membership.Role.SALESPERSON, "王芳"),
    "lead": ("team", Membership.Role.MANAGER, "李经理"),
    "director": ("company", Membership.Role.DIRECTOR, "赵总监"),
    "outsider": ("other_team", Membership.Role.SALESPERSON, "刘洋"),
    "other_lead": ("other_team", Membership.Role.MANAGER, "陈经理"),
}
ADMIN = {"username": "admin", "display_name": "管理员", "is_staff": True, "is_superuser": True}


def make_team(name: str, parent: Team | None) -> Team:
    team_name, kind, _ = TEAMS[name]
    return TeamFactory(name=team_name, kind=kind, parent=parent)


def make_person(username: str, team: Team) -> User:
    _, role, display_name = PEOPLE[username]
    return member_of(team, role, display_name=display_name, username=username)


def make_admin() -> User:
    return UserFactory(**ADMIN)


def isolated_settings(media_root: Path) -> dict:
    """What every test runs with (tests/conftest.py's `_fast_and_isolated`)."""
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "MEDIA_ROOT": str(media_root),
        # Each test its own empty cache: rolled-back rows reuse primary keys, so values cached by one
        # test (keyed by team) must not reach the next; and never the Redis the broker uses.
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}},
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


def eager_celery() -> None:
    from salesreports.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


def build_objects(people: dict) -> dict:
    """One of every kind of object the project's URLs are about, in `team` (rep's, mostly): their
    primary keys (and the other URL arguments) by the names the access matrix uses."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.services import create_token
    from customers.models import Activity, LogImport
    from customers.services import create_customer, log_activity
    from integrations.models import Delivery, Robot, Subscription
    from notifications.models import Notification
    from periodsummaries import services as period_services
    from periodsummaries.models import SummaryConflict
    from pipeline import services as pipeline_services
    from pipeline.models import OpportunityImport, Stage
    from planning import services as planning_services
    from reports import services as report_services
    from reports.models import KPI, DayOff, DraftConflict, ProblemCategory
    from reviews.services import add_comment
    from sso.models import Identity
    from summaries.models import Document
    from teams.models import Leave
    from tests.factories import MemberImportFactory
    from tests.periodsummaries.test_services import complete
    from tests.reports.test_services import fill

    team, rep, other_rep, lead, admin = (people[k] for k in ("team", "rep", "other_rep", "lead", "admin"))
    report = report_services.open_report(author=rep)
    draft_plan = planning_services.start_plan(actor=lead, team=team, kpi=KPI.objects.first(), year=2030)
    plan = planning_services.start_plan(actor=lead, team=team, kpi=KPI.objects.first(), year=2031)
    planning_services.propose_plan(actor=lead, plan=plan)
    last_week = report_services.open_report(author=rep, week_start=report.week_start - datetime.timedelta(days=7))
    submitted = report_services.submit_report(report=fill(last_week), by=rep)
    comment, _ = add_comment(report=submitted, author=rep, body="请经理看一下")
    document = Document.objects.create(
        kind=Document.Kind.REPORT, report=submitted, language="en", content_key="test", status=Document.Status.DONE
    )
    document.file.save("test.pdf", ContentFile(b"%PDF-1.4 test"))
    customer = create_customer(actor=rep, owner=rep, name="华为技术有限公司")
    activity = log_activity(
        author=rep, customer=customer, occurred_on=report.week_start, kind=Activity.Kind.VISIT, outcome="确认需求"
    )
    period_draft = period_services.open_summary(author=rep, level="member", period="month", day=report.week_start)
    period_submitted = period_services.submit_summary(
        summary=complete(
            period_services.open_summary(author=rep, level="member", period="quarter", day=report.week_start)
        ),
        by=rep,
    )
    pipeline_services.ensure_default_stages()
    opportunity = pipeline_services.create_opportunity(
        actor=rep,
        customer=customer,
        name="核心网升级",
        amount=100000,
        stage=Stage.objects.first(),
        expected_close_on=report.week_start + datetime.timedelta(days=30),
    )
    log_import = LogImport.objects.create(
        kind=LogImport.Kind.CUSTOMERS, uploaded_by=rep, original_name="customers.csv", file="imports/x.csv"
    )
    # Port 9 (discard) on loopback: a test message fails at once, with nothing listening.
    robot = Robot.objects.create(team=team, name="群", platform="wecom", url="http://127.0.0.1:9/?key=x", events=[])
    subscription = Subscription.objects.create(name="CRM", url="http://127.0.0.1:9/hook", secret="whsec_x")
    now = datetime.datetime(2030, 1, 2, tzinfo=datetime.UTC)
    return {
        "robot": robot.pk,
        "subscription": subscription.pk,
        "delivery": Delivery.objects.create(robot=robot, event="x", key="x", next_attempt_at=now).pk,
        "webhook_delivery": Delivery.objects.create(
            subscription=subscription, event="x", key="x", next_attempt_at=now
        ).pk,
        "period_summary": period_draft.pk,
        "submitted_period_summary": period_submitted.pk,
        "period_conflict": SummaryConflict.objects.create(
            summary=period_draft, user=rep, base_version=0, data={"overview": "x"}
        ).pk,
        "customer": customer.pk,
        "activity": activity.pk,
        "opportunity": opportunity.pk,
        "opportunity_import": OpportunityImport.objects.create(
            uploaded_by=rep, original_name="o.csv", file="imports/o.csv", rows=[]
        ).pk,
        "file_format": "csv",
        "log_import": log_import.pk,
        "kind": LogImport.Kind.CUSTOMERS.value,
        "document": document.pk,
        "day_off": DayOff.objects.create(team=team, on=datetime.date(2030, 1, 2), name="x").pk,
        "leave": Leave.objects.create(
            member=rep, starts_on=datetime.date(2030, 1, 2), ends_on=datetime.date(2030, 1, 3)
        ).pk,
        "submitted_report": submitted.pk,
        "comment": comment.pk,
        "notification": Notification.objects.create(
            recipient=rep,
            kind=Notification.Kind.FEEDBACK,
            event="test",
            report=submitted,
            url=submitted.get_absolute_url(),
        ).pk,
        "team": team.pk,
        "plan": plan.pk,
        "draft_plan": draft_plan.pk,
        "kpi": KPI.objects.first().pk,
        "problem_category": ProblemCategory.objects.first().pk,
        "template": report_services.default_template().pk,
        "report": report.pk,
        "conflict": DraftConflict.objects.create(report=report, user=rep, base_version=0, data={"summary": "x"}).pk,
        "attachment": report_services.add_attachment(
            report=report, uploaded_by=rep, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
        ).pk,
        "teammate": other_rep.pk,
        "identity": Identity.objects.create(user=other_rep, provider="oidc", subject="teammate").pk,
        "provider": "oidc",
        "member_import": MemberImportFactory(uploaded_by=admin).pk,
        "api_token": create_token(user=rep, name="CRM", days=30, can_write=False).token.pk,
        "uid": "MQ",
        "token": "set-password",
    }


ROLES = ("rep", "outsider", "lead", "other_lead", "director", "admin")  # the access matrix's, signed in


@dataclass(frozen=True)
class World:
    pks: dict[str, int]  # the cast's teams and people
    objects: dict
    media: Path
    sessions: dict[str, str]  # a signed-in session of each role's, by role


class Cast(Mapping):
    """The cast's people by role (read when first asked for), and `log_in`, which hands a test
    client the session the world signed in for a role, as `force_login` would have made it."""

    def __init__(self, world: World):
        self._world = world
        self._people: dict[str, User] = {}

    def __getitem__(self, role: str) -> User:
        if role not in ROLES:
            raise KeyError(role)
        if role not in self._people:
            self._people[role] = User.objects.get(pk=self._world.pks[role])
        return self._people[role]

    def __iter__(self):
        return iter(ROLES)

    def __len__(self) -> int:
        return len(ROLES)

    def log_in(self, client: Client, role: str) -> None:
        client.cookies[settings.SESSION_COOKIE_NAME] = self._world.sessions[role]


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.core.cache import cache

    media = tmp_path_factory.mktemp("world-media")
    eager_celery()
    with django_db_blocker.unblock(), override_settings(**isolated_settings(media)), transaction.atomic():
        cache.clear()
        made: dict = {}
        for name, (_, _, parent) in TEAMS.items():
            made[name] = make_team(name, made[parent] if parent else None)
        for username, (team, _, _) in PEOPLE.items():
            made[username] = make_person(username, made[team])
        made["admin"] = make_admin()
        objects = build_objects(made)
        sessions = {}
        for role in ROLES:
            client = Client()
            client.force_login(made[role])
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        cache.clear()
        yield World(
            pks={name: thing.pk for name, thing in made.items()}, objects=objects, media=media, sessions=sessions
        )
        transaction.set_rollback(True)


@pytest.fixture
def objects(_world, db, _fast_and_isolated, settings):
    shutil.copytree(_world.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return dict(_world.objects)


def _team_fixture(name: str):
    @pytest.fixture(name=name)
    def fixture(_world, db):
        return Team.objects.get(pk=_world.pks[name])

    return fixture


def _person_fixture(name: str):
    @pytest.fixture(name=name)
    def fixture(_world, db):
        return User.objects.get(pk=_world.pks[name])

    return fixture


company, east, west, team, other_team = (_team_fixture(name) for name in TEAMS)
rep, other_rep, lead, director, outsider, other_lead = (_person_fixture(name) for name in PEOPLE)
admin = _person_fixture("admin")


@pytest.fixture
def cast(_world, db) -> Cast:
    return Cast(_world)


FIXTURES = ("_world", "objects", "cast", *TEAMS, *PEOPLE, "admin")


def used_by(module_globals: dict) -> None:
    """Give a test module the world's fixtures in place of tests/conftest.py's cast."""
    module_globals.update({name: globals()[name] for name in FIXTURES})
