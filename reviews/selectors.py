"""Read-side builders of reviews that pages, PDFs and other apps share (views call them)."""

from reports.models import WeeklyReport
from reviews.models import Feedback, ReportRead, ReviewAction


def review_record_context(report: WeeklyReport) -> dict:
    """The feedback, review actions and read receipts of a report (reviews/_record.html), and
    the reason it was returned while it is out for revision."""
    actions = list(ReviewAction.objects.filter(report=report).select_related("actor"))
    returned = [a for a in actions if a.kind == ReviewAction.Kind.RETURNED]
    feedback_list = list(Feedback.objects.filter(report=report).select_related("reviewer").prefetch_related("goals"))
    for feedback in feedback_list:
        feedback.report = report  # the receipt names its author: no query per feedback
    return {
        "feedback_list": feedback_list,
        "actions": actions,
        "reads": ReportRead.objects.filter(report=report).select_related("reader"),
        "latest_return": returned[-1] if returned and report.status == WeeklyReport.Status.RETURNED else None,
    }
