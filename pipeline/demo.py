"""Demo opportunities: every demo salesperson gets a small pipeline on their customers, with
stage histories over the last weeks (some won, some lost, one close date slipped), so the
funnel, the forecast and the weekly report's pipeline section have something to show. The
large demo gets opportunities on a third of its customers, inserted in bulk. Deterministic,
and safe to run again (people who already have opportunities are left alone)."""

import datetime
import random
from decimal import Decimal

from customers.models import Customer
from pipeline import services
from pipeline.models import LeadSource, Opportunity, Stage, StageChange
from teams.models import User

PRODUCTS = ["年度框架采购", "产线升级", "新门店设备", "数字化改造", "维保续约", "二期扩容", "试点项目"]
COMPETITORS = ["", "", "中兴", "西门子", "施耐德", "本地代理商"]
LOSS_REASONS = ["价格高于竞品", "预算取消", "客户选择了竞品", "交期不满足"]
BATCH = 2000


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(5, 120) * 10000)


def seed_pipeline(members: list[User], today: datetime.date) -> int:
    """A few opportunities per salesperson with customers; returns how many were created."""
    services.ensure_default_stages()
    stages = list(Stage.objects.filter(is_won=False, is_lost=False).order_by("position"))
    won, lost = Stage.objects.filter(is_won=True).first(), Stage.objects.filter(is_lost=True).first()
    sources = list(LeadSource.objects.all())
    created = 0
    for member in members:
        customers = list(Customer.objects.filter(owner=member).order_by("pk")[:5])
        if not customers or Opportunity.objects.filter(customer__owner=member).exists():
            continue
        rng = random.Random(member.username)
        for i, customer in enumerate(customers):
            started = today - datetime.timedelta(days=rng.randint(20, 60))
            opportunity = services.create_opportunity(
                actor=member,
                customer=customer,
                name=rng.choice(PRODUCTS),
                amount=_amount(rng),
                stage=stages[0],
                expected_close_on=today + datetime.timedelta(days=rng.randint(10, 80)),
                lead_source=rng.choice(sources) if sources else None,
                competitor=rng.choice(COMPETITORS),
                created_on=started,
            )
            steps = rng.randint(0, len(stages) - 1) if i else 1  # the first one is waiting to advance
            day = started
            for stage in stages[1 : steps + 1]:
                day = min(day + datetime.timedelta(days=rng.randint(3, 9)), today - datetime.timedelta(days=7))
                services.move_stage(actor=member, opportunity=opportunity, stage=stage, on=day)
            if i == 3 and won:
                services.move_stage(
                    actor=member, opportunity=opportunity, stage=won, on=today - datetime.timedelta(days=8)
                )
            elif i == 4 and lost:
                services.move_stage(
                    actor=member, opportunity=opportunity, stage=lost, loss_reason=rng.choice(LOSS_REASONS), on=day
                )
            created += 1
    return created


def seed_large(today: datetime.date) -> int:
    """Opportunities for a third of the customers that have none (the large demo), with their
    stage history, in bulk. Returns how many were created."""
    services.ensure_default_stages()
    stages = list(Stage.objects.order_by("position"))
    open_stages = [s for s in stages if not s.is_closed]
    won = next(s for s in stages if s.is_won)
    lost = next(s for s in stages if s.is_lost)
    sources = list(LeadSource.objects.all())
    rng = random.Random(20)
    customers = Customer.objects.filter(opportunities__isnull=True).order_by("pk").values_list("pk", "created_on")
    made = 0
    batch: list[tuple[Opportunity, list[Stage], list[datetime.date]]] = []

    def flush() -> None:
        Opportunity.objects.bulk_create([o for o, _s, _d in batch], batch_size=BATCH)
        StageChange.objects.bulk_create(
            [
                StageChange(opportunity=o, from_stage=path[i - 1] if i else None, to_stage=stage, changed_on=days[i])
                for o, path, days in batch
                for i, stage in enumerate(path)
            ],
            batch_size=BATCH,
        )
        batch.clear()

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
        last = path[-1]
        opportunity = Opportunity(
            customer_id=customer_id,
            name=rng.choice(PRODUCTS),
            amount=_amount(rng),
            stage=last,
            expected_close_on=today + datetime.timedelta(days=rng.randint(-10, 120)),
            lead_source=rng.choice(sources) if sources else None,
            competitor=rng.choice(COMPETITORS),
            loss_reason=rng.choice(LOSS_REASONS) if last.is_lost else "",
            created_on=start,
            closed_on=days[-1] if last.is_closed else None,
            cycle_days=(days[-1] - start).days if last.is_closed else None,
        )
        batch.append((opportunity, path, days))
        made += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return made
