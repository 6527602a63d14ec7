"""WeasyPrint: HTML templates to PDF. Chinese is set in Noto Sans SC, whole TrueType files that
`make install` brings from the npm registry (settings.PDF_FONTS), loaded with @font-face, so no
system font is needed; WeasyPrint embeds the subset it uses, so the PDF reads the same anywhere."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reports.models import WeeklyReport
from reports.selectors import sections_context
from reviews.models import Feedback, ReviewAction
from summaries import rollups


def html_to_pdf(html: str) -> bytes:
    # Imported here: web processes never render, so never load WeasyPrint.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fonts = {path.as_uri() for path in settings.PDF_FONTS.values()}

    class Fetcher(URLFetcher):
        """Inline data and the bundled font files, nothing else: nothing in a report can make a
        worker read a file or call a host (charts are inline SVG)."""

        def fetch(self, url, headers=None):
            if not url.startswith("data:") and url not in fonts:
                raise ValueError(f"PDFs load no outside resource: {url}")
            return super().fetch(url, headers)

    # Links are resolved against the site, so the app's own ("/attachments/3/") open the app; the
    # project folder as the base made them file:// links that leaked the install path.
    fetcher = Fetcher(allowed_protocols={"data", "file"})
    return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher).write_pdf()


def _html(template: str, context: dict) -> str:
    fonts = [{"weight": weight, "url": path.as_uri()} for weight, path in settings.PDF_FONTS.items()]
    return render_to_string(template, {**context, "generated_at": timezone.now(), "pdf_fonts": fonts})


def _pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(_html(template, context))


def report_pdf(report: WeeklyReport, language: str) -> bytes:
    return html_to_pdf(report_html(report, language))


def report_html(report: WeeklyReport, language: str) -> str:
    with translation.override(language):
        return _html(
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


def template_pdf(template: str, context: dict, language: str) -> bytes:
    """Any PDF template of the house style (pdf/base.html, the bundled fonts) in `language`."""
    with translation.override(language):
        return _pdf(template, context)
