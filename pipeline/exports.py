"""The team's opportunities as a spreadsheet (CSV with a BOM for Excel, or XLSX): the same
columns the import reads, plus what the pipeline computes."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    """Text a spreadsheet must show as text, never run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


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
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Pipeline"))
        sheet.append(header())
        for row in rows(opportunities):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                cells.append(cell)
            sheet.append(cells)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow(header())
    for row in rows(opportunities):
        writer.writerow(["" if v is None else _safe(v) if isinstance(v, str) else v for v in row])
    return text.getvalue().encode("utf-8")
