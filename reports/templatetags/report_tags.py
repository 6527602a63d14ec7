from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from notifications.text import duration_text
from reports import markdown, sections

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(markdown.render(text))  # noqa: S308 # nosec B308, B703 # sanitised by nh3 in markdown.render


@register.filter
def percent(rate: Decimal | None) -> str:
    """0.853 → "85%"; no rate → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.0f}%"


@register.filter
def kpi_number(value: Decimal | None, decimals: int = 0) -> str:
    """A KPI value with the KPI's decimals and thousands separators; empty → "—"."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


register.filter("duration_text", duration_text)


@register.filter
def index(sequence, position: int):
    """sequence[position], for parallel lists in templates."""
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None


@register.filter
def yuan(value: Decimal | None) -> str:
    """An amount in CNY with thousands separators, cents only when there are any: ¥120,000."""
    if value is None:
        return ""
    return f"¥{value:,.0f}" if value == value.to_integral_value() else f"¥{value:,.2f}"


@register.simple_tag
def report_sections(report) -> str:
    """The sections higher apps add to the report (reports/sections.py), read-only, each with
    the author's comment: for the detail and review pages and the PDF."""
    return mark_safe(  # noqa: S308 # nosec B308, B703 # templates escape their own content
        "".join(
            render_to_string(
                section.template,
                {
                    "report": report,
                    "section": section,
                    "comment": report.section_comments.get(section.key, ""),
                    "data": section.context(report),
                },
            )
            for section in sections.for_report(report)
        )
    )
