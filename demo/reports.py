"""Demo weekly reports: targets and three submitted weeks per salesperson, so this week's draft
opens with last week's plan carried over and KPIs against targets. Deterministic and safe to run
again (weeks that already have a report are left alone)."""

import datetime
import random
from decimal import Decimal

from customers import prefill
from reports import services
from reports.models import KPI, ProblemCategory, WeeklyReport
from reviews import services as review_services
from teams.models import Membership, User

WEEKS_BACK = 3
# Weekly target ranges per KPI code for a typical salesperson.
TARGETS = {
    "sales_amount": (80000, 200000),
    "contracts_signed": (1, 4),
    "visits": (8, 15),
    "calls": (20, 40),
    "new_customers": (1, 4),
    "payments_collected": (50000, 150000),
}
CUSTOMERS = ["华为", "比亚迪", "海尔", "美的", "格力", "京东方", "顺丰", "万科", "招商银行", "宁德时代"]
WORK = ["拜访{c}采购部，确认新一季度需求", "与{c}技术团队沟通方案细节", "给{c}发送正式报价", "跟进{c}合同条款"]
# (category, problem, cause, action taken, help needed); {c} is a customer.
PROBLEMS = [
    ("价格", "{c}对价格敏感，竞品报价低 8%", "竞品促销", "申请阶梯折扣", "需要经理审批特价"),
    ("交付", "{c}的交付周期比预期长两周", "库存不足", "协调仓库调货", ""),
    ("竞争", "{c}同时在评估竞品方案", "竞品主动降价", "准备差异化方案", "需要技术支持配合演示"),
    ("回款", "{c}的回款延迟一个月", "客户内部审批慢", "每周跟进财务", "需要财务出具对账单"),
    ("产品", "{c}希望增加定制功能", "标准产品不满足", "反馈给产品部", "需要产品经理评估"),
    ("内部流程", "合同审批流程太长，{c}等不及", "审批环节多", "提前提交材料", "希望简化审批"),
]

PRAISE = ["本周拜访量达标，客户跟进及时。", "报价准备充分，客户反馈很好。", "新客户开发有突破，继续保持。"]
SUGGESTIONS = [
    "建议与{c}的决策层建立联系。",
    "对{c}的报价可以先做一版阶梯方案。",
    "把{c}的需求整理成方案要点，周三前发给我。",
]
REPLIES = ["收到，谢谢经理！下周重点跟进{c}。", "明白，{c}的方案我周三前发给您。", "好的，{c}那边我会约决策层见面。"]
GOALS = ["推进{c}进入商务谈判阶段", "确认{c}的预算和采购时间", "完成{c}的技术交流"]


def seed_reports(members: list[User], today: datetime.date) -> int:
    """Targets for the last weeks and this one, and submitted reports for the last weeks."""
    kpis = list(KPI.objects.filter(code__in=TARGETS))
    created = 0
    for index, member in enumerate(members):
        membership = Membership.objects.active().filter(user=member).select_related("team").first()
        if membership is None or membership.role != Membership.Role.SALESPERSON or member.status != "active":
            continue
        team_settings = services.settings_for(membership.team)
        this_week = team_settings.week_start_for(today)
        rng = random.Random(member.username)  # nosec B311 # repeatable demo numbers, not secrets
        for back in range(WEEKS_BACK, -1, -1):
            week = this_week - datetime.timedelta(weeks=back)
            targets = {kpi: _target(kpi, rng) for kpi in kpis}
            services.set_targets(actor=None, member=member, week_start=week, values=targets)
            if back and not WeeklyReport.objects.filter(author=member, week_start=week).exists():
                # Every seventh person skipped a week: the queue shows someone missing.
                if (index + back) % 7 == 0:
                    continue
                report = _submitted_week(member, week, targets, rng, team_settings, late=(index + back) % 5 == 0)
                # Older weeks were reviewed; last week waits in the manager's queue.
                if back > 1 and (manager := _manager_of(membership.team)):
                    _review(report, manager, rng)
                created += 1
    return created


def _manager_of(team) -> User | None:
    manager = Membership.objects.active().filter(team=team, role=Membership.Role.MANAGER).first()
    return manager.user if manager else None


def _review(report: WeeklyReport, manager: User, rng: random.Random) -> None:
    customer = rng.choice(CUSTOMERS)
    review_services.mark_reviewed(
        report=report,
        reviewer=manager,
        praise=rng.choice(PRAISE),
        problems=rng.choice(["", "回款进度落后于目标，需要重点跟进。"]),
        suggestions=rng.choice(SUGGESTIONS).format(c=customer),
        goals=[rng.choice(GOALS).format(c=customer)],
        rating=rng.randint(3, 5),
    )
    if rng.random() < 0.5:  # some salespeople answered in the thread
        review_services.add_comment(report=report, author=report.author, body=rng.choice(REPLIES).format(c=customer))


def _submitted_week(member, week, targets, rng, team_settings, *, late: bool) -> WeeklyReport:
    report = services.open_report(author=member, week_start=week)
    customers = rng.sample(CUSTOMERS, 3)
    data = {
        "summary": "\n".join(f"- {rng.choice(WORK).format(c=c)}" for c in customers),
        # The numbers the sales log holds come from it below; the others are typed.
        "kpis": {
            value.kpi_id: str(_actual(targets, value.kpi, rng))
            for value in report.kpi_values.select_related("kpi")
            if not value.kpi.log_source
        },
        "plan_reviews": {
            r.pk: {"outcome": rng.choice(["done", "done", "partly", "not_done"]), "note": ""}
            for r in report.plan_reviews.all()
        },
        "problems": _problems(member, rng),
        "plan": [
            {"item": rng.choice(WORK).format(c=c), "customer": c, "due_on": None} for c in rng.sample(CUSTOMERS, 2)
        ],
    }
    report = services.save_draft(report=report, editor=member, base_version=report.version, data=data)
    prefill.fill_from_log(report=report)
    report = _typed_over_the_log(report, rng)
    deadline = team_settings.deadline_for(week)
    at = deadline + datetime.timedelta(hours=rng.randint(2, 30)) if late else deadline - datetime.timedelta(hours=3)
    return services.submit_report(report=report, by=member, at=at)


def _problems(member: User, rng: random.Random) -> list[dict]:
    """One or two problems; everyone has one that keeps coming back most weeks (with the same
    customer), which the dashboard lists as raised again and again."""
    persistent = random.Random(f"problem:{member.username}")  # nosec B311 # repeatable demo data, not secrets
    recurring = (persistent.choice(PROBLEMS), persistent.choice(CUSTOMERS))
    picks = [recurring] if rng.random() < 0.8 else []
    picks += [(rng.choice(PROBLEMS), rng.choice(CUSTOMERS))] if rng.random() < 0.6 or not picks else []
    categories = dict(ProblemCategory.objects.values_list("name_zh", "pk"))
    return [
        {
            "problem": problem.format(c=customer),
            "category": str(categories.get(category, "")),
            "customer": customer,
            "cause": cause,
            "action": action,
            "help_needed": help_needed,
        }
        for (category, problem, cause, action, help_needed), customer in picks
    ]


def _typed_over_the_log(report: WeeklyReport, rng: random.Random) -> WeeklyReport:
    """Now and then a salesperson reports a few more visits than they logged: the manager's review
    page shows the difference."""
    report.refresh_from_db()
    visits = report.kpi_values.filter(kpi__code="visits").first()
    if visits is None or visits.actual is None or rng.random() > 0.15:
        return report
    data = {"kpis": {visits.kpi_id: str(visits.actual + rng.randint(2, 4))}}
    return services.save_draft(report=report, editor=report.author, base_version=report.version, data=data)


def _target(kpi: KPI, rng: random.Random) -> Decimal:
    """A round number, as managers set them: whole thousands of yuan, whole counts."""
    low, high = TARGETS[kpi.code]
    step = 1000 if kpi.unit == KPI.Unit.CNY else 1
    return Decimal(rng.randint(low // step, high // step) * step)


def _actual(targets, kpi, rng) -> Decimal:
    target = next(value for k, value in targets.items() if k.pk == kpi.pk)
    return (target * Decimal(rng.uniform(0.6, 1.3))).quantize(Decimal(1))
