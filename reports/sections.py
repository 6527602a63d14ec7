"""Report sections that higher apps add to every weekly report (e.g. the pipeline's changes).

reports sits below those apps and must not import them, so it owns this small registry and the
higher app registers a section in its AppConfig.ready(). A section is pre-filled from data the
author has elsewhere and has one comment box; the comment is saved with the report
(WeeklyReport.section_comments[key]), autosaved and versioned like the other fields. The edit
page, the detail page, the review page (beside the KPIs) and the PDF render every section that
applies to the report through its template, with the context the section computes.
"""

from typing import Protocol

from reports.models import WeeklyReport

COMMENT_MAX_LENGTH = 5000


class ReportSection(Protocol):
    key: str  # the key of the comment in WeeklyReport.section_comments; a slug
    title: str  # shown as the section's heading
    comment_label: str
    # Rendered with report, section, data (= context(report)) and either `comment` (the saved
    # text, read-only pages and the PDF) or `field` (the comment box, on the edit page).
    template: str

    def applies(self, report: WeeklyReport) -> bool:
        """Whether the report shows the section at all (one query at most)."""
        ...

    def context(self, report: WeeklyReport) -> dict:
        """What the template shows: a fixed number of queries, whatever the data size."""
        ...


_sections: dict[str, ReportSection] = {}


def register(section: ReportSection) -> None:
    _sections[section.key] = section


def registered() -> list[ReportSection]:
    return list(_sections.values())


def for_report(report: WeeklyReport) -> list[ReportSection]:
    """The registered sections this report shows."""
    return [section for section in _sections.values() if section.applies(report)]


def field_name(section: ReportSection) -> str:
    return f"section_{section.key}"
