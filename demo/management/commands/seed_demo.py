"""`python manage.py seed_demo`: a demo company to click through, built like real data.

Everything goes through teams.services, so tree paths, memberships and the audit trail look
exactly as if an admin had typed them in. Running it again creates nothing: teams are found by
name under their parent and people by username.

`--scale large` builds the benchmark's company instead (demo/large.py): about 1,000
salespeople in 40 teams with a year of reports, written with bulk inserts. It refuses to run
twice on the same database.
"""

import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from demo import large as demo_large
from demo import pipeline as pipeline_demo
from demo.customers import seed_sales_log
from demo.integrations import seed_robot
from demo.periodsummaries import seed_period_summaries
from demo.planning import seed_plans
from demo.reports import seed_reports
from teams import services
from teams.models import Membership, Team, User

DEFAULT_PASSWORD = "demo-2026"  # nosec B105 # the demo accounts' documented password
EMAIL_DOMAIN = "demo.example.com"

# Days before today on which the year's events happened, so the history is recent whenever the
# demo is built.
MOVED_DAYS_AGO = 150
LEFT_DAYS_AGO = 45
ON_LEAVE_DAYS_AGO = 20

SALES_REP = "销售代表"
SENIOR_REP = "高级销售代表"
KEY_ACCOUNTS = "大客户经理"

ROLE = Membership.Role
STATUS = User.Status


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    team: str
    position: str
    hired_on: date
    role: str = ROLE.SALESPERSON
    status: str = STATUS.ACTIVE
    moved_to: str = ""  # the team the person joined MOVED_DAYS_AGO


@dataclass(frozen=True)
class Admin:
    username: str
    name: str


@dataclass(frozen=True)
class DemoCompany:
    name: str
    regions: dict[str, list[str]]
    people: list[Person]
    admin: Admin
    # Salespeople listed with the admin, director and managers in the printed logins.
    featured: tuple[str, ...] = field(default=())


SMALL = DemoCompany(
    name="星辰科技销售公司",
    regions={"华东大区": ["上海一组", "杭州组"], "华南大区": ["广州组", "深圳组"]},
    admin=Admin("admin", "系统管理员"),
    featured=("zhangwei", "zhouxin", "hujie"),
    people=[
        Person("zhaoming", "赵明", "星辰科技销售公司", "销售总监", date(2015, 8, 3), role=ROLE.DIRECTOR),
        Person("liqiang", "李强", "上海一组", "销售经理", date(2016, 5, 3), role=ROLE.MANAGER),
        Person("xujing", "许静", "杭州组", "销售经理", date(2017, 2, 13), role=ROLE.MANAGER),
        Person("chenhui", "陈辉", "广州组", "销售经理", date(2016, 10, 10), role=ROLE.MANAGER),
        Person("luoxin", "罗欣", "深圳组", "销售经理", date(2018, 1, 15), role=ROLE.MANAGER),
        Person("zhangwei", "张伟", "上海一组", SENIOR_REP, date(2019, 4, 8)),
        Person("wangfang", "王芳", "上海一组", SALES_REP, date(2021, 7, 12)),
        Person("liuyang", "刘洋", "上海一组", KEY_ACCOUNTS, date(2017, 9, 4)),
        Person("chenjing", "陈静", "上海一组", SALES_REP, date(2022, 3, 1)),
        Person("yangmin", "杨敏", "上海一组", SALES_REP, date(2023, 2, 20), status=STATUS.ON_LEAVE),
        Person("zhaolei", "赵磊", "上海一组", SENIOR_REP, date(2020, 5, 18)),
        Person("huangyong", "黄勇", "上海一组", SALES_REP, date(2024, 3, 11)),
        Person("zhouxin", "周鑫", "杭州组", SENIOR_REP, date(2019, 11, 4)),
        Person("wuhao", "吴昊", "杭州组", SALES_REP, date(2022, 8, 15)),
        Person("xuli", "徐丽", "杭州组", KEY_ACCOUNTS, date(2018, 6, 25)),
        Person("sunqiang", "孙强", "杭州组", SALES_REP, date(2023, 4, 3), status=STATUS.LEFT),
        Person("majun", "马俊", "杭州组", SALES_REP, date(2021, 10, 18)),
        Person("zhuyan", "朱艳", "杭州组", SENIOR_REP, date(2020, 9, 7)),
        Person("hujie", "胡杰", "广州组", KEY_ACCOUNTS, date(2018, 3, 19)),
        Person("guoping", "郭萍", "广州组", SALES_REP, date(2022, 5, 9)),
        Person("heyu", "何宇", "广州组", SENIOR_REP, date(2020, 1, 6)),
        Person("linfeng", "林峰", "广州组", SALES_REP, date(2021, 4, 26), moved_to="深圳组"),
        Person("luotao", "罗涛", "广州组", SALES_REP, date(2023, 6, 19)),
        Person("gaoxiang", "高翔", "广州组", SENIOR_REP, date(2019, 8, 12)),
        Person("zhengshuang", "郑爽", "深圳组", SALES_REP, date(2022, 11, 14)),
        Person("liangchen", "梁晨", "深圳组", KEY_ACCOUNTS, date(2017, 12, 4)),
        Person("songjia", "宋佳", "深圳组", SALES_REP, date(2023, 9, 4)),
        Person("tangli", "唐莉", "深圳组", SENIOR_REP, date(2020, 7, 20)),
        Person("hanxue", "韩雪", "深圳组", SALES_REP, date(2024, 2, 26)),
        Person("fengkai", "冯凯", "深圳组", SALES_REP, date(2021, 12, 13)),
    ],
)

SCALES = {"small": SMALL}


def _phone(index: int) -> str:
    """A stable, realistic-looking mainland mobile number (138 prefix) for the index-th person."""
    return f"138{(index * 7_919_113 + 20_260_001) % 10**8:08d}"


def _email(username: str) -> str:
    return f"{username}@{EMAIL_DOMAIN}"


def _ensure_team(name: str, kind: str, parent: Team | None, created: list) -> Team:
    team = Team.objects.filter(parent=parent, name=name).first()
    if team is None:
        team = services.create_team(actor=None, name=name, kind=kind, parent=parent)
        created.append(team)
    return team


def _build_tree(company: DemoCompany, created: list) -> dict[str, Team]:
    """The company, its regions and their teams, by name (names are unique within the demo)."""
    root = _ensure_team(company.name, Team.Kind.COMPANY, None, created)
    teams = {root.name: root}
    for region_name, team_names in company.regions.items():
        region = _ensure_team(region_name, Team.Kind.REGION, root, created)
        teams[region.name] = region
        for team_name in team_names:
            teams[team_name] = _ensure_team(team_name, Team.Kind.TEAM, region, created)
    return teams


def _ensure_person(person: Person, index: int, teams: dict[str, Team], created: list) -> User:
    member = User.objects.filter(username__iexact=person.username).first()
    if member is None:
        member = services.add_member(
            actor=None,
            display_name=person.name,
            email=_email(person.username),
            team=teams[person.team],
            role=person.role,
            username=person.username,
            position=person.position,
            phone=_phone(index),
            hired_on=person.hired_on,
            send_invitation=False,
        )
        created.append(member)
    return member


def _apply_history(person: Person, member: User, teams: dict[str, Team], today: date) -> None:
    """Play the year's events (a move, a leave, a departure) unless they already happened."""
    if person.moved_to:
        current = services.current_membership(member)
        if current and current.team_id != teams[person.moved_to].pk:
            services.move_member(
                actor=None,
                member=member,
                team=teams[person.moved_to],
                role=person.role,
                on=today - timedelta(days=MOVED_DAYS_AGO),
            )
    if person.status != member.status:
        days_ago = LEFT_DAYS_AGO if person.status == STATUS.LEFT else ON_LEAVE_DAYS_AGO
        services.change_status(actor=None, member=member, status=person.status, on=today - timedelta(days=days_ago))


def _ensure_admin(admin: Admin, created: list) -> User:
    """The administrator is in no team, so there is no membership service to go through."""
    user = User.objects.filter(username__iexact=admin.username).first()
    if user is None:
        user = User(
            username=admin.username,
            email=_email(admin.username),
            display_name=admin.name,
            is_staff=True,
            is_superuser=True,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        record(actor=None, action=AuditEntry.Action.CREATED, target=user, changes={"is_staff": [None, True]})
        created.append(user)
    return user


def _set_password(users: list[User], password: str) -> None:
    """Give every demo user `password`, rewriting no row that already has it.

    Hashing is slow on purpose (about a third of a second), so one hash is made and shared:
    the accounts share the password anyway, and a second run checks it once instead of per user.
    """
    current = next((u.password for u in users if u.has_usable_password()), "")
    encoded = current if current and check_password(password, current) else make_password(password)
    for user in users:
        if user.password != encoded:
            user.password = encoded
            user.save(update_fields=["password"])


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _login_rows(company: DemoCompany, users: dict[str, User]) -> list[tuple[str, str, str, str]]:
    def row(role: str, username: str) -> tuple[str, str, str, str]:
        membership = services.current_membership(users[username])
        return role, username, str(users[username]), membership.team.name if membership else "—"

    rows = [row("admin", company.admin.username)]
    rows += [row("director", p.username) for p in company.people if p.role == ROLE.DIRECTOR]
    rows += [row("manager", p.username) for p in company.people if p.role == ROLE.MANAGER]
    rows += [row("salesperson", username) for username in company.featured]
    return rows


class Command(BaseCommand):
    help = "Create a demo company with regions, teams, managers and salespeople (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"password of every demo user (default: {DEFAULT_PASSWORD})"
        )
        parser.add_argument(
            "--scale",
            choices=[*SCALES, "large"],
            default="small",
            help="how big a company to build (large: about 1,000 salespeople and a year of reports)",
        )
        parser.add_argument("--without-reports", action="store_true", help="only the teams and people")

    def handle(self, *args, password: str, scale: str, without_reports: bool, **options):
        if scale == "large":
            self._seed_large(password, with_reports=not without_reports)
            return
        company = SCALES[scale]
        created_teams, created_users = [], []
        with transaction.atomic():
            teams = _build_tree(company, created_teams)
            users = {}
            for index, person in enumerate(company.people):
                member = _ensure_person(person, index, teams, created_users)
                _apply_history(person, member, teams, timezone.localdate())
                users[person.username] = member
            users[company.admin.username] = _ensure_admin(company.admin, created_users)
            _set_password(list(users.values()), password)
            log_counts = (0, 0) if without_reports else seed_sales_log(list(users.values()), timezone.localdate())
            if not without_reports:
                pipeline_demo.seed_pipeline(list(users.values()), timezone.localdate())
            report_count = 0 if without_reports else seed_reports(list(users.values()), timezone.localdate())
            seed_robot(teams[company.name])
            seed_plans(company=teams[company.name], director=users["zhaoming"], today=timezone.localdate())
            if not without_reports:
                seed_period_summaries(list(users.values()), timezone.localdate())
        self._report(len(created_teams), len(created_users))
        if log_counts[0]:
            self.stdout.write(
                self.style.SUCCESS(f"Created {log_counts[0]} customers and {log_counts[1]} sales log entries.")
            )
        if report_count:
            self.stdout.write(self.style.SUCCESS(f"Created {report_count} submitted weekly reports with targets."))
        self._print_logins(_login_rows(company, users), password)

    def _seed_large(self, password: str, *, with_reports: bool) -> None:
        if demo_large.exists():
            self.stdout.write(f"The large demo company ({demo_large.COMPANY}) is already there; nothing was created.")
            return
        started = time.perf_counter()

        def progress(stage: str, rows: int, seconds: float) -> None:
            self.stdout.write(f"  {stage:<26} {rows:>9,} rows {seconds:>7.1f} s")

        self.stdout.write(f"Building {demo_large.COMPANY} (bulk inserts, one transaction):")
        state = demo_large.seed(password=password, with_reports=with_reports, progress=progress)
        state.made["opportunities"] = pipeline_demo.seed_large(timezone.localdate())
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Created in {elapsed:.0f} s:"))
        for line in _table([("what", "rows"), *((name, f"{count:,}") for name, count in state.made.items())]):
            self.stdout.write("  " + line)
        team = state.teams[0]
        rows = [
            ("admin", state.admin.username, str(state.admin), "—"),
            ("director", state.directors[0].username, str(state.directors[0]), state.company.name),
            ("director", state.directors[1].username, str(state.directors[1]), state.regions[0].name),
        ]
        rows += [("manager", m.username, str(m), team.name) for m in state.managers[team.pk]]
        salesperson = next(s.user for s in state.sellers if s.stints[-1].team == team and s.user.status == "active")
        rows.append(("salesperson", salesperson.username, str(salesperson), team.name))
        size = sum(1 for s in state.sellers if s.stints[-1].team == team and s.user.status != "left")
        self.stdout.write(f"\n{team.name} has {size} salespeople.")
        self._print_logins(rows, password)

    def _report(self, team_count: int, user_count: int) -> None:
        if team_count or user_count:
            self.stdout.write(self.style.SUCCESS(f"Created {team_count} teams and {user_count} people."))
        else:
            self.stdout.write("The demo company is already there; nothing was created.")

    def _print_logins(self, rows: list[tuple[str, str, str, str]], password: str) -> None:
        self.stdout.write("\nDemo logins:\n")
        for line in _table([("role", "username", "name", "team"), *rows]):
            self.stdout.write("  " + line)
        self.stdout.write(f'\nAll demo users share the password "{password}".')
