import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from reports import services
from reports.models import KPI, DraftConflict, ReportRevision, ReportTemplate, Target, TeamSettings, WeeklyReport

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 11, 16)


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0, zone=SHANGHAI) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)


def fill(report: WeeklyReport, **overrides) -> WeeklyReport:
    """A complete draft: summary, every KPI, every carried item answered, one plan item."""
    data = {
        "summary": "拜访了三家客户",
        "kpis": {v.kpi_id: "5" for v in report.kpi_values.all()},
        "plan_reviews": {r.pk: {"outcome": "done", "note": ""} for r in report.plan_reviews.all()},
        "plan": [{"item": "跟进华为报价", "customer": "华为", "due_on": None}],
        **overrides,
    }
    return services.save_draft(report=report, editor=report.author, base_version=report.version, data=data)


@pytest.mark.parametrize(
    ("actual", "target", "rate"),
    [
        (Decimal(8), Decimal(10), Decimal("0.8")),
        (Decimal(0), Decimal(10), Decimal(0)),
        (Decimal(5), Decimal(0), None),
        (Decimal(5), None, None),
        (None, Decimal(10), None),
    ],
)
def test_achievement_rate(actual, target, rate):
    assert services.achievement(actual, target) == rate


def test_default_kpis_and_template_ship_with_the_database(db):
    assert set(KPI.objects.values_list("name_zh", flat=True)) >= {
        "销售额",
        "签约数",
        "客户拜访",
        "电话沟通",
        "新客户",
        "回款",
    }
    version = services.current_version(ReportTemplate.objects.get(name=services.DEFAULT_TEMPLATE_NAME))
    assert version.kpis.count() == 6


def test_this_week_is_computed_in_the_team_time_zone(team, other_team):
    TeamSettings.objects.create(team=team, time_zone="America/Los_Angeles")
    # Monday 06:00 in Shanghai is still Sunday afternoon in Los Angeles: last week there.
    now = at(MONDAY, 6)
    assert services.current_week_start(services.settings_for(team), now) == MONDAY - datetime.timedelta(days=7)
    assert services.current_week_start(services.settings_for(other_team), now) == MONDAY


def test_sub_teams_inherit_settings_and_template_from_the_nearest_ancestor(company, east, team):
    special = ReportTemplate.objects.create(name="Key accounts")
    TeamSettings.objects.create(team=company, template=special, deadline_weekday=3)
    TeamSettings.objects.create(team=east, deadline_weekday=5)
    effective = services.settings_for(team)
    assert effective.deadline_weekday == 5  # east's calendar
    assert effective.template == special  # company's template, since east names none


@pytest.mark.parametrize(
    ("when", "late"),
    [
        (at(MONDAY + datetime.timedelta(days=4), 18, 0, 0), None),
        (at(MONDAY + datetime.timedelta(days=4), 18, 0, 1), datetime.timedelta(seconds=1)),
        (at(MONDAY + datetime.timedelta(days=4), 10, 0, 0, ZoneInfo("UTC")), datetime.timedelta(hours=0)),
    ],
)
def test_late_flag_at_the_exact_deadline(team, when, late):
    # Friday 18:00 Shanghai; 10:00 UTC is exactly 18:00 in Shanghai.
    result = services.lateness(services.settings_for(team), MONDAY, when)
    assert result == (None if late == datetime.timedelta(0) else late)


@pytest.mark.parametrize(
    ("when", "is_late"),
    [
        (at(MONDAY + datetime.timedelta(days=6), 23, 59, 59, ZoneInfo("Asia/Kolkata")), False),
        (at(MONDAY + datetime.timedelta(days=7), 0, 0, 0, ZoneInfo("Asia/Kolkata")), False),
        (at(MONDAY + datetime.timedelta(days=7), 0, 0, 1, ZoneInfo("Asia/Kolkata")), True),
        # 02:00 in Shanghai is still 23:30 on Sunday in Kolkata: on time there.
        (at(MONDAY + datetime.timedelta(days=7), 2, 0, 0), False),
    ],
)
def test_a_midnight_deadline_in_another_time_zone(team, when, is_late):
    TeamSettings.objects.create(
        team=team, time_zone="Asia/Kolkata", deadline_weekday=0, deadline_time=datetime.time(0, 0)
    )
    assert (services.lateness(services.settings_for(team), MONDAY, when) is not None) is is_late


def test_grace_period_delays_late(team):
    TeamSettings.objects.create(team=team, grace_minutes=30)
    friday = MONDAY + datetime.timedelta(days=4)
    assert services.lateness(services.settings_for(team), MONDAY, at(friday, 18, 29)) is None
    assert services.lateness(services.settings_for(team), MONDAY, at(friday, 18, 31)) == datetime.timedelta(minutes=31)


def test_a_monday_deadline_is_the_monday_after_the_week(team):
    row = TeamSettings.objects.create(team=team, deadline_weekday=0, deadline_time=datetime.time(10))
    assert row.deadline_for(MONDAY) == at(MONDAY + datetime.timedelta(days=7), 10)
    assert row.review_day_for(MONDAY) == MONDAY + datetime.timedelta(days=14)


def test_one_report_per_member_and_week(rep):
    report = services.open_report(author=rep, week_start=MONDAY)
    assert services.open_report(author=rep, week_start=MONDAY) == report
    with pytest.raises(IntegrityError):
        WeeklyReport.objects.create(
            author=rep, team=report.team, week_start=MONDAY, template_version=report.template_version
        )


def test_new_report_carries_last_weeks_plan_and_this_weeks_targets(rep, lead):
    sales = KPI.objects.get(code="sales_amount")
    services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={sales: Decimal(50000)})
    last = services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))
    fill(last, plan=[{"item": "拜访阿里", "customer": "阿里", "due_on": None}, {"item": "发报价", "customer": ""}])
    report = services.open_report(author=rep, week_start=MONDAY)
    assert [r.item_text for r in report.plan_reviews.all()] == ["拜访阿里", "发报价"]
    assert report.kpi_values.get(kpi=sales).target == Decimal(50000)


def test_a_save_from_an_old_version_is_refused_and_both_texts_are_kept(rep):
    report = services.open_report(author=rep, week_start=MONDAY)
    start = report.version
    services.save_draft(report=report, editor=rep, base_version=start, data={"summary": "first tab"})
    with pytest.raises(services.ReportConflict) as exc:
        services.save_draft(report=report, editor=rep, base_version=start, data={"summary": "second tab"})
    report.refresh_from_db()
    assert report.summary == "first tab"
    assert exc.value.conflict.data["summary"] == "second tab"
    assert DraftConflict.objects.get(report=report).base_version == start


@pytest.mark.parametrize("bad", ["-1", "abc", "1e400", "NaN", "99999999999999"])
def test_bad_kpi_values_change_nothing(rep, bad):
    report = services.open_report(author=rep, week_start=MONDAY)
    kpi_id = report.kpi_values.first().kpi_id
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            report=report, editor=rep, base_version=report.version, data={"summary": "text", "kpis": {kpi_id: bad}}
        )
    assert f"kpi_{kpi_id}" in exc.value.message_dict
    report.refresh_from_db()
    assert report.summary == "" and report.version == 1


def test_submit_needs_every_required_part(rep):
    report = services.open_report(author=rep, week_start=MONDAY)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(report=report, by=rep)
    assert {"summary", "plan"} <= set(exc.value.message_dict)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.DRAFT


def test_late_submission_records_how_late_and_a_revision(rep):
    report = fill(services.open_report(author=rep, week_start=MONDAY))
    friday = MONDAY + datetime.timedelta(days=4)
    services.submit_report(report=report, by=rep, at=at(friday, 20, 30))
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert report.late_by == datetime.timedelta(hours=2, minutes=30)
    revision = report.revisions.get()
    assert revision.kind == ReportRevision.Kind.SUBMITTED and revision.snapshot["summary"] == "拜访了三家客户"
    with pytest.raises(ValidationError):
        services.save_draft(report=report, editor=rep, base_version=report.version, data={"summary": "changed"})


def test_monthly_target_spreads_exactly_over_the_weeks(team):
    weeks = services.weeks_of_month(services.settings_for(team), 2026, 11)
    assert weeks == [datetime.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    shares = services.spread_monthly_target(Decimal("100000.00"), len(weeks), 2)
    assert sum(shares) == Decimal("100000.00") and shares[0] == Decimal("20000.00")


def test_setting_a_target_updates_open_drafts(rep, lead):
    report = services.open_report(author=rep, week_start=MONDAY)
    visits = KPI.objects.get(code="visits")
    services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(12)})
    assert report.kpi_values.get(kpi=visits).target == Decimal(12)
    assert Target.objects.get(member=rep, kpi=visits).set_by == lead


def test_every_bad_kpi_is_reported_at_once(rep):
    report = services.open_report(author=rep, week_start=MONDAY)
    first, second = [v.kpi_id for v in report.kpi_values.all()[:2]]
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            report=report, editor=rep, base_version=report.version, data={"kpis": {first: "-3", second: "x"}}
        )
    assert {f"kpi_{first}", f"kpi_{second}"} <= set(exc.value.message_dict)


def test_rows_without_their_main_text_are_refused(rep):
    report = services.open_report(author=rep, week_start=MONDAY)
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            report=report,
            editor=rep,
            base_version=report.version,
            data={"problems": [{"problem": "", "cause": "价格"}], "plan": [{"item": "", "customer": "华为"}]},
        )
    assert set(exc.value.message_dict) == {"problems", "plan"}
    assert not report.problems.exists()


def test_an_answered_plan_can_be_resaved_unchanged_but_not_changed(rep):
    last = fill(services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7)))
    services.open_report(author=rep, week_start=MONDAY)  # answers last week's plan
    same = [{"item": "跟进华为报价", "customer": "华为", "due_on": None}]
    last = services.save_draft(report=last, editor=rep, base_version=last.version, data={"plan": same})
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            report=last, editor=rep, base_version=last.version, data={"plan": [{"item": "别的计划", "customer": ""}]}
        )
    assert "plan" in exc.value.message_dict
    assert [p.item for p in last.plan_items.all()] == ["跟进华为报价"]
