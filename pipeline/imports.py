"""Importing opportunities from a spreadsheet (.csv or .xlsx): preview with every row checked by
the same rules as typing them in (pipeline.services), then all rows or none. Mirrors
customers/imports.py, whose owner lookup and date reading it reuses: the customer must already
be one of the owner's customers; stages and lead sources are named as configured."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditEntry
from audit.services import record
from customers.imports import OWNER, Owners
from customers.imports import _date as parse_date
from customers.models import Customer
from customers.services import parse_amount
from pipeline import services
from pipeline.models import LeadSource, Opportunity, OpportunityImport, Stage
from reports.customer_names import name_key
from teams import spreadsheets
from teams.imports import apply_stored
from teams.models import User

Column = spreadsheets.Column
COLUMNS = (
    Column("customer", "customer", "客户", True, gettext_lazy("One of the owner's customers, by name."), 200),
    Column("name", "opportunity", "商机名称", True, gettext_lazy("What the customer would buy."), 200),
    Column("amount", "amount", "金额", True, gettext_lazy("Expected amount in yuan."), 30),
    Column("stage", "stage", "阶段", True, gettext_lazy("A stage by name, e.g. 线索, 方案报价, 赢单, 输单."), 60),
    Column("expected_close_on", "expected close", "预计成交日期", True, gettext_lazy("YYYY-MM-DD."), 20),
    Column("lead_source", "lead source", "线索来源", False, gettext_lazy("e.g. 展会, 转介绍, 线上; optional."), 60),
    Column("competitor", "competitor", "竞争对手", False, gettext_lazy("Optional."), 200),
    Column("loss_reason", "why lost", "输单原因", False, gettext_lazy("Required for lost opportunities."), 300),
    Column("created_on", "created", "创建日期", False, gettext_lazy("YYYY-MM-DD; today when empty."), 20),
    OWNER,
)
SAMPLE = [
    ("华为技术有限公司", "年度框架采购", "300000", "方案报价", "2026-12-20", "展会", "中兴", "", "2026-10-08", ""),
    ("美的集团", "产线升级", "120000", "输单", "2026-11-30", "转介绍", "", "价格高于竞品", "", ""),
]


@dataclass
class Row(spreadsheets.CheckedRow):
    owner: User | None = None
    opportunity: Opportunity | None = None

    def cells(self) -> list[str]:
        return [self.values[column.key] for column in COLUMNS]


@dataclass
class Result(spreadsheets.CheckedFile):
    @property
    def columns(self):
        return COLUMNS

    @property
    def table(self) -> list[tuple[Row, list[str]]]:
        return [(row, row.cells()) for row in self.rows]


def _read(file: File, name: str) -> list[dict]:
    return spreadsheets.read_rows(
        file,
        name,
        columns=COLUMNS,
        max_bytes=settings.MEMBER_IMPORT_MAX_BYTES,
        max_rows=settings.MEMBER_IMPORT_MAX_ROWS,
        empty_message=_("There are no rows below the header row."),
    )


def _checked(kept_rows: list[dict], uploader: User) -> Result:
    rows = [Row(row["number"], spreadsheets.kept_values(row, COLUMNS)) for row in kept_rows]
    owners = Owners(uploader)
    for row in rows:
        try:
            row.owner = owners.find(row.values["owner"])
        except ValidationError as exc:
            row.errors.extend(exc.messages)
    found = {row.owner.pk for row in rows if row.owner is not None}
    customers = {(c.owner_id, c.key): c for c in Customer.objects.filter(owner__in=found).select_related("owner")}
    stages = {stage.name.casefold(): stage for stage in Stage.objects.filter(is_active=True)}
    sources = {source.name.casefold(): source for source in LeadSource.objects.filter(is_active=True)}
    for row in rows:
        values = row.values
        row.errors.extend(spreadsheets.length_errors(values, COLUMNS))
        if row.owner is None:
            continue
        customer = customers.get((row.owner.pk, name_key(values["customer"])))
        if customer is None:
            row.errors.append(
                _("“%(customer)s” is not among %(owner)s's customers: import or add the customer first.")
                % {"customer": values["customer"], "owner": row.owner}
            )
        stage = stages.get(values["stage"].strip().casefold())
        if stage is None:
            row.errors.append(_("Unknown stage “%(stage)s”.") % {"stage": values["stage"]})
        source = None
        if values["lead_source"]:
            source = sources.get(values["lead_source"].strip().casefold())
            if source is None:
                row.errors.append(_("Unknown lead source “%(source)s”.") % {"source": values["lead_source"]})
        opportunity = Opportunity(
            customer=customer,
            name=values["name"],
            stage=stage,
            lead_source=source,
            competitor=values["competitor"],
            loss_reason=values["loss_reason"],
        )
        for name in ("expected_close_on", "created_on"):
            if values[name]:
                try:
                    setattr(opportunity, name, parse_date(values[name]))
                except ValidationError as exc:
                    row.errors.extend(exc.messages)
        try:
            opportunity.amount = parse_amount(values["amount"])
        except ValidationError as exc:
            row.errors.extend(exc.messages)
        problems = services.check_opportunity(opportunity)
        if stage is None:
            problems.pop("stage", None)  # reported above, with the name
        row.errors.extend(problems.values())
        row.opportunity = opportunity
    return Result(rows=rows, errors=[])


def preview(stored: OpportunityImport) -> Result:
    """The rows read at upload, checked against the database as it is now."""
    return _checked(stored.rows or [], stored.uploaded_by)


@transaction.atomic
def store(*, actor: User, file: File) -> OpportunityImport:
    """Keep an uploaded file for its preview; nothing is imported yet.

    Raises ValidationError, and stores nothing, when the file as a whole is unusable.
    """
    stored = OpportunityImport(
        uploaded_by=actor,
        original_name=spreadsheets.display_name(file.name, "opportunities"),
        rows=_read(file, file.name),
    )
    stored.file.save(f"{uuid.uuid4().hex}.{spreadsheets.extension_of(file.name)}", file, save=False)
    stored.save()
    return stored


@transaction.atomic
def apply(*, actor: User, stored: OpportunityImport) -> OpportunityImport:
    """Create every opportunity of the stored file, or none.

    Raises ValidationError, and changes nothing, when the file was already imported, any row has
    an error, or a row became invalid since the preview.
    """
    stored, result = apply_stored(stored, preview, lambda row: _apply_row(actor, row))
    record(
        actor=actor,
        action=AuditEntry.Action.IMPORTED,
        target=stored,
        note=ngettext("%(count)d row imported.", "%(count)d rows imported.", len(result.rows))
        % {"count": len(result.rows)},
    )
    return stored


def _apply_row(actor: User, row: Row) -> None:
    o = row.opportunity
    if o is None:  # rows without one have errors and are never applied
        raise ValueError(f"row {row.number} has no opportunity to create")
    services.create_opportunity(
        actor=actor,
        customer=o.customer,
        name=o.name,
        amount=o.amount,
        stage=o.stage,
        expected_close_on=o.expected_close_on,
        lead_source=o.lead_source,
        competitor=o.competitor,
        loss_reason=o.loss_reason,
        created_on=o.created_on,
    )


def sample_csv() -> bytes:
    return spreadsheets.sample_csv(COLUMNS, SAMPLE)
