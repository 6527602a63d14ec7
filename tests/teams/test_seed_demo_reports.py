"""The demo's weeks of reports (tests/demo_data.py: seeded once per test process)."""

from teams.models import User
from tests import demo_data


def test_this_weeks_draft_carries_last_weeks_plan_and_targets(db):
    from reports import services as report_services
    from reports.models import WeeklyReport

    assert "submitted weekly reports" in demo_data.seed()

    zhangwei = User.objects.get(username="zhangwei")
    report = report_services.open_report(author=zhangwei)
    last = WeeklyReport.objects.filter(author=zhangwei, week_start__lt=report.week_start).latest("week_start")
    assert last.status == WeeklyReport.Status.SUBMITTED
    assert [r.item_text for r in report.plan_reviews.all()] == [p.item for p in last.plan_items.all()]
    assert all(value.target for value in report.kpi_values.all())
    assert WeeklyReport.objects.exclude(late_by=None).exists()  # the queue has late reports to show
