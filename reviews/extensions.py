"""The review record's part of the report pages and life (reports.extensions.ReviewRecord), set in
ReviewsConfig.ready()."""

from django.http import HttpRequest

from reports.models import WeeklyReport
from reviews import services
from reviews.comment_views import thread_context
from reviews.models import FeedbackGoal, ReviewAction
from reviews.selectors import review_record_context
from teams.models import User


class ReviewRecord:
    def detail_context(self, request: HttpRequest, report: WeeklyReport) -> dict:
        """The feedback, the readers (this reading recorded) and the comments under a report."""
        record = review_record_context(report)
        record["reads"] = services.record_reading(report=report, reader=request.user, feedback=record["feedback_list"])
        return {**record, **thread_context(request, report)}

    def is_withdrawable(self, report: WeeklyReport) -> bool:
        return services.is_withdrawable(report)

    def latest_return(self, report: WeeklyReport) -> ReviewAction | None:
        """Why a report out for revision was returned, shown above the form."""
        if report.status != WeeklyReport.Status.RETURNED:
            return None
        return report.review_actions.filter(kind=ReviewAction.Kind.RETURNED).select_related("actor").last()

    def last_returner(self, report: WeeklyReport) -> User | None:
        """Who last returned the report for revision, if anyone did."""
        returned = report.review_actions.filter(kind=ReviewAction.Kind.RETURNED).select_related("actor").last()
        return returned.actor if returned else None

    def goals_of(self, report: WeeklyReport) -> list[FeedbackGoal]:
        """The goals the report's feedback set for the next week."""
        return list(FeedbackGoal.objects.filter(feedback__report=report))
