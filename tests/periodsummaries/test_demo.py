"""The demo company has last month's summaries: some reviewed with feedback and a practice, the
rest waiting for the manager; seeding again changes nothing."""

from io import StringIO

from django.core.management import call_command

from periodsummaries.models import PeriodSummary, Practice, SummaryFeedback


def test_demo_has_submitted_and_reviewed_monthly_summaries(db):
    call_command("seed_demo", stdout=StringIO())
    summaries = PeriodSummary.objects.filter(level="member", period="month")
    assert summaries.filter(status=PeriodSummary.Status.SUBMITTED).exists()
    assert summaries.filter(status=PeriodSummary.Status.REVIEWED).exists()
    assert SummaryFeedback.objects.exists() and Practice.objects.exists()
    counts = (summaries.count(), SummaryFeedback.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (summaries.count(), SummaryFeedback.objects.count()) == counts
