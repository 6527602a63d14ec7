"""Problems by category and the ones raised again and again: on the dashboard, in the report editor
and in the admins' list of categories."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports import services as report_services
from reports.customer_names import name_key
from reports.models import Problem, ProblemCategory, ReportRevision, WeeklyReport
from summaries import problems
from tests.reports.test_services import MONDAY, fill
from tests.reports.test_writing import complete
from tests.reviews.test_pages import submitted

WEEKS = [
    datetime.date(2026, 11, 2),
    datetime.date(2026, 11, 9),
    datetime.date(2026, 11, 16),
    datetime.date(2026, 11, 23),
]
NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def category(name_zh: str) -> ProblemCategory:
    return ProblemCategory.objects.get(name_zh=name_zh)


def raise_problems(member, week, *rows):
    """A submitted report of `week` naming (category, text, customer) problems."""
    report = submitted(member, week=week)
    for position, (name, text, customer) in enumerate(rows):
        Problem.objects.create(
            report=report,
            position=position,
            problem=text,
            category=category(name) if name else None,
            customer=customer,
            customer_key=name_key(customer),
        )
    return report


@pytest.fixture
def month_of_problems(rep, other_rep, outsider):
    raise_problems(rep, WEEKS[0], ("价格", "华为嫌贵", "华为"), ("竞争", "华为在看竞品", "华为技术有限公司"))
    raise_problems(rep, WEEKS[1], ("价格", "报价还是高", ""))
    raise_problems(rep, WEEKS[2])
    raise_problems(rep, WEEKS[3], ("价格", "价格仍是障碍，申请特价", ""))
    raise_problems(other_rep, WEEKS[0], ("交付", "交期两周", ""))
    raise_problems(other_rep, WEEKS[1], ("交付", "交期还是长", ""))
    raise_problems(other_rep, WEEKS[2], ("交付", "交期改善中", ""), ("竞争", "华为比较竞品", "华为技术"))
    raise_problems(
        other_rep, WEEKS[3], ("竞争", "华为要求降价对标竞品", "华为技术 有限公司"), (None, "旧问题没有分类", "")
    )
    raise_problems(outsider, WEEKS[3], ("价格", "别的团队的问题", ""))


def test_categories_are_counted_for_the_period_with_their_share(team, month_of_problems):
    overview = problems.overview(team, *NOVEMBER)
    counts = {(row.category.name_zh if row.category else None): (row.count, row.people) for row in overview.categories}
    assert counts == {"价格": (3, 1), "交付": (3, 1), "竞争": (3, 2), None: (1, 1)}
    assert overview.total == 10
    assert sum(row.share for row in overview.categories) == 1


def test_a_problem_still_raised_in_the_latest_week_after_three_weeks_recurs(team, rep, month_of_problems):
    overview = problems.overview(team, *NOVEMBER)
    # rep's price problem: three weeks and still there; other_rep's delivery problem went away.
    assert [(r.member, r.category.name_zh, r.weeks) for r in overview.by_member] == [(rep, "价格", 3)]
    assert overview.by_member[0].latest.problem == "价格仍是障碍，申请特价"
    assert (overview.by_member[0].first, overview.by_member[0].last) == (WEEKS[0], WEEKS[3])
    # 华为's competition problem, whoever raised it and however its name was written.
    [customer] = overview.by_customer
    assert (customer.category.name_zh, customer.weeks, customer.people) == ("竞争", 3, 2)
    assert customer.latest.problem == "华为要求降价对标竞品"


def test_a_short_period_looks_back_far_enough_to_see_what_recurs(team, rep, month_of_problems):
    week = problems.overview(team, WEEKS[3], WEEKS[3] + datetime.timedelta(days=6))
    assert [row.category.name_zh for row in week.categories if row.category] == ["价格", "竞争"]
    assert [r.member for r in week.by_member] == [rep]


def test_the_dashboard_shows_the_categories_and_what_recurs(client, lead, rep, team, month_of_problems):
    client.force_login(lead)
    response = client.get(reverse("insights:dashboard", args=[team.pk]), {"period": "month", "day": "2026-11-20"})
    page = response.content.decode()
    assert 'id="problem-categories"' in page and "Problems by category" in page
    assert f'data-recurring-member="{rep.pk}"' in page and "价格仍是障碍，申请特价" in page
    assert "华为要求降价对标竞品" in page
    assert "别的团队的问题" not in page


def test_a_problem_row_takes_a_category_and_a_customer(client, rep, wednesday_report):
    price = category("价格")
    client.force_login(rep)
    data = complete(
        wednesday_report,
        problems=[{"problem": "客户嫌贵", "category": str(price.pk), "customer": "华为", "cause": "", "action": ""}],
    )
    response = client.post(reverse("reports:submit", args=[wednesday_report.pk]), data)
    assert response.status_code == 302
    problem = Problem.objects.get(report=wednesday_report)
    assert (problem.category, problem.customer, problem.customer_key) == (price, "华为", "华为")
    revision = ReportRevision.objects.get(report=wednesday_report)
    assert revision.snapshot["problems"][0]["category"] == "价格"
    page = client.get(wednesday_report.get_absolute_url()).content.decode()
    assert "客户嫌贵" in page and "Price" in page


def test_a_problem_without_a_category_cannot_be_submitted(client, rep, wednesday_report):
    client.force_login(rep)
    data = complete(wednesday_report, problems=[{"problem": "客户嫌贵", "category": "", "customer": ""}])
    response = client.post(reverse("reports:submit", args=[wednesday_report.pk]), data)
    assert response.status_code == 200
    assert "Choose a category for every problem." in response.content.decode()
    wednesday_report.refresh_from_db()
    assert wednesday_report.status == WeeklyReport.Status.DRAFT
    assert Problem.objects.get(report=wednesday_report).problem == "客户嫌贵"  # kept as the draft


def test_an_unknown_category_is_refused_next_to_the_rows(client, rep, wednesday_report):
    client.force_login(rep)
    data = complete(wednesday_report, problems=[{"problem": "客户嫌贵", "category": "99999", "customer": ""}])
    response = client.post(reverse("reports:edit", args=[wednesday_report.pk]), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Problem.objects.exists()


def test_a_deactivated_category_stays_on_the_reports_that_use_it(client, rep, wednesday_report):
    price = category("价格")
    fill(
        wednesday_report,
        problems=[
            {
                "problem": "客户嫌贵",
                "category": str(price.pk),
                "customer": "",
                "cause": "",
                "action": "",
                "help_needed": "",
            }
        ],
    )
    ProblemCategory.objects.filter(pk=price.pk).update(is_active=False)
    client.force_login(rep)
    page = client.get(reverse("reports:edit", args=[wednesday_report.pk])).content.decode()
    assert f'<option value="{price.pk}" selected>' in page
    other = report_services.open_report(author=rep, week_start=MONDAY + datetime.timedelta(days=7))
    assert f'<option value="{price.pk}"' not in client.get(reverse("reports:edit", args=[other.pk])).content.decode()


def test_admins_keep_the_categories(client, admin, lead):
    client.force_login(lead)
    assert client.get(reverse("reports:problem_category_list")).status_code == 403
    client.force_login(admin)
    url = reverse("reports:problem_category_create")
    response = client.post(url, {"name_zh": "价格", "name_en": "Pricing", "position": 9, "is_active": "on"})
    assert "Another category already has this name." in response.content.decode()
    assert 'value="Pricing"' in response.content.decode()
    response = client.post(url, {"name_zh": "资质", "name_en": "Qualification", "position": 9, "is_active": "on"})
    assert response.status_code == 302
    created = ProblemCategory.objects.get(name_zh="资质")
    assert AuditEntry.objects.filter(target_id=created.pk, action=AuditEntry.Action.CREATED).exists()
    client.post(
        reverse("reports:problem_category_edit", args=[created.pk]),
        {"name_zh": "资质", "name_en": "Qualification", "position": 9},
    )
    created.refresh_from_db()
    assert not created.is_active
    assert "资质" in client.get(reverse("reports:problem_category_list")).content.decode()


@pytest.fixture
def wednesday_report(rep, time_machine):
    from tests.reports.test_services import at

    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    return report_services.open_report(author=rep, week_start=MONDAY)
