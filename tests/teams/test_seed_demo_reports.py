"""The demo's weeks of reports. Apart from test_seed_demo.py, whose module-wide demo (people
and teams only) would still be in the database here."""

from teams.models import User
from tests.teams.test_seed_demo import seed


def test_this_weeks_draft_carries_last_weeks_plan_and_targets(db):
    from reports import services as report_services
    from reports.models import WeeklyReport

    assert "submitted weekly reports" in seed()

    zhangwei = User.objects.get(username="zhangwei")
    report = report_services.open_report(author=zhangwei)
    last = WeeklyReport.objects.filter(author=zhangwei, week_start__lt=report.week_start).latest("week_start")
    assert last.status == WeeklyReport.Status.SUBMITTED
    assert [r.item_text for r in report.plan_reviews.all()] == [p.item for p in last.plan_items.all()]
    assert all(value.target for value in report.kpi_values.all())
    assert WeeklyReport.objects.exclude(late_by=None).exists()  # the queue has late reports to show
