"""The demo company has last month's summaries: some reviewed with feedback and a practice, the
rest waiting for the manager. (Seeding again changes nothing: tests/teams/test_seed_demo.py counts
every model's rows, these included.)"""

from periodsummaries.models import PeriodSummary, Practice, SummaryFeedback
from tests import demo_data


def test_demo_has_submitted_and_reviewed_monthly_summaries(db):
    demo_data.seed()  # seed_demo's rows, seeded once per test process (tests/demo_data.py)
    summaries = PeriodSummary.objects.filter(level="member", period="month")
    assert summaries.filter(status=PeriodSummary.Status.SUBMITTED).exists()
    assert summaries.filter(status=PeriodSummary.Status.REVIEWED).exists()
    assert SummaryFeedback.objects.exists() and Practice.objects.exists()
