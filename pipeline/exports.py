"""The team's opportunities as a spreadsheet (CSV with a BOM for Excel, or XLSX): the same
columns the import reads, plus what the pipeline computes."""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from teams import spreadsheets

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")


def header() -> list[str]:
    return [
        _("Customer"),
        _("Owner"),
        _("Opportunity"),
        _("Amount (CNY)"),
        _("Stage"),
        _("Probability (%)"),
        _("Weighted amount"),
        _("Expected close"),
        _("Lead source"),
        _("Competitor"),
        _("Why lost"),
        _("Created"),
        _("Closed"),
    ]


def rows(opportunities) -> Iterator[list]:
    chosen = opportunities.select_related("customer__owner", "stage", "lead_source").order_by(
        "customer__owner__username", "expected_close_on", "pk"
    )
    for o in chosen.iterator(chunk_size=2000):
        yield [
            o.customer.name,
            str(o.customer.owner),
            o.name,
            o.amount,
            o.stage.name,
            o.stage.probability,
            (o.amount * o.stage.probability / 100).quantize(CENT),
            o.expected_close_on,
            o.lead_source.name if o.lead_source else "",
            o.competitor,
            o.loss_reason,
            o.created_on,
            o.closed_on,
        ]


def render(opportunities, *, file_format: str) -> bytes:
    if file_format == "xlsx":
        return spreadsheets.write_xlsx(header(), rows(opportunities), _no_progress, title=_("Pipeline"))
    return spreadsheets.write_csv(header(), rows(opportunities), _no_progress)


def _no_progress(count: int) -> None:
    """Exports of one team are written within the request: nobody watches their progress."""
