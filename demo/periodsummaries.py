"""Demo monthly summaries: last month's summary of every salesperson, half of them reviewed by
their manager with feedback and a lesson kept as a team practice, the rest waiting in the
manager's queue. Deterministic and safe to run again (summaries already submitted are left
alone)."""

import datetime
import random

from periodsummaries import access, services
from periodsummaries.models import PeriodSummary
from teams.models import Membership, User

OVERVIEWS = [
    "本月整体完成情况良好，重点客户推进顺利，新客户开发略低于预期。",
    "本月销售额未达目标，主要因为大客户订单延期；拜访量和新客户数达标。",
    "本月超额完成销售目标，回款节奏正常，下月重点放在新客户转化。",
]
CAUSES = ["大客户订单延期到下月", "竞品降价抢走一个项目", "一笔大额回款提前到账", "新客户转化周期比预期长"]
LESSONS = [
    "先约技术交流再报价，客户决策更快。",
    "每周固定一天集中拜访同一区域的客户，效率提高。",
    "报价前先确认客户预算区间，减少反复改价。",
]
ACTIONS = [("拿下{c}二期项目", "签约"), ("完成{c}的技术交流", "客户确认方案"), ("确认{c}的年度预算", "拿到预算表")]
CUSTOMERS = ["华为", "比亚迪", "海尔", "美的", "顺丰", "万科"]


def seed_period_summaries(members: list[User], today: datetime.date) -> int:
    """Last month's summaries of the active salespeople; returns how many were submitted now."""
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    created = 0
    for index, member in enumerate(members):
        membership = Membership.objects.active().filter(user=member).select_related("team").first()
        if membership is None or membership.role != Membership.Role.SALESPERSON or member.status != "active":
            continue
        summary = services.open_summary(author=member, level="member", period="month", day=last_month)
        if summary.status != PeriodSummary.Status.DRAFT:
            continue
        rng = random.Random(f"period:{member.username}")  # nosec B311 # repeatable demo text, not secrets
        customer = rng.choice(CUSTOMERS)
        action, measure = rng.choice(ACTIONS)
        lesson = rng.choice(LESSONS)
        summary = services.save_draft(
            summary=summary,
            editor=member,
            base_version=summary.version,
            data={
                "overview": rng.choice(OVERVIEWS),
                "customers": f"重点跟进{customer}，新增两家潜在客户。",
                "process": "线索主要来自老客户转介绍和展会。",
                "market": "竞品在华东区域降价约 8%。",
                "problems": "合同审批流程偏长，影响签约节奏。",
                "lessons": lesson,
                "kpis": {
                    str(row.kpi_id): {
                        "actual": "0" if row.actual is None else str(row.actual),
                        "cause": rng.choice(CAUSES),
                    }
                    for row in summary.kpis.all()
                },
                "plan": [
                    {
                        "item": action.format(c=customer),
                        "owner": member.display_name,
                        "due_on": (today + datetime.timedelta(days=21)).isoformat(),
                        "measure": measure,
                    }
                ],
            },
        )
        summary = services.submit_summary(summary=summary, by=member)
        created += 1
        manager = access.reviewers_of(summary).first()
        if manager is not None and index % 2 == 0:
            services.mark_reviewed(
                summary=summary,
                reviewer=manager,
                praise="总结结构清楚，数据和原因都说明白了。",
                suggestions=f"{customer}项目要提前准备商务方案。",
                goals=[action.format(c=customer)],
                rating=rng.randint(3, 5),
            )
            services.mark_practice(summary=summary, by=manager, title=lesson[:20], text=lesson)
    return created
