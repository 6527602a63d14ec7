"""Period summaries: pre-filled figures (the roll-ups' own), causes beyond the team's threshold,
the action-item loop across two periods, lost-update protection, submission and review."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from notifications.models import Notification
from periodsummaries import selectors, services
from periodsummaries.models import PeriodSummary, SummaryConflict
from reports import services as report_services
from reports.models import KPI
from summaries import rollups
from tests.reports.test_services import fill

NOVEMBER = datetime.date(2026, 11, 1)
WEEKS = [datetime.date(2026, 11, 2), datetime.date(2026, 11, 9)]


def submitted_weeks(member, manager, sales=("60000", "40000"), target=Decimal(60000)):
    """Two submitted weekly reports of November with a sales target of `target` each week."""
    kpi = KPI.objects.get(code="sales_amount")
    for week, amount in zip(WEEKS, sales, strict=True):
        report_services.set_targets(actor=manager, member=member, week_start=week, values={kpi: target})
        report = report_services.open_report(author=member, week_start=week)
        kpis = {v.kpi_id: "5" for v in report.kpi_values.all()} | {kpi.pk: amount}
        report_services.submit_report(report=fill(report, kpis=kpis), by=member)
    return kpi


def complete(summary: PeriodSummary, **overrides) -> PeriodSummary:
    """Fill in what submitting needs: an overview, causes everywhere, answers, one action."""
    data = {
        "overview": "本月完成销售额十万元。",
        "lessons": "先约技术交流再报价，成交更快。",
        "kpis": {
            str(row.kpi_id): {"actual": "0" if row.actual is None else str(row.actual), "cause": "华为项目延期"}
            for row in summary.kpis.all()
        },
        "action_reviews": {str(r.pk): {"outcome": "done", "note": ""} for r in summary.action_reviews.all()},
        "plan": [{"item": "拿下华为二期", "owner": "张伟", "due_on": "2026-12-20", "measure": "签约50万"}],
        **overrides,
    }
    return services.save_draft(summary=summary, editor=summary.author, base_version=summary.version, data=data)


def test_figures_are_prefilled_from_the_same_rollup_as_the_period_pages(rep, lead):
    kpi = submitted_weeks(rep, lead)
    summary = services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)
    row = summary.kpis.get(kpi=kpi)
    total = rollups.kpi_series(start=summary.start, end=summary.end, member=rep).total(kpi)
    assert (row.prefilled, row.actual, row.target) == (total.actual, total.actual, total.target)
    assert row.actual == Decimal(100000) and row.target == Decimal(120000)
    assert not row.is_changed


def test_a_figure_the_author_changes_keeps_the_prefilled_one_beside_it(rep, lead):
    kpi = submitted_weeks(rep, lead)
    summary = services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)
    complete(summary, kpis={str(kpi.pk): {"actual": "105000", "cause": "一笔回款计入本月"}})
    row = summary.kpis.get(kpi=kpi)
    assert row.actual == Decimal(105000) and row.prefilled == Decimal(100000) and row.is_changed


def test_causes_are_required_only_beyond_the_teams_threshold(rep, lead, team):
    kpi = submitted_weeks(rep, lead)  # 100,000 of 120,000: 16.7 % short
    summary = services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)
    summary = complete(summary, kpis={})
    summary.kpis.update(cause="")
    with pytest.raises(ValidationError) as exc:
        services.submit_summary(summary=summary, by=rep)
    assert f"cause_{kpi.pk}" in exc.value.message_dict
    assert PeriodSummary.objects.get(pk=summary.pk).status == PeriodSummary.Status.DRAFT

    services.set_deviation_percent(team=team.parent, percent=20)  # set on the region, inherited
    assert selectors.deviation_percent(team) == 20
    assert services.submit_summary(summary=summary, by=rep).status == PeriodSummary.Status.SUBMITTED


def test_action_items_come_back_as_next_periods_checklist(rep, lead):
    submitted_weeks(rep, lead)
    november = complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    services.submit_summary(summary=november, by=rep)

    december = services.open_summary(author=rep, level="member", period="month", day=datetime.date(2026, 12, 5))
    [review] = december.action_reviews.all()
    assert review.item_text == "拿下华为二期"
    december = complete(december, action_reviews={})
    with pytest.raises(ValidationError) as exc:
        services.submit_summary(summary=december, by=rep)
    assert f"action_review_{review.pk}" in exc.value.message_dict

    december = complete(
        december, action_reviews={str(review.pk): {"outcome": "not_done", "note": "客户预算推迟到一月"}}
    )
    services.submit_summary(summary=december, by=rep)
    review.refresh_from_db()
    assert (review.outcome, review.note) == ("not_done", "客户预算推迟到一月")
    # November's plan is answered now: it can no longer change, even if November comes back.
    services.return_for_revision(summary=november, reviewer=lead, reason="补充市场部分")
    november.refresh_from_db()
    with pytest.raises(ValidationError):
        complete(november, plan=[{"item": "另一个计划"}])
    assert list(november.action_items.values_list("item", flat=True)) == ["拿下华为二期"]


def test_a_save_from_an_old_version_is_refused_and_kept(rep):
    summary = services.open_summary(author=rep, level="member", period="quarter", day=NOVEMBER)
    start = summary.version
    services.save_draft(summary=summary, editor=rep, base_version=start, data={"overview": "第一个标签页"})
    with pytest.raises(services.SummaryConflictError):
        services.save_draft(summary=summary, editor=rep, base_version=start, data={"overview": "第二个标签页"})
    summary.refresh_from_db()
    assert summary.overview == "第一个标签页"
    conflict = SummaryConflict.objects.get(summary=summary)
    services.resolve_conflict(conflict=conflict, editor=rep)
    summary.refresh_from_db()
    assert summary.overview == "第二个标签页"
    assert (summary.start, summary.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))


def test_submit_review_and_return_tell_the_right_people(rep, lead):
    submitted_weeks(rep, lead)
    summary = complete(services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    services.submit_summary(summary=summary, by=rep)
    told = Notification.objects.get(kind=Notification.Kind.PERIOD_SUBMITTED)
    assert told.recipient == lead and "2026-11" in told.title

    services.return_for_revision(summary=summary, reviewer=lead, reason="请补充竞争对手分析")
    assert Notification.objects.get(kind=Notification.Kind.PERIOD_RETURNED).recipient == rep
    summary.refresh_from_db()
    complete(summary, market="竞品降价百分之十。")
    services.submit_summary(summary=summary, by=rep)
    assert summary.revisions.count() == 2

    services.mark_reviewed(summary=summary, reviewer=lead, praise="目标拆解清楚", goals=["一月拜访十家新客户"])
    summary.refresh_from_db()
    assert summary.status == PeriodSummary.Status.REVIEWED
    assert Notification.objects.get(kind=Notification.Kind.PERIOD_FEEDBACK).recipient == rep
    with pytest.raises(ValidationError):
        services.mark_reviewed(summary=summary, reviewer=lead, praise="again")


def test_a_team_summary_shows_its_members_summaries_and_goes_to_the_level_above(rep, other_rep, lead, team):
    from teams.models import Membership
    from tests.factories import member_of

    region_manager = member_of(team.parent, Membership.Role.MANAGER, username="region")
    for person in (rep, other_rep):
        services.submit_summary(
            summary=complete(services.open_summary(author=person, level="member", period="month", day=NOVEMBER)),
            by=person,
        )
    draft = services.open_summary(author=other_rep, level="member", period="quarter", day=NOVEMBER)
    team_summary = services.open_summary(author=lead, level="team", period="month", day=NOVEMBER)
    assert [s.author for s in selectors.member_summaries(team_summary)] == sorted(
        [rep, other_rep], key=lambda u: u.display_name
    )
    assert draft not in selectors.member_summaries(team_summary)
    services.submit_summary(summary=complete(team_summary), by=lead)
    assert Notification.objects.get(kind=Notification.Kind.PERIOD_SUBMITTED, data__author=str(lead)).recipient == (
        region_manager
    )


def test_salespeople_write_no_team_summary_and_directors_none(rep, director):
    with pytest.raises(ValidationError):
        services.open_summary(author=rep, level="team", period="month", day=NOVEMBER)
    with pytest.raises(ValidationError):
        services.open_summary(author=director, level="member", period="year", day=NOVEMBER)


def test_practices_are_kept_per_team_and_searchable(rep, lead, team):
    summary = complete(services.open_summary(author=rep, level="member", period="year", day=NOVEMBER))
    assert (summary.start, summary.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    with pytest.raises(ValidationError):
        services.mark_practice(summary=summary, by=rep, title="", text="")
    services.mark_practice(summary=summary, by=rep, title="先技术交流后报价", text="先约技术交流再报价，成交更快。")
    services.mark_practice(summary=summary, by=lead, title="周报当天回复", text="客户消息两小时内回复。")
    assert [p.title for p in selectors.practices_of(team, "报价")] == ["先技术交流后报价"]
    assert len(selectors.practices_of(team.parent)) == 2


def test_refreshing_takes_new_weeks_and_keeps_what_the_author_changed(rep, lead):
    kpi = submitted_weeks(rep, lead)
    summary = services.open_summary(author=rep, level="member", period="month", day=NOVEMBER)
    visits = summary.kpis.exclude(kpi=kpi).first()
    summary = complete(summary, kpis={str(visits.kpi_id): {"actual": "99", "cause": ""}})
    week = datetime.date(2026, 11, 16)
    report = report_services.open_report(author=rep, week_start=week)
    report_services.submit_report(
        report=fill(report, kpis={v.kpi_id: "5" for v in report.kpi_values.all()} | {kpi.pk: "20000"}), by=rep
    )

    changed = services.refresh_figures(summary=summary)
    sales, visits = summary.kpis.get(kpi=kpi), summary.kpis.get(pk=visits.pk)
    assert sales in changed and (sales.prefilled, sales.actual) == (Decimal(120000), Decimal(120000))
    assert (visits.prefilled, visits.actual) == (Decimal(15), Decimal(99))  # the author's stays
