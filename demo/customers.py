"""Demo customers and sales log: every active salesperson has a list of customers (some new each
week) and a log of the last weeks' visits, calls, quotes, contracts and payments, with a few
follow-ups left overdue. Built before the demo reports, which are then filled from the log.
Deterministic, and safe to run again (people who already have customers are left alone)."""

import datetime
import random
from decimal import Decimal

from customers.models import Activity, Customer
from reports import services as report_services
from reports.customer_names import name_key
from teams.models import Membership, User

WEEKS_BACK = 3
COMPANIES = [
    ("华为技术", "通信设备"),
    ("比亚迪汽车", "汽车"),
    ("海尔智家", "家电"),
    ("美的集团", "家电"),
    ("格力电器", "家电"),
    ("京东方科技", "显示面板"),
    ("顺丰速运", "物流"),
    ("万科企业", "地产"),
    ("招商银行", "金融"),
    ("宁德时代", "新能源"),
    ("中芯国际", "半导体"),
    ("海康威视", "安防"),
    ("立讯精密", "电子制造"),
    ("药明康德", "医药"),
    ("迈瑞医疗", "医疗器械"),
    ("三一重工", "工程机械"),
    ("安踏体育", "消费品"),
    ("伊利股份", "食品"),
    ("小米科技", "消费电子"),
    ("联想集团", "计算机"),
    ("上汽集团", "汽车"),
    ("中兴通讯", "通信设备"),
    ("隆基绿能", "新能源"),
    ("紫金矿业", "矿业"),
    ("恒瑞医药", "医药"),
    ("国药控股", "医药流通"),
    ("中国建材", "建材"),
    ("潍柴动力", "工程机械"),
]
CITIES = ["上海", "杭州", "苏州", "南京", "广州", "深圳", "东莞", "佛山"]
VISIT_OUTCOMES = ["确认新一季度需求", "方案交流，客户认可", "拜访采购部，了解预算", "技术交流，约定试用"]
CALL_OUTCOMES = ["电话确认需求", "沟通报价细节", "约下周拜访", "跟进合同进度", ""]
NEXT_STEPS = ["发送报价", "约技术交流", "跟进合同审批", "安排试用", "约决策层见面"]


def seed_sales_log(members: list[User], today: datetime.date) -> tuple[int, int]:
    """Customers and the last weeks' activities of every active salesperson; (customers, activities)."""
    customer_count = activity_count = 0
    for member in members:
        membership = Membership.objects.active().filter(user=member).select_related("team").first()
        if membership is None or membership.role != Membership.Role.SALESPERSON or member.status != "active":
            continue
        if Customer.objects.filter(owner=member).exists():
            continue
        team_settings = report_services.settings_for(membership.team)
        this_week = team_settings.week_start_for(today)
        rng = random.Random(f"log:{member.username}")  # nosec B311 # repeatable demo data, not secrets
        customers = _customers(member, this_week, today, rng)
        customer_count += len(customers)
        activities = []
        for back in range(WEEKS_BACK, -1, -1):
            week = this_week - datetime.timedelta(weeks=back)
            activities += _week(
                member, membership.team, week, min(today, week + datetime.timedelta(days=4)), customers, rng
            )
        Activity.objects.bulk_create(activities)
        activity_count += len(activities)
    return customer_count, activity_count


def _customers(member: User, this_week: datetime.date, today: datetime.date, rng: random.Random) -> list[Customer]:
    """Eight established customers and one or two new ones in each recent week."""
    picks = rng.sample(COMPANIES, 8 + 2 * (WEEKS_BACK + 1))
    customers = []
    for index, (company, industry) in enumerate(picks):
        name = f"{rng.choice(CITIES)}{company}有限公司" if index % 3 else f"{company}股份有限公司"
        if index < 8:
            created_on = this_week - datetime.timedelta(days=rng.randint(60, 700))
            status = rng.choice([Customer.Status.ACTIVE, Customer.Status.ACTIVE, Customer.Status.LEAD])
        else:
            week = (index - 8) // 2
            if (index - 8) % 2 and rng.random() < 0.5:
                continue
            start = this_week - datetime.timedelta(weeks=WEEKS_BACK - week)
            created_on = min(start + datetime.timedelta(days=rng.randint(0, 2)), today)
            status = Customer.Status.LEAD
        customers.append(
            Customer(
                name=name,
                key=name_key(name),
                industry=industry,
                tier=rng.choice("aabbbcc"),
                status=status,
                owner=member,
                created_on=created_on,
                contact=f"{rng.choice('王李张刘陈杨黄赵')}经理 139{rng.randint(10**7, 10**8 - 1)}",
            )
        )
    return Customer.objects.bulk_create(customers)


def _week(member, team, week, last_day, customers, rng) -> list[Activity]:
    """A working week of the log up to `last_day`: visits and calls every day, a first visit to
    each new customer, quotes now and then, most weeks a contract and a payment, and next steps
    that are mostly, not always, followed up."""
    entries = []
    day = week
    while day <= last_day:
        known = [c for c in customers if c.created_on <= day]
        for customer in (c for c in customers if c.created_on == day):
            entries.append(_entry(member, team, customer, day, Activity.Kind.VISIT, "初次拜访，介绍产品"))
        for _ in range(rng.randint(1, 3)):
            entries.append(
                _entry(
                    member,
                    team,
                    rng.choice(known),
                    day,
                    Activity.Kind.VISIT,
                    rng.choice(VISIT_OUTCOMES),
                    next_step=rng.choice(NEXT_STEPS),
                    next_step_on=day + datetime.timedelta(days=rng.randint(2, 6)),
                )
            )
        for _ in range(rng.randint(3, 7)):
            entries.append(_entry(member, team, rng.choice(known), day, Activity.Kind.CALL, rng.choice(CALL_OUTCOMES)))
        if rng.random() < 0.3:
            entries.append(_entry(member, team, rng.choice(known), day, Activity.Kind.MESSAGE, "微信发送方案资料"))
        if rng.random() < 0.25:
            amount = Decimal(rng.randint(60, 300) * 1000)
            entries.append(_entry(member, team, rng.choice(known), day, Activity.Kind.QUOTE, "正式报价", amount=amount))
        day += datetime.timedelta(days=1)
    established = [c for c in customers if c.status == Customer.Status.ACTIVE and c.created_on <= last_day]
    if established and last_day >= week + datetime.timedelta(days=3):
        if rng.random() < 0.75:
            amount = Decimal(rng.randint(50, 240) * 1000)
            entries.append(
                _entry(
                    member,
                    team,
                    rng.choice(established),
                    last_day,
                    Activity.Kind.CONTRACT,
                    "签订采购合同",
                    amount=amount,
                )
            )
        if rng.random() < 0.65:
            amount = Decimal(rng.randint(40, 160) * 1000)
            entries.append(
                _entry(member, team, rng.choice(established), last_day, Activity.Kind.PAYMENT, "到账", amount=amount)
            )
    return entries


def _entry(member, team, customer, day, kind, outcome, **fields) -> Activity:
    return Activity(author=member, team=team, customer=customer, occurred_on=day, kind=kind, outcome=outcome, **fields)
