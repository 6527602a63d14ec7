"""The large demo company (`seed_demo --scale large`): about 1,000 salespeople in 40 teams under
five regions, with a year of weekly reports, targets, feedback, comments and read receipts.

It is the data set the benchmark (bench/run.py) and the load test (bench/locustfile.py) run
against, so it is built like a real year rather than like a fixture: people join during the
year, some move teams and some leave (their history stays), a few are on leave; reports come in
on time, late, or not at all, depending on each person's habits; some are returned for revision
and resubmitted; this week has drafts in progress and last week's reports wait in the queues.

Rows are written with bulk inserts, week by week, in one transaction (so an interrupted run
leaves nothing behind), from a fixed random seed, with dates relative to today so the data is
always recent. The stages are listed in STAGES; each returns what it made. Customers and the
sales log plug in as one more stage (`customers_and_activities`).
"""

import contextlib
import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from customers.models import Activity, Customer
from demo.customers import NEXT_STEPS, VISIT_OUTCOMES
from demo.reports import CUSTOMERS, GOALS, PRAISE, PROBLEMS, REPLIES, SUGGESTIONS, TARGETS, WORK
from notifications.models import Notification
from reports import services, signals
from reports.calendar import calendars_for, effective_deadline
from reports.customer_names import name_key
from reports.models import (
    KPI,
    KpiValue,
    PlanItem,
    PlanReview,
    Problem,
    ProblemCategory,
    ReportRevision,
    Target,
    TeamSettings,
    WeeklyReport,
)
from reviews.models import Comment, Feedback, FeedbackGoal, ReportRead, ReviewAction
from teams.models import Leave, Membership, Team, User
from teams.models import name_key as person_name_key
from teams.services import create_team

COMPANY = "星辰科技销售集团"
EMAIL_DOMAIN = "large.example.com"
RANDOM_SEED = 2026
BATCH = 2000

REGIONS = {
    "华东大区": ["上海", "杭州", "南京", "苏州"],
    "华南大区": ["广州", "深圳", "厦门", "南宁"],
    "华北大区": ["北京", "天津", "济南", "石家庄"],
    "西南大区": ["成都", "重庆", "昆明", "贵阳"],
    "华中大区": ["武汉", "长沙", "郑州", "南昌"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红飞鑫波宁欣晨宇浩然佳琪思雨子涵博文"
MORE_CUSTOMERS = ["阿里巴巴", "腾讯", "小米", "联想", "中兴", "海康威视", "三一重工", "蒙牛", "伊利", "中粮"]
# (category, problem, cause, action taken, help needed), as in demo.reports.PROBLEMS.
MORE_PROBLEMS = [
    ("客户需求", "{c}决策链长，关键人难约", "采购流程复杂", "通过技术部门引荐", "需要总监出面拜访"),
    ("回款", "{c}回款延迟", "客户资金紧张", "约财务沟通付款计划", "需要财务协助对账"),
    ("交付", "{c}的样品交付晚了三天", "物流延误", "改用顺丰加急", ""),
    ("竞争", "竞品在本区域大幅降价，{c}在观望", "竞品抢占份额", "准备差异化方案", "需要市场部支持"),
    ("内部流程", "{c}对售后响应不满意", "售后人手不足", "每周固定回访", "需要售后增派人手"),
    ("其他", "新客户线索质量低", "展会名单过时", "筛选重点行业", "需要市场部更新线索"),
]
REGION_CITIES = ["上海", "杭州", "苏州", "广州", "深圳", "北京", "天津", "成都", "武汉", "长沙"]
COMPANY_FORMS = ["科技有限公司", "贸易有限公司", "实业有限公司", "集团有限公司"]
BRANCHES = ["浦东", "滨江", "南山", "天河", "海淀", "朝阳", "武侯", "江汉", "岳麓", "工业园区", "开发区", "高新区"]
# The company has kept the sales log for the last quarter.
LOG_WEEKS = 13
INDUSTRIES = ["通信设备", "汽车", "家电", "物流", "金融", "新能源", "医药", "工程机械", "消费电子", "食品"]
RETURN_REASONS = [
    "请补充本周拜访客户的具体进展。",
    "业绩数据与系统不符，请核对后重新提交。",
    "下周计划太笼统，请写明客户和时间。",
]
POSITIONS = ["销售代表", "销售代表", "高级销售代表", "大客户经理"]


@dataclass(frozen=True)
class Size:
    """How big a company to build. The default is the benchmark's; tests build a tiny one."""

    teams_per_region: int = 8
    regions: int = 5
    per_team: int = 25  # salespeople in a team on average (the first team has exactly this many)
    weeks: int = 52


@dataclass
class Stint:
    team: Team
    started_on: datetime.date
    ended_on: datetime.date | None = None

    def covers(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass
class Seller:
    """A salesperson's year as the seed plays it: where they were, their habits and targets."""

    user: User
    stints: list[Stint]
    reliability: float  # chance a report comes in on time
    skill: float  # how their actuals compare with their targets
    base: dict[str, int]  # weekly target per KPI code, before the quarterly step-up
    leaves: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    recurring: tuple[tuple, str] | None = None  # the problem (and customer) that keeps coming back

    def stint_on(self, day: datetime.date) -> Stint | None:
        return next((s for s in self.stints if s.covers(day)), None)


@dataclass
class State:
    rng: random.Random
    size: Size
    today: datetime.date
    now: datetime.datetime
    password: str
    this_week: datetime.date = None
    company: Team = None
    regions: list[Team] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    directors: list[User] = field(default_factory=list)
    managers: dict[int, list[User]] = field(default_factory=dict)  # team pk → its managers
    sellers: list[Seller] = field(default_factory=list)
    admin: User | None = None
    kpis: list[KPI] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)  # problem category's Chinese name → pk
    made: Counter = field(default_factory=Counter)

    @property
    def weeks(self) -> list[datetime.date]:
        """The past weeks, oldest first, then this week."""
        return [self.this_week - datetime.timedelta(weeks=back) for back in range(self.size.weeks, -1, -1)]


def exists() -> bool:
    return Team.objects.filter(parent=None, name=COMPANY).exists()


def seed(
    *,
    password: str,
    today: datetime.date | None = None,
    size: Size = Size(),
    with_reports: bool = True,
    progress: Callable[[str, int, float], None] = lambda stage, rows, seconds: None,
) -> State:
    """Build the whole company in one transaction. Raises ValueError when it is already there."""
    if exists():
        raise ValueError(f"The large demo company ({COMPANY}) is already in this database.")
    state = State(
        rng=random.Random(RANDOM_SEED),  # nosec B311 # repeatable demo data, not secrets
        size=size,
        today=today or timezone.localdate(),
        now=timezone.now(),
        password=make_password(password),
    )
    stages = STAGES if with_reports else STAGES[:2]
    with transaction.atomic(), _explicit_timestamps():
        for stage in stages:
            started = time.perf_counter()
            before = sum(state.made.values())
            stage(state)
            progress(stage.__name__, sum(state.made.values()) - before, time.perf_counter() - started)
        if with_reports:
            started = time.perf_counter()
            signals.reports_loaded.send(sender=WeeklyReport)
            progress("reports_loaded", 0, time.perf_counter() - started)
    started = time.perf_counter()
    analyze()
    progress("analyze", 0, time.perf_counter() - started)
    return state


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics of `tables` (all of them when none are named): after a
    bulk load of this size they describe empty tables until autovacuum gets round to it, and the
    planner then picks sequential scans or nested loops. On PostgreSQL (outside a transaction)
    VACUUM too: the load updates rows as it goes, and the dead versions and an empty visibility
    map would slow index scans until autovacuum came by."""
    command = "VACUUM ANALYZE" if connection.vendor == "postgresql" and not connection.in_atomic_block else "ANALYZE"
    with connection.cursor() as cursor:
        for table in tables or [None]:
            cursor.execute(command if table is None else f"{command} {connection.ops.quote_name(table)}")


# Stages ------------------------------------------------------------------------------------------


def tree(state: State) -> None:
    """The company, its regions and their teams (through the service, so paths are right), with
    the calendars that differ from the default: the south's deadline is Friday 17:00 with half an
    hour's grace, the south-west's Saturday noon."""
    state.company = create_team(actor=None, name=COMPANY, kind=Team.Kind.COMPANY, parent=None)
    for region_name, cities in list(REGIONS.items())[: state.size.regions]:
        region = create_team(actor=None, name=region_name, kind=Team.Kind.REGION, parent=state.company)
        state.regions.append(region)
        for index in range(state.size.teams_per_region):
            city = cities[index % len(cities)]
            name = f"{city}{'一二三四五六七八九十'[index // len(cities)]}组"
            state.teams.append(create_team(actor=None, name=name, kind=Team.Kind.TEAM, parent=region))
    special = {"华南大区": {"deadline_time": datetime.time(17, 0), "grace_minutes": 30}}
    special["西南大区"] = {"deadline_weekday": 5, "deadline_time": datetime.time(12, 0)}
    TeamSettings.objects.bulk_create(
        TeamSettings(team=region, **special[region.name]) for region in state.regions if region.name in special
    )
    state.made["teams"] += 1 + len(state.regions) + len(state.teams)
    state.kpis = list(KPI.objects.filter(code__in=TARGETS).order_by("position"))
    state.categories = dict(ProblemCategory.objects.values_list("name_zh", "pk"))
    state.this_week = services.settings_for(state.company).week_start_for(state.today)


def people(state: State) -> None:
    """Directors, managers and the salespeople of the year: those here all year, new hires,
    people who moved team mid-year and people who left (replaced by a new hire)."""
    rng, size = state.rng, state.size
    first_week = state.weeks[0]
    year_ago = first_week - datetime.timedelta(days=30)
    users, memberships = [], []
    namesakes: Counter = Counter()

    def unique_name(name: str) -> str:
        # Names are unique in a company; a namesake is told apart by a number, as in "王伟2".
        namesakes[name] += 1
        return name if namesakes[name] == 1 else f"{name}{namesakes[name]}"

    def person(username: str, *, position: str, hired_on: datetime.date) -> User:
        display_name = unique_name(rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))))
        user = User(
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            display_name=display_name,
            name_key=person_name_key(display_name),
            password=state.password,
            phone=f"139{rng.randrange(10**8):08d}",
            position=position,
            hired_on=hired_on,
        )
        users.append(user)
        return user

    def long_ago() -> datetime.date:
        return year_ago - datetime.timedelta(days=rng.randint(0, 8 * 365))

    directors = [(person("dir00", position="销售总监", hired_on=long_ago()), state.company)]
    directors += [
        (person(f"dir{i + 1:02d}", position="区域总监", hired_on=long_ago()), region)
        for i, region in enumerate(state.regions)
    ]
    managers = []
    for i, team in enumerate(state.teams):
        managers.append((person(f"mgr{i + 1:02d}", position="销售经理", hired_on=long_ago()), team))
        if i % 13 == 5:  # a few big teams have a deputy manager too
            managers.append((person(f"mgr{i + 1:02d}b", position="销售副经理", hired_on=long_ago()), team))

    sizes = _team_sizes(rng, len(state.teams), size.per_team)
    mid_year = [first_week + datetime.timedelta(weeks=w) for w in range(size.weeks // 8, size.weeks - 2)]
    sellers, number = [], 0
    for team, count in zip(state.teams, sizes, strict=True):
        for _ in range(count):
            number += 1
            roll = rng.random()
            if roll < 0.08:  # hired during the year
                start = rng.choice(mid_year)
                stints = [Stint(team, start)]
            elif roll < 0.12:  # moved here from another team during the year
                start, moved = year_ago - datetime.timedelta(days=rng.randint(0, 900)), rng.choice(mid_year)
                other = rng.choice([t for t in state.teams if t != team] or [team])
                stints = [Stint(other, start, moved), Stint(team, moved)]
            else:
                stints = [Stint(team, long_ago())]
            user = person(f"rep{number:04d}", position=rng.choice(POSITIONS), hired_on=stints[0].started_on)
            sellers.append(_seller(rng, user, stints))
        # About one in sixteen left during the year; their history stays in the team.
        for _ in range(max(1, count // 16)):
            number += 1
            left = rng.choice(mid_year)
            user = person(f"rep{number:04d}", position="销售代表", hired_on=long_ago())
            user.status, user.left_on, user.is_active = User.Status.LEFT, left, False
            sellers.append(_seller(rng, user, [Stint(team, user.hired_on, left)]))
    # A few are on leave today (no reminders, not counted as missing); others took a week off.
    current = [s for s in sellers if s.user.status == User.Status.ACTIVE]
    for seller in rng.sample(current, max(1, len(current) // 70)):
        seller.user.status = User.Status.ON_LEAVE
        seller.leaves.append((state.today - datetime.timedelta(days=10), state.today + datetime.timedelta(days=20)))
    for seller in rng.sample(current, len(current) // 7):
        start = rng.choice(mid_year) + datetime.timedelta(days=rng.randint(0, 4))
        seller.leaves.append((start, start + datetime.timedelta(days=rng.randint(4, 9))))

    User.objects.bulk_create(users, batch_size=BATCH)
    for user, team in directors:
        memberships.append(Membership(user=user, team=team, role=Membership.Role.DIRECTOR, started_on=year_ago))
    for user, team in managers:
        memberships.append(Membership(user=user, team=team, role=Membership.Role.MANAGER, started_on=year_ago))
        state.managers.setdefault(team.pk, []).append(user)
    for seller in sellers:
        memberships += [
            Membership(user=seller.user, team=s.team, started_on=s.started_on, ended_on=s.ended_on)
            for s in seller.stints
        ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    leaves = [
        Leave(member=seller.user, starts_on=start, ends_on=end, note="年假", status=Leave.Status.APPROVED)
        for seller in sellers
        for start, end in seller.leaves
    ]
    Leave.objects.bulk_create(leaves, batch_size=BATCH)
    state.admin = User.objects.filter(username="admin").first()
    if state.admin is None:
        state.admin = User.objects.create(
            username="admin", email=f"admin@{EMAIL_DOMAIN}", display_name="系统管理员", is_staff=True, is_superuser=True
        )
        state.admin.password = state.password
        state.admin.save(update_fields=["password"])
        users.append(state.admin)
    _audit(users, sellers)
    state.directors = [user for user, _ in directors]
    state.sellers = sellers
    state.made.update(users=len(users), memberships=len(memberships), leaves=len(leaves))


def targets(state: State) -> None:
    """Every salesperson's weekly targets for every week they were in a team, this week included;
    they step up each quarter, as managers set them."""
    rows = []
    for week in state.weeks:
        for seller in state.sellers:
            if seller.stint_on(week) is None:
                continue
            rows += [
                Target(member=seller.user, kpi=kpi, week_start=week, value=_target(state, seller, kpi, week))
                for kpi in state.kpis
            ]
        if len(rows) > 10 * BATCH:
            Target.objects.bulk_create(rows, batch_size=BATCH)
            state.made["targets"] += len(rows)
            rows = []
    Target.objects.bulk_create(rows, batch_size=BATCH)
    state.made["targets"] += len(rows)


def _target(state: State, seller: Seller, kpi: KPI, week: datetime.date) -> Decimal:
    """The seller's weekly target: their base, five per cent more each quarter of the year."""
    quarter = (week - state.weeks[0]).days // (13 * 7)
    value = (Decimal(seller.base[kpi.code]) * (1 + Decimal("0.05") * quarter)).quantize(Decimal(1))
    if kpi.unit == KPI.Unit.CNY:
        value = (value / 1000).quantize(Decimal(1)) * 1000
    return max(value, Decimal(1))


def reports(state: State) -> None:
    """A year of weekly reports, week by week: each one answers the author's previous plan and
    goals, and is submitted, reviewed, returned or left as it would have been."""
    settings_of = services.settings_by_team(state.teams)
    calendars = calendars_for(state.teams)
    template = services.template_version_for(state.company)
    previous: dict[int, tuple[list[PlanItem], list[FeedbackGoal]]] = {}
    for week in state.weeks:
        _week(state, week, settings_of, calendars, template, previous)


def customers_and_activities(state: State) -> None:
    """The last quarter's sales log: every salesperson's customers (the week's new customers among
    them) and the visits, calls, contracts and payments behind their reports' numbers, so those
    numbers came from the log. Weeks whose contracts and sales do not agree (no contract, yet
    sales) leave a difference for the review page to flag."""
    rng = state.rng
    first = state.this_week - datetime.timedelta(weeks=LOG_WEEKS - 1)
    codes = {kpi.pk: kpi.code for kpi in state.kpis}
    weeks: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    value_ids: dict[tuple[int, datetime.date], list[tuple[int, str, Decimal]]] = {}
    # In a fixed order (the rows' is whatever the database's scan gives): the draws below follow it.
    values = KpiValue.objects.filter(report__week_start__gte=first, actual__isnull=False).order_by(
        "report__week_start", "report__author_id", "kpi_id"
    )
    for pk, author, week, kpi_id, actual in values.values_list(
        "pk", "report__author_id", "report__week_start", "kpi_id", "actual"
    ):
        weeks.setdefault((author, week), {})[codes[kpi_id]] = actual
        value_ids.setdefault((author, week), []).append((pk, codes[kpi_id], actual))
    sellers = {seller.user.pk: seller for seller in state.sellers}
    customers, taken = [], {seller.user.pk: set() for seller in state.sellers}
    for seller in state.sellers:
        for _ in range(rng.randint(6, 12)):
            created_on = first - datetime.timedelta(days=rng.randint(30, 900))
            customers.append(_customer(rng, seller.user, created_on, taken[seller.user.pk]))
    for (author, week), actual in weeks.items():
        last_day = min(week + datetime.timedelta(days=4), state.today)
        for _ in range(int(actual.get("new_customers", 0))):
            created_on = _day(rng, week, last_day)
            customers.append(_customer(rng, sellers[author].user, created_on, taken[author], lead=True))
    for start in range(0, len(customers), BATCH):
        Customer.objects.bulk_create(customers[start : start + BATCH])
    state.made["customers"] += len(customers)
    known: dict[int, list[Customer]] = {}
    for customer in customers:
        known.setdefault(customer.owner_id, []).append(customer)

    batch, matched = [], []
    for (author, week), actual in sorted(weeks.items(), key=lambda item: item[0][1]):
        stint = sellers[author].stint_on(week)
        if stint is None:
            continue
        entries = _log_week(
            rng,
            sellers[author].user,
            stint.team,
            week,
            min(week + datetime.timedelta(days=4), state.today),
            actual,
            known[author],
        )
        batch += entries
        logged = _logged(entries, known[author], week)
        matched += [pk for pk, code, value in value_ids[(author, week)] if logged.get(code) == value]
        if len(batch) >= 5 * BATCH:
            Activity.objects.bulk_create(batch)
            state.made["sales activities"] += len(batch)
            batch = []
    Activity.objects.bulk_create(batch)
    state.made["sales activities"] += len(batch)
    sourced = {kpi.pk for kpi in state.kpis if kpi.log_source}
    for start in range(0, len(matched), BATCH):
        KpiValue.objects.filter(pk__in=matched[start : start + BATCH], kpi__in=sourced).update(is_from_log=True)


def _customer(rng, owner: User, created_on: datetime.date, taken: set[str], *, lead: bool = False) -> Customer:
    """A company the owner does not have yet: 上海华为科技有限公司, or a branch of one."""
    while True:
        name = f"{rng.choice(REGION_CITIES)}{rng.choice(CUSTOMERS + MORE_CUSTOMERS)}{rng.choice(COMPANY_FORMS)}"
        if name_key(name) in taken:
            name += f"（{rng.choice(BRANCHES)}分公司）"
        if name_key(name) not in taken:
            break
    taken.add(name_key(name))
    return Customer(
        name=name,
        key=name_key(name),
        industry=rng.choice(INDUSTRIES),
        tier=rng.choice("abbccc"),
        status=Customer.Status.LEAD if lead else rng.choice([Customer.Status.ACTIVE] * 3 + [Customer.Status.LEAD]),
        owner=owner,
        created_on=created_on,
    )


def _day(rng, week: datetime.date, last_day: datetime.date) -> datetime.date:
    return min(week + datetime.timedelta(days=rng.randint(0, 4)), last_day)


def _split(rng, total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` whole-yuan amounts that add up to it exactly."""
    if parts <= 0 or total <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [(total * Decimal(w / sum(weights))).quantize(Decimal(1)) for w in weights]
    amounts[-1] = total - sum(amounts[:-1])
    return [a for a in amounts if a > 0] or [total]


def _log_week(rng, author, team, week, last_day, actual: dict, customers: list[Customer]) -> list[Activity]:
    """The entries that add up to one report's numbers: visits (each new customer's first among
    them), calls, contracts worth the week's sales, payments, and a few messages and meetings."""
    created = [c for c in customers if week <= c.created_on <= week + datetime.timedelta(days=6)]
    pool = [c for c in customers if c.created_on <= last_day] or customers
    entries = []

    def entry(kind, day, customer, **fields):
        entries.append(Activity(author=author, team=team, customer=customer, occurred_on=day, kind=kind, **fields))

    visits = int(actual.get("visits", 0))
    for customer in created[:visits]:
        entry(Activity.Kind.VISIT, customer.created_on, customer, outcome="初次拜访，介绍产品")
    for _ in range(visits - len(created[:visits])):
        day = _day(rng, week, last_day)
        follow_up = day + datetime.timedelta(days=rng.randint(2, 8))
        entry(
            Activity.Kind.VISIT,
            day,
            rng.choice(pool),
            outcome=rng.choice(VISIT_OUTCOMES),
            next_step=rng.choice(NEXT_STEPS),
            next_step_on=follow_up,
        )
    for _ in range(int(actual.get("calls", 0))):
        entry(Activity.Kind.CALL, _day(rng, week, last_day), rng.choice(pool))
    contracts = int(actual.get("contracts_signed", 0))
    for amount in _split(rng, actual.get("sales_amount", Decimal(0)), contracts):
        entry(
            Activity.Kind.CONTRACT, _day(rng, week, last_day), rng.choice(pool), outcome="签订采购合同", amount=amount
        )
    for amount in _split(rng, actual.get("payments_collected", Decimal(0)), rng.randint(1, 2)):
        entry(Activity.Kind.PAYMENT, _day(rng, week, last_day), rng.choice(pool), outcome="到账", amount=amount)
    for _ in range(rng.randint(0, 3)):
        entry(rng.choice([Activity.Kind.MESSAGE, Activity.Kind.MEETING]), _day(rng, week, last_day), rng.choice(pool))
    return entries


def _logged(entries: list[Activity], customers: list[Customer], week: datetime.date) -> dict[str, Decimal]:
    """What the log adds up to for the week, by KPI code (as customers.prefill counts it)."""
    totals = Counter(entry.kind for entry in entries)
    end = week + datetime.timedelta(days=6)
    return {
        "visits": Decimal(totals[Activity.Kind.VISIT]),
        "calls": Decimal(totals[Activity.Kind.CALL]),
        "contracts_signed": Decimal(totals[Activity.Kind.CONTRACT]),
        "sales_amount": sum((e.amount for e in entries if e.kind == Activity.Kind.CONTRACT), Decimal(0)),
        "payments_collected": sum((e.amount for e in entries if e.kind == Activity.Kind.PAYMENT), Decimal(0)),
        "new_customers": Decimal(sum(1 for c in customers if week <= c.created_on <= end)),
    }


STAGES: list[Callable[[State], None]] = [tree, people, targets, reports, customers_and_activities]


# One week -----------------------------------------------------------------------------------------


@dataclass
class WeekRows:
    """The rows of one week, inserted together in dependency order."""

    reports: list[WeeklyReport] = field(default_factory=list)
    values: list[KpiValue] = field(default_factory=list)
    plan_items: list[PlanItem] = field(default_factory=list)
    plan_reviews: list[PlanReview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    revisions: list[ReportRevision] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    goals: list[FeedbackGoal] = field(default_factory=list)
    actions: list[ReviewAction] = field(default_factory=list)
    reads: list[ReportRead] = field(default_factory=list)
    comments: list[tuple[Comment, Comment]] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def _week(state, week, settings_of, calendars, template, previous) -> None:
    rng, now = state.rng, state.now
    age = (state.this_week - week).days // 7
    rows = WeekRows()
    fates = {}
    deadlines = {team.pk: effective_deadline(settings_of[team.pk], week, calendars[team.pk]) for team in state.teams}
    for seller in state.sellers:
        stint = seller.stint_on(week)
        if stint is None or any(start <= week + datetime.timedelta(days=4) <= end for start, end in seller.leaves):
            continue
        team_settings, deadline = settings_of[stint.team.pk], deadlines[stint.team.pk]
        if deadline is None and rng.random() < 0.9:  # a week entirely off: hardly anyone writes
            continue
        fate = _fate(rng, seller, age, deadline or team_settings.deadline_for(week), now)
        if fate is None:
            continue
        report = _report(state, seller, stint.team, week, template, fate, team_settings, deadline)
        fates[seller.user.pk] = (seller, report, fate)
        rows.reports.append(report)
    WeeklyReport.objects.bulk_create(rows.reports, batch_size=BATCH)

    for seller, report, fate in fates.values():
        _content(state, rows, seller, report, fate, previous.get(seller.user.pk))
    KpiValue.objects.bulk_create(rows.values, batch_size=BATCH)
    PlanItem.objects.bulk_create(rows.plan_items, batch_size=BATCH)
    PlanReview.objects.bulk_create(rows.plan_reviews, batch_size=BATCH)
    Problem.objects.bulk_create(rows.problems, batch_size=BATCH)
    ReportRevision.objects.bulk_create(rows.revisions, batch_size=BATCH)

    items_by_report = {}
    for item in rows.plan_items:
        items_by_report.setdefault(item.report_id, []).append(item)
    for _seller, report, fate in fates.values():
        if report.reviewed_at is not None:
            _review(state, rows, report, state.managers[report.team_id][0], age)
        elif fate.returned_at is not None:
            rows.actions.append(_returned(report, state.managers[report.team_id][0], fate.returned_at, rng))
    Feedback.objects.bulk_create(rows.feedback, batch_size=BATCH)
    goals_by_report = {}
    for feedback in rows.feedback:
        for position in range(rng.choice((0, 1, 1, 2))):
            goal = FeedbackGoal(
                feedback=feedback, position=position, text=rng.choice(GOALS).format(c=rng.choice(CUSTOMERS))
            )
            rows.goals.append(goal)
            goals_by_report.setdefault(feedback.report_id, []).append(goal)
        if age <= 6:  # the bell: feedback of the last weeks, read except the newest
            rows.notifications.append(_feedback_notification(feedback, age))
    FeedbackGoal.objects.bulk_create(rows.goals, batch_size=BATCH)
    ReviewAction.objects.bulk_create(rows.actions, batch_size=BATCH)
    ReportRead.objects.bulk_create(rows.reads, batch_size=BATCH)
    Notification.objects.bulk_create(rows.notifications, batch_size=BATCH)
    Comment.objects.bulk_create([first for first, _ in rows.comments], batch_size=BATCH)
    for first, reply in rows.comments:
        reply.parent = first
    Comment.objects.bulk_create([reply for _, reply in rows.comments], batch_size=BATCH)

    for seller, report, _unused in fates.values():
        previous[seller.user.pk] = (items_by_report.get(report.pk, []), goals_by_report.get(report.pk, []))
    for name, made in (
        ("reports", rows.reports),
        ("kpi values", rows.values),
        ("plan items", rows.plan_items),
        ("plan reviews", rows.plan_reviews),
        ("problems", rows.problems),
        ("revisions", rows.revisions),
        ("feedback", rows.feedback),
        ("feedback goals", rows.goals),
        ("review actions", rows.actions),
        ("read receipts", rows.reads),
        ("notifications", rows.notifications),
    ):
        state.made[name] += len(made)
    state.made["comments"] += 2 * len(rows.comments)


@dataclass
class Fate:
    """What became of one report: its status and when things happened."""

    status: str
    submitted_at: datetime.datetime | None = None
    returned_at: datetime.datetime | None = None
    resubmitted_at: datetime.datetime | None = None
    reviewed: bool = False


def _fate(rng, seller: Seller, age: int, deadline: datetime.datetime, now) -> Fate | None:
    """None when the report was never written; otherwise how it went, by the author's habits and
    the week's age (this week: drafts; last week: waiting for review; older: mostly reviewed)."""
    missing = 0.01 + (1 - seller.reliability) * 0.25
    if age == 0:
        roll = rng.random()
        if roll < 0.45:
            return Fate(WeeklyReport.Status.DRAFT)
        if roll < 0.55 and deadline - datetime.timedelta(days=2) < now:
            early = now - datetime.timedelta(minutes=rng.randint(5, 600))
            return Fate(WeeklyReport.Status.SUBMITTED, submitted_at=early)
        return None
    if rng.random() < missing:
        return None
    if rng.random() < 0.01:  # started and never finished
        return Fate(WeeklyReport.Status.DRAFT)
    if rng.random() < seller.reliability:
        at = deadline - datetime.timedelta(minutes=rng.randint(10, 3 * 24 * 60))
    else:
        at = deadline + datetime.timedelta(minutes=rng.randint(20, 2 * 24 * 60))
    at = min(at, now - datetime.timedelta(minutes=5))
    roll = rng.random()
    if age == 1:
        if roll < 0.05:
            return Fate(WeeklyReport.Status.RETURNED, submitted_at=at, returned_at=min(at + _hours(rng, 20), now))
        return Fate(WeeklyReport.Status.SUBMITTED, submitted_at=at, reviewed=roll < 0.4)
    if roll < 0.03:  # returned, fixed, resubmitted and then reviewed
        returned = at + _hours(rng, 48)
        return Fate(
            WeeklyReport.Status.REVIEWED,
            submitted_at=at,
            returned_at=returned,
            resubmitted_at=returned + _hours(rng, 30),
            reviewed=True,
        )
    if roll < 0.035:
        return Fate(WeeklyReport.Status.RETURNED, submitted_at=at, returned_at=at + _hours(rng, 48))
    if roll < 0.06:  # the manager never got to it
        return Fate(WeeklyReport.Status.SUBMITTED, submitted_at=at)
    return Fate(WeeklyReport.Status.REVIEWED, submitted_at=at, reviewed=True)


def _hours(rng, most: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=rng.randint(30, most * 60))


def _report(state, seller, team, week, template, fate: Fate, team_settings, deadline) -> WeeklyReport:
    rng = state.rng
    created = datetime.datetime.combine(week, datetime.time(9), tzinfo=team_settings.zone)
    created = min(created + _hours(rng, 80), state.now)
    report = WeeklyReport(
        author=seller.user,
        team=team,
        week_start=week,
        template_version=template,
        status=fate.status,
        version=rng.randint(2, 9),
        summary="\n".join(f"- {rng.choice(WORK).format(c=c)}" for c in rng.sample(CUSTOMERS, rng.randint(2, 4))),
        created_at=created,
        updated_at=created,
    )
    if fate.submitted_at is not None:
        report.submitted_at = fate.submitted_at
        report.last_submitted_at = fate.resubmitted_at or fate.submitted_at
        grace = datetime.timedelta(minutes=team_settings.grace_minutes)
        if deadline is not None and fate.submitted_at > deadline + grace:  # as services.lateness() says
            report.late_by = fate.submitted_at - deadline
        report.updated_at = report.last_submitted_at
    if fate.reviewed:
        day = team_settings.review_day_for(week)
        at = datetime.datetime.combine(day, datetime.time(10), tzinfo=team_settings.zone) + _hours(rng, 7)
        at = max(at, report.last_submitted_at + datetime.timedelta(minutes=30))
        if at < state.now:
            report.status, report.reviewed_at, report.updated_at = WeeklyReport.Status.REVIEWED, at, at
        elif fate.status == WeeklyReport.Status.REVIEWED:
            report.status = WeeklyReport.Status.SUBMITTED
    if fate.returned_at is not None and report.status == WeeklyReport.Status.RETURNED:
        report.updated_at = fate.returned_at
    report.created_at = min(report.created_at, report.submitted_at or report.created_at)
    return report


def _content(state, rows: WeekRows, seller: Seller, report: WeeklyReport, fate: Fate, previous) -> None:
    """KPI values against targets, answers to last week's plan and goals, problems, next week's
    plan, and the revision stored at each submission."""
    rng = state.rng
    is_draft = report.status == WeeklyReport.Status.DRAFT
    form = seller.skill * rng.uniform(0.7, 1.3)
    values = []
    for kpi in state.kpis:
        target = _target(state, seller, kpi, report.week_start)
        actual = None
        if not (is_draft and rng.random() < 0.4):
            actual = (target * Decimal(form * rng.uniform(0.8, 1.2))).quantize(Decimal(1))
        values.append(KpiValue(report=report, kpi=kpi, target=target, actual=actual))
    rows.values += values
    items, goals = previous or ([], [])
    reviews = [PlanReview(report=report, plan_item=item, item_text=item.item) for item in items]
    reviews += [PlanReview(report=report, goal=goal, item_text=goal.text) for goal in goals]
    for review in reviews:
        if not (is_draft and rng.random() < 0.5):
            review.outcome = rng.choice(["done", "done", "done", "partly", "not_done"])
            review.note = "" if review.outcome == "done" else rng.choice(["客户出差，改到下周", "等待客户内部审批"])
    rows.plan_reviews += reviews
    problems = [
        _problem(state, report, i, problem, customer)
        for i, (problem, customer) in enumerate(_problems_of(state, seller))
    ]
    rows.problems += problems
    customers = CUSTOMERS + MORE_CUSTOMERS
    plan = [
        PlanItem(report=report, position=i, item=rng.choice(WORK).format(c=c), customer=c)
        for i, c in enumerate(rng.sample(customers, rng.randint(1, 3)))
    ]
    rows.plan_items += plan
    if fate.submitted_at is None:
        return
    content = _snapshot(report, state.kpis, values, reviews, problems, plan)
    rows.revisions.append(
        ReportRevision(
            report=report,
            number=1,
            kind=ReportRevision.Kind.SUBMITTED,
            author=seller.user,
            snapshot=content,
            created_at=fate.submitted_at,
        )
    )
    if fate.resubmitted_at is not None:
        rows.revisions.append(
            ReportRevision(
                report=report,
                number=2,
                kind=ReportRevision.Kind.RESUBMITTED,
                author=seller.user,
                snapshot={**content, "summary": content["summary"] + "\n- 已按经理意见补充客户进展"},
                created_at=fate.resubmitted_at,
            )
        )


def _problems_of(state, seller: Seller) -> list[tuple[tuple, str]]:
    """Zero to two problems; most people have one that comes back most weeks (same customer)."""
    rng = state.rng
    picks = []
    if seller.recurring is not None and rng.random() < 0.6:
        picks.append(seller.recurring)
    for _ in range(rng.choice((0, 0, 1, 1, 2)) - len(picks)):
        picks.append((rng.choice(PROBLEMS + MORE_PROBLEMS), rng.choice(CUSTOMERS + MORE_CUSTOMERS)))
    return picks


def _problem(state, report, position: int, problem: tuple, customer: str) -> Problem:
    category, text, cause, action, help_needed = problem
    return Problem(
        report=report,
        position=position,
        problem=text.format(c=customer),
        category_id=state.categories.get(category),
        customer=customer if "{c}" in text else "",
        customer_key=name_key(customer) if "{c}" in text else "",
        cause=cause,
        action=action,
        help_needed=help_needed,
    )


def _snapshot(report, kpis, values, reviews, problems, plan) -> dict:
    """What services.snapshot() stores, from the rows in memory."""
    return {
        "summary": report.summary,
        "plan_reviews": [
            {"item": r.item_text, "goal": r.goal is not None, "outcome": r.outcome, "note": r.note} for r in reviews
        ],
        "kpis": [
            {"code": kpi.code, "name": kpi.name_zh, "target": _text(v.target), "actual": _text(v.actual)}
            for kpi, v in zip(kpis, values, strict=True)
        ],
        "problems": [
            {
                "problem": p.problem,
                "category": p.category.name_zh if p.category_id else "",
                "customer": p.customer,
                "cause": p.cause,
                "action": p.action,
                "help_needed": p.help_needed,
            }
            for p in problems
        ],
        "plan": [{"item": p.item, "customer": p.customer, "due_on": ""} for p in plan],
        "custom": {},
    }


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _review(state, rows: WeekRows, report: WeeklyReport, manager: User, age: int) -> None:
    """Four-part feedback, the review record, the manager's read receipt, and now and then a
    short exchange in the comment thread."""
    rng = state.rng
    at = report.reviewed_at
    customer = rng.choice(CUSTOMERS)
    fate_returned = report.last_submitted_at != report.submitted_at
    if fate_returned:
        rows.actions.append(_returned(report, manager, report.submitted_at + _hours(rng, 20), rng))
    feedback = Feedback(
        report=report,
        reviewer=manager,
        praise=rng.choice(PRAISE),
        problems=rng.choice(["", "", "回款进度落后于目标，需要重点跟进。", "拜访量不足，下周要补上。"]),
        suggestions=rng.choice(SUGGESTIONS).format(c=customer),
        rating=rng.choice((3, 4, 4, 4, 5, 5)),
        created_at=at,
        read_by_author_at=at + _hours(rng, 30) if rng.random() < 0.85 else None,
    )
    if feedback.read_by_author_at and feedback.read_by_author_at > state.now:
        feedback.read_by_author_at = None
    rows.feedback.append(feedback)
    rows.actions.append(ReviewAction(report=report, actor=manager, kind=ReviewAction.Kind.REVIEWED, created_at=at))
    rows.reads.append(ReportRead(report=report, reader=manager, first_read_at=at - datetime.timedelta(minutes=5)))
    if rng.random() < 0.12:
        question = Comment(report=report, author=manager, body=f"{customer}那边的预算确认了吗？", created_at=at)
        reply_at = min(at + _hours(rng, 20), state.now)
        reply = Comment(
            report=report, author=report.author, body=rng.choice(REPLIES).format(c=customer), created_at=reply_at
        )
        rows.comments.append((question, reply))


def _returned(report: WeeklyReport, manager: User, at: datetime.datetime, rng) -> ReviewAction:
    return ReviewAction(
        report=report, actor=manager, kind=ReviewAction.Kind.RETURNED, reason=rng.choice(RETURN_REASONS), created_at=at
    )


def _feedback_notification(feedback: Feedback, age: int) -> Notification:
    return Notification(
        recipient_id=feedback.report.author_id,
        kind=Notification.Kind.FEEDBACK,
        event=f"feedback:{feedback.pk}",
        actor=feedback.reviewer,
        report=feedback.report,
        excerpt=feedback.praise[:300],
        url=reverse("reports:detail", args=[feedback.report_id]),
        created_at=feedback.created_at,
        read_at=None if age <= 1 else feedback.created_at + datetime.timedelta(hours=3),
    )


# Helpers ------------------------------------------------------------------------------------------


def _team_sizes(rng: random.Random, teams: int, per_team: int) -> list[int]:
    """Team sizes around `per_team` (the first exactly `per_team`) that add up to teams × per_team."""
    low, high = max(1, per_team * 7 // 10), per_team * 13 // 10
    sizes = [per_team] + [rng.randint(low, high) for _ in range(teams - 1)]
    index = 1
    while sum(sizes) != teams * per_team and teams > 1:
        step = 1 if sum(sizes) < teams * per_team else -1
        if low <= sizes[index] + step <= high:
            sizes[index] += step
        index = index % (teams - 1) + 1
    return sizes


def _seller(rng: random.Random, user: User, stints: list[Stint]) -> Seller:
    habit = rng.random()
    reliability = 0.95 if habit < 0.7 else 0.75 if habit < 0.9 else 0.5
    base = {}
    for code, (low, high) in TARGETS.items():
        step = 1000 if high >= 1000 else 1
        base[code] = rng.randint(low // step, high // step) * step
    recurring = (rng.choice(PROBLEMS + MORE_PROBLEMS), rng.choice(CUSTOMERS)) if rng.random() < 0.7 else None
    return Seller(
        user=user, stints=stints, reliability=reliability, skill=rng.uniform(0.75, 1.2), base=base, recurring=recurring
    )


def _audit(users: list[User], sellers: list[Seller]) -> None:
    """The audit trail an admin's work would have left: each person created, moves, departures."""
    kind = ContentType.objects.get_for_model(User)
    entries = [
        AuditEntry(
            action=AuditEntry.Action.CREATED,
            target_type=kind,
            target_id=user.pk,
            target_repr=str(user)[:200],
            changes={"display_name": [None, user.display_name]},
        )
        for user in users
    ]
    for seller in sellers:
        if len(seller.stints) > 1:
            entries.append(
                AuditEntry(
                    action=AuditEntry.Action.MOVED,
                    target_type=kind,
                    target_id=seller.user.pk,
                    target_repr=str(seller.user),
                    changes={"team": [str(seller.stints[0].team), str(seller.stints[1].team)]},
                    note=seller.stints[1].started_on.isoformat(),
                )
            )
        if seller.user.status == User.Status.LEFT:
            entries.append(
                AuditEntry(
                    action=AuditEntry.Action.STATUS_CHANGED,
                    target_type=kind,
                    target_id=seller.user.pk,
                    target_repr=str(seller.user),
                    changes={"status": [str(User.Status.ACTIVE.label), str(User.Status.LEFT.label)]},
                    note=seller.user.left_on.isoformat(),
                )
            )
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)


@contextlib.contextmanager
def _explicit_timestamps():
    """Let the seed write its own created_at and updated_at (a year of history), which auto_now
    and auto_now_add would otherwise overwrite with the moment of the insert. Every row the seed
    makes of these models sets them."""
    switched = []
    for model in (WeeklyReport, Feedback, ReviewAction, Comment, ReportRevision, Notification):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
