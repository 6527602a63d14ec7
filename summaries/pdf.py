"""WeasyPrint: HTML templates to PDF. Chinese needs a CJK font on the machine (Debian's
fonts-noto-cjk, installed by `.ci/run`, the Dockerfile and checked by `make install`); WeasyPrint
embeds the subset it uses, so the PDF reads the same anywhere."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reports.models import WeeklyReport
from reports.read_views import sections_context
from reviews.models import Feedback, ReviewAction
from summaries import rollups


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: web processes never render, so never load it

    html = render_to_string(template, {**context, "generated_at": timezone.now()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def report_pdf(report: WeeklyReport, language: str) -> bytes:
    with translation.override(language):
        return _pdf(
            "pdf/report.html",
            {
                **sections_context(report),
                "feedback_list": Feedback.objects.filter(report=report)
                .select_related("reviewer")
                .prefetch_related("goals"),
                "actions": ReviewAction.objects.filter(report=report).select_related("actor"),
            },
        )


def team_week_pdf(summary: rollups.TeamWeek, language: str) -> bytes:
    with translation.override(language):
        return _pdf("pdf/team_week.html", {"summary": summary})


def period_pdf(summary: rollups.Period, language: str) -> bytes:
    with translation.override(language):
        return _pdf("pdf/period.html", {"summary": summary})
