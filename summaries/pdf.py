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
    # Imported here: web processes never render, so never load WeasyPrint.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, {**context, "generated_at": timezone.now()})
    # Links are resolved against the site, so the app's own ("/attachments/3/") open the app;
    # the project folder as the base made them file:// links that leaked the install path. The
    # templates need no outside resource (charts are inline SVG), so the renderer fetches none:
    # nothing in a report can make a worker read a file or call a host.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher).write_pdf()


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
