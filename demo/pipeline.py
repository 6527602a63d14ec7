"""Demo opportunities: every demo salesperson gets a small pipeline on their customers, with
stage histories over the last weeks (some won, some lost), so the funnel, the forecast and the
weekly report's pipeline section have something to show. The large demo gets opportunities on a
third of its customers. Both insert in bulk and leave no audit entries (demo data is nobody's
doing). Deterministic, and safe to run again (people who already have opportunities are left
alone)."""

import datetime
import random
from decimal import Decimal

from customers.models import Customer
from demo import large as demo_large
from pipeline import services
from pipeline.models import LeadSource, Opportunity, Stage, StageChange
from teams import versions
from teams.models import User

PRODUCTS = ["年度框架采购", "产线升级", "新门店设备", "数字化改造", "维保续约", "二期扩容", "试点项目"]
COMPETITORS = ["", "", "中兴", "西门子", "施耐德", "本地代理商"]
LOSS_REASONS = ["价格高于竞品", "预算取消", "客户选择了竞品", "交期不满足"]
BATCH = 2000


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(5, 120) * 10000)


def _insert(batch: list[tuple[Opportunity, list[Stage], list[datetime.date]]], actor_of=None) -> None:
    """Opportunities with their stage history (each path's days in order), in bulk. Demo data
    is not the users' doing, so it leaves no audit entries."""
    versions.touch_all()  # past pipeline.services, which would touch the owners' teams
    Opportunity.objects.bulk_create([o for o, _path, _days in batch], batch_size=BATCH)
    StageChange.objects.bulk_create(
        [
            StageChange(
                opportunity=o,
                from_stage=path[i - 1] if i else None,
                to_stage=stage,
                changed_on=days[i],
                changed_by=actor_of(o) if actor_of else None,
            )
            for o, path, days in batch
            for i, stage in enumerate(path)
        ],
        batch_size=BATCH,
    )


def _opportunity(rng, customer_id: int, path: list[Stage], days: list[datetime.date], close_on, sources) -> Opportunity:
    last = path[-1]
    return Opportunity(
        customer_id=customer_id,
        name=rng.choice(PRODUCTS),
        amount=_amount(rng),
        stage=last,
        expected_close_on=close_on,
        lead_source=rng.choice(sources) if sources else None,
        competitor=rng.choice(COMPETITORS),
        loss_reason=rng.choice(LOSS_REASONS) if last.is_lost else "",
        created_on=days[0],
        closed_on=days[-1] if last.is_closed else None,
        cycle_days=(days[-1] - days[0]).days if last.is_closed else None,
    )


def seed_pipeline(members: list[User], today: datetime.date) -> int:
    """Five opportunities per person with customers and no pipeline yet: the first waiting at
    需求确认 to move this week, one won last week, one lost; returns how many were created."""
    services.ensure_default_stages()
    stages = list(Stage.objects.order_by("position"))
    open_stages = [s for s in stages if not s.is_closed]
    won, lost = next(s for s in stages if s.is_won), next(s for s in stages if s.is_lost)
    sources = list(LeadSource.objects.all())
    owners = {}
    batch = []
    for member in members:
        customers = list(Customer.objects.filter(owner=member).order_by("pk").values_list("pk", flat=True)[:5])
        if not customers or Opportunity.objects.filter(customer__owner=member).exists():
            continue
        rng = random.Random(member.username)  # nosec B311 # repeatable demo data, not security
        last_week = today - datetime.timedelta(days=7)
        for i, customer_id in enumerate(customers):
            path = open_stages[: 2 if i == 0 else rng.randint(1, len(open_stages))]
            if i == 3:
                path = [*path, won]
            elif i == 4:
                path = [*path, lost]
            start = today - datetime.timedelta(days=rng.randint(30, 60))
            days = [min(start + datetime.timedelta(days=5 * step), last_week) for step in range(len(path))]
            close_on = today + datetime.timedelta(days=rng.randint(10, 80))
            opportunity = _opportunity(rng, customer_id, path, days, close_on, sources)
            owners[id(opportunity)] = member
            batch.append((opportunity, path, days))
    _insert(batch, actor_of=lambda o: owners[id(o)])
    return len(batch)


def seed_large(today: datetime.date) -> int:
    """Opportunities for a third of the customers that have none (the large demo), with their
    stage history, in bulk, then the planner's statistics of both tables (the large demo's own
    were taken before: with tables it believed empty, PostgreSQL ran the funnel's query per
    opportunity in 300 ms instead of 4). Returns how many were created."""
    services.ensure_default_stages()
    stages = list(Stage.objects.order_by("position"))
    open_stages = [s for s in stages if not s.is_closed]
    won = next(s for s in stages if s.is_won)
    lost = next(s for s in stages if s.is_lost)
    sources = list(LeadSource.objects.all())
    rng = random.Random(20)  # nosec B311 # repeatable demo data, not security
    customers = Customer.objects.filter(opportunities__isnull=True).order_by("pk").values_list("pk", "created_on")
    batch: list[tuple[Opportunity, list[Stage], list[datetime.date]]] = []
    made = 0
    for index, (customer_id, created_on) in enumerate(customers.iterator(chunk_size=BATCH)):
        if index % 3:
            continue
        start = max(created_on, today - datetime.timedelta(days=120))
        path = open_stages[: rng.randint(1, len(open_stages))]
        fate = rng.random()
        if fate < 0.2:
            path = [*path, won]
        elif fate < 0.35:
            path = [*path, lost]
        days = sorted(min(start + datetime.timedelta(days=rng.randint(0, 90)), today) for _ in path)
        days[0] = start
        close_on = today + datetime.timedelta(days=rng.randint(-10, 120))
        batch.append((_opportunity(rng, customer_id, path, days, close_on, sources), path, days))
        made += 1
        if len(batch) >= BATCH:
            _insert(batch)
            batch = []
    _insert(batch)
    demo_large.analyze(Opportunity._meta.db_table, StageChange._meta.db_table)
    return made
