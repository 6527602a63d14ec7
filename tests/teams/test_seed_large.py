"""The large demo (`seed_demo --scale large`), built here at a tiny size: the same stages and the
same rules as the benchmark's 1,000 salespeople, checked for consistency. Built once for the module
(a few seconds); the tests that need a second build (the same day builds the same company) or more
on top of it (the pipeline's opportunities) are here too, so that no other module builds it again."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from demo import large as demo_large
from demo import pipeline as demo_pipeline
from pipeline.models import Opportunity
from reports.models import KpiValue, PlanReview, Target, WeeklyReport
from reviews.models import Comment, Feedback, ReviewAction
from teams.models import Membership, Team, User
from tests import demo_data
from tests.pipeline.checks import consistent

TINY = demo_large.Size(regions=2, teams_per_region=2, per_team=8, weeks=12)
TODAY = datetime.date(2026, 11, 25)


def fingerprint(made: dict) -> tuple:
    """What a build made, who it made and who was late: equal for two builds of the same day."""
    names = list(User.objects.order_by("username").values_list("username", "display_name"))
    late = sorted(WeeklyReport.objects.exclude(late_by=None).values_list("author__username", "week_start"))
    return dict(made), names, late


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    # Built once for the module in a transaction rolled back at its end; each test runs inside it
    # and rolls its own changes back as usual.
    with django_db_blocker.unblock(), transaction.atomic():
        state = demo_large.seed(password="demo-2026", today=TODAY, size=TINY)
        yield state, fingerprint(state.made)
        transaction.set_rollback(True)


@pytest.fixture
def state(_seeded, db):
    return _seeded[0]


def test_a_company_of_regions_and_teams_with_managers_and_directors(state):
    assert Team.objects.filter(kind=Team.Kind.REGION).count() == 2
    teams = Team.objects.filter(kind=Team.Kind.TEAM)
    assert teams.count() == 4
    for team in teams:
        assert Membership.objects.active().filter(team=team, role=Membership.Role.MANAGER).exists()
    assert Membership.objects.filter(role=Membership.Role.DIRECTOR, team=state.company).exists()
    # The first team has exactly the average size, so the printed manager has a known team.
    first = state.teams[0]
    current = Membership.objects.active().filter(team=first, role=Membership.Role.SALESPERSON)
    assert current.count() == TINY.per_team
    assert Membership.objects.active().filter(role=Membership.Role.SALESPERSON).count() == 4 * TINY.per_team


def test_every_report_was_written_where_its_author_was_that_week(state):
    reports = WeeklyReport.objects.select_related("author")
    assert reports.count() > 4 * TINY.per_team * TINY.weeks * 0.7
    held = {}
    for m in Membership.objects.filter(role=Membership.Role.SALESPERSON):
        held.setdefault(m.user_id, []).append(m)
    for report in reports:
        assert any(
            m.team_id == report.team_id
            and m.started_on <= report.week_start
            and (m.ended_on is None or report.week_start < m.ended_on)
            for m in held[report.author_id]
        ), report


def test_the_year_has_movers_leavers_late_missing_returned_and_drafts(state):
    assert Membership.objects.filter(ended_on__isnull=False, user__status=User.Status.ACTIVE).exists()  # moved
    leaver = User.objects.filter(status=User.Status.LEFT).first()
    assert leaver is not None and not leaver.is_active
    assert not WeeklyReport.objects.filter(author=leaver, week_start__gte=leaver.left_on).exists()
    assert WeeklyReport.objects.exclude(late_by=None).exists()
    assert WeeklyReport.objects.filter(status=WeeklyReport.Status.RETURNED).exists()
    assert WeeklyReport.objects.filter(status=WeeklyReport.Status.DRAFT, week_start=state.this_week).exists()
    expected = Target.objects.values("member_id", "week_start").distinct().count()
    assert WeeklyReport.objects.count() < expected  # some reports never came


def test_reports_answer_the_previous_plan_and_goals(state):
    reviewed = Feedback.objects.filter(goals__isnull=False).select_related("report").first()
    following = (
        WeeklyReport.objects.filter(author=reviewed.report.author, week_start__gt=reviewed.report.week_start)
        .order_by("week_start")
        .first()
    )
    answered = set(PlanReview.objects.filter(report=following).values_list("goal_id", "plan_item_id"))
    assert {(goal.pk, None) for goal in reviewed.goals.all()} <= answered
    assert {(None, item.pk) for item in reviewed.report.plan_items.all()} <= answered


def test_submitted_reports_have_values_revisions_and_reviews_their_feedback(state):
    submitted = WeeklyReport.objects.exclude(status=WeeklyReport.Status.DRAFT)
    assert not submitted.annotate(n=Count("revisions")).filter(n=0).exists()
    assert KpiValue.objects.filter(report__in=submitted, actual__isnull=True).count() == 0
    reviewed = WeeklyReport.objects.filter(status=WeeklyReport.Status.REVIEWED)
    assert reviewed.filter(feedback__isnull=True).count() == 0
    assert ReviewAction.objects.filter(kind=ReviewAction.Kind.REVIEWED).count() == reviewed.count()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert all(r.reviewed_at <= r.updated_at or r.reviewed_at == r.updated_at for r in reviewed[:50])


def test_history_keeps_its_dates(state):
    oldest = WeeklyReport.objects.exclude(submitted_at=None).order_by("week_start").first()
    assert oldest.created_at.date() < TODAY - datetime.timedelta(weeks=TINY.weeks - 2)
    assert oldest.revisions.get().created_at == oldest.submitted_at


def test_the_command_refuses_to_build_it_twice(state):
    out = StringIO()
    call_command("seed_demo", "--scale", "large", stdout=out)
    assert "already there; nothing was created" in out.getvalue()


def test_the_last_quarter_of_reports_came_from_the_sales_log(state):
    from customers.models import Activity, Customer
    from customers.prefill import log_week

    first = state.this_week - datetime.timedelta(weeks=demo_large.LOG_WEEKS - 1)
    assert not Activity.objects.filter(occurred_on__lt=first).exists()
    assert Customer.objects.values("owner").distinct().count() == len(state.sellers)
    reports = list(
        WeeklyReport.objects.filter(week_start__gte=first, week_start__lt=state.this_week)
        .exclude(status=WeeklyReport.Status.DRAFT)
        .select_related("author")[:40]
    )
    assert reports
    matching = 0
    for report in reports:
        week = log_week(report.author, report.week_start)
        actual = {v.kpi.log_source: (v.actual, v.is_from_log) for v in report.kpi_values.select_related("kpi")}
        for source, (value, from_log) in actual.items():
            assert from_log == (value == week.value(source)), (report, source)
        matching += all(value == week.value(source) for source, (value, _flag) in actual.items())
    # Most weeks add up exactly; a week with sales but no contract cannot, and shows the difference.
    assert matching >= len(reports) * 0.6
    # Everyone, movers included, logged each entry in the team they were in that day.
    held = Membership.objects.filter(
        user=OuterRef("author"), team=OuterRef("team"), started_on__lte=OuterRef("occurred_on")
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("occurred_on")))
    assert not Activity.objects.filter(~Exists(held)).exists()


def test_problems_have_categories_and_some_keep_coming_back(state):
    from reports.models import Problem
    from summaries.problems import overview

    assert not Problem.objects.filter(category__isnull=True).exists()
    found = overview(state.company, state.this_week - datetime.timedelta(weeks=8), TODAY)
    assert found.by_member and found.categories


def test_the_same_day_builds_the_same_company(_seeded, db):
    # A second build on a database as freshly migrated (inside this test's transaction, so rolled
    # back), as the module's was.
    demo_data.as_freshly_migrated()
    again = demo_large.seed(password="x", today=TODAY, size=TINY)
    assert fingerprint(again.made) == _seeded[1]


def test_the_large_demo_gets_opportunities_in_bulk(state):
    made = demo_pipeline.seed_large(TODAY)
    assert made > 0 and Opportunity.objects.count() == made
    consistent()
