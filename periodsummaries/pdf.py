"""A period summary as PDF, in the weekly report PDF's style (summaries.pdf, WeasyPrint), with
the same figures as its page (selectors.summary_context)."""

from periodsummaries import selectors
from periodsummaries.models import PeriodSummary
from summaries.pdf import template_pdf


def summary_pdf(summary: PeriodSummary, language: str) -> bytes:
    return template_pdf("pdf/period_summary.html", selectors.summary_context(summary), language)
