"""Importing customers or sales activities from a spreadsheet (.csv or .xlsx), usually the list a
salesperson kept before: preview with every row checked, then all rows or none.

Rows are checked with the same rules as typing them in (customers.services), against the
database as it is at each preview and again when applied. The owner column lets managers and
admins import for the people they manage; everyone else imports their own.
"""

import datetime
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
from customers import access as customer_access
from customers import services
from customers.models import Activity, Customer, LogImport
from reports.customer_names import name_key
from reports.services import settings_for
from teams import spreadsheets
from teams.imports import apply_stored
from teams.models import Membership, User

Column = spreadsheets.Column

OWNER = Column(
    "owner",
    "owner",
    "负责人",
    False,
    gettext_lazy("Username or email of the salesperson; empty: yourself. Managers import for their team."),
)
CUSTOMER_COLUMNS = (
    Column("name", "name", "客户名称", True, gettext_lazy("The company's name."), 200),
    Column("industry", "industry", "行业", False, gettext_lazy("Optional."), 100),
    Column("tier", "tier", "客户等级", False, gettext_lazy("A, B or C; C when empty.")),
    Column(
        "status",
        "status",
        "状态",
        False,
        gettext_lazy("Lead, active or lost (潜在, 活跃, 流失); lead when empty."),
    ),
    Column("lost_reason", "why lost", "流失原因", False, gettext_lazy("Required for lost customers."), 300),
    Column("contact", "contact", "联系人", False, gettext_lazy("Optional."), 200),
    Column("created_on", "created", "创建日期", False, gettext_lazy("YYYY-MM-DD; today when empty."), 20),
    OWNER,
)
ACTIVITY_COLUMNS = (
    Column("occurred_on", "date", "日期", True, gettext_lazy("YYYY-MM-DD, not in the future."), 20),
    Column("customer", "customer", "客户", True, gettext_lazy("One of the owner's customers, by name."), 200),
    Column(
        "kind",
        "type",
        "类型",
        True,
        gettext_lazy(
            "拜访, 电话, 微信/邮件, 会议, 报价, 签约 or 回款 (or visit, call, message, meeting, quote, "
            "contract, payment)."
        ),
    ),
    Column("outcome", "outcome", "结果", False, gettext_lazy("Optional."), 500),
    Column("amount", "amount", "金额", False, gettext_lazy("In yuan; required for contracts and payments."), 30),
    Column("next_step", "next step", "下一步", False, gettext_lazy("Optional."), 300),
    Column("next_step_on", "next step by", "下一步日期", False, gettext_lazy("YYYY-MM-DD, optional."), 20),
    Column("notes", "notes", "备注", False, gettext_lazy("Optional."), 5000),
    OWNER,
)
COLUMNS = {LogImport.Kind.CUSTOMERS: CUSTOMER_COLUMNS, LogImport.Kind.ACTIVITIES: ACTIVITY_COLUMNS}
SAMPLES = {
    LogImport.Kind.CUSTOMERS: [
        ("华为技术有限公司", "通信设备", "A", "活跃", "", "王经理 13800138000", "2025-03-01", ""),
        ("美的集团", "家电", "B", "潜在", "", "", "", ""),
    ],
    LogImport.Kind.ACTIVITIES: [
        ("2026-11-02", "华为技术有限公司", "拜访", "确认新一季度需求", "", "发送报价", "2026-11-06", "", ""),
        ("2026-11-05", "华为技术有限公司", "签约", "签订年度框架合同", "120000", "", "", "", ""),
    ],
}

TIERS = {"a": "a", "b": "b", "c": "c"}
STATUSES = {
    "lead": Customer.Status.LEAD,
    "潜在": Customer.Status.LEAD,
    "潜在客户": Customer.Status.LEAD,
    "active": Customer.Status.ACTIVE,
    "活跃": Customer.Status.ACTIVE,
    "活跃客户": Customer.Status.ACTIVE,
    "lost": Customer.Status.LOST,
    "流失": Customer.Status.LOST,
    "已流失": Customer.Status.LOST,
}
KINDS = {
    **{kind.value: kind.value for kind in Activity.Kind},
    "拜访": Activity.Kind.VISIT,
    "电话": Activity.Kind.CALL,
    "微信": Activity.Kind.MESSAGE,
    "邮件": Activity.Kind.MESSAGE,
    "微信/邮件": Activity.Kind.MESSAGE,
    "email": Activity.Kind.MESSAGE,
    "wechat": Activity.Kind.MESSAGE,
    "会议": Activity.Kind.MEETING,
    "报价": Activity.Kind.QUOTE,
    "签约": Activity.Kind.CONTRACT,
    "合同": Activity.Kind.CONTRACT,
    "回款": Activity.Kind.PAYMENT,
}


@dataclass
class Row(spreadsheets.CheckedRow):
    owner: User | None = None
    customer: Customer | None = None  # for an activity: the customer it is about
    activity: Activity | None = None

    def cells(self, columns) -> list[str]:
        return [self.values[column.key] for column in columns]


@dataclass
class Result(spreadsheets.CheckedFile):
    kind: str = LogImport.Kind.CUSTOMERS

    @property
    def columns(self):
        return COLUMNS[self.kind]

    @property
    def table(self) -> list[tuple[Row, list[str]]]:
        """Each row with its cells in column order, for the preview."""
        return [(row, row.cells(self.columns)) for row in self.rows]


def _read(file: File, name: str, kind: str) -> list[dict]:
    return spreadsheets.read_rows(
        file,
        name,
        columns=COLUMNS[kind],
        max_bytes=settings.MEMBER_IMPORT_MAX_BYTES,
        max_rows=settings.MEMBER_IMPORT_MAX_ROWS,
        empty_message=_("There are no rows below the header row."),
    )


def _date(text: str) -> datetime.date:
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    for part in ("年", "月"):
        cleaned = cleaned.replace(part, "-")
    cleaned = cleaned.rstrip("日")
    try:
        year, month, day = (int(piece) for piece in cleaned.split("T")[0].split("-")[:3])
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("“%(text)s” is not a date: write it as YYYY-MM-DD.") % {"text": text}) from None


class Owners:
    """Who the uploader may import for, found by username or email."""

    def __init__(self, uploader: User):
        self.uploader = uploader
        self.allowed = {user.pk: user for user in customer_access.customer_owners(uploader)}
        self.by_name = {}
        for user in self.allowed.values():
            self.by_name[user.username.casefold()] = user
            if user.email:
                self.by_name[user.email.casefold()] = user

    def find(self, text: str) -> User:
        if not text:
            if self.uploader.pk in self.allowed:
                return self.uploader
            raise ValidationError(_("Name the owner (username or email)."))
        owner = self.by_name.get(text.casefold())
        if owner is None:
            raise ValidationError(_("“%(owner)s” is not a salesperson you may import for.") % {"owner": text})
        return owner


def _assign_owners(rows: list[Row], uploader: User) -> None:
    owners = Owners(uploader)
    for row in rows:
        try:
            row.owner = owners.find(row.values["owner"])
        except ValidationError as exc:
            row.errors.extend(exc.messages)


def _check_customers(rows: list[Row], uploader: User) -> None:
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        values = row.values
        row.errors.extend(spreadsheets.length_errors(values, CUSTOMER_COLUMNS))
        if row.owner is None:
            continue
        tier = TIERS.get(values["tier"].strip().casefold(), None) if values["tier"] else Customer.Tier.C
        if tier is None:
            row.errors.append(_("Unknown tier “%(tier)s”: use A, B or C.") % {"tier": values["tier"]})
        status = STATUSES.get(values["status"].strip().casefold()) if values["status"] else Customer.Status.LEAD
        if status is None:
            row.errors.append(
                _("Unknown status “%(status)s”: use 潜在, 活跃 or 流失 (lead, active, lost).")
                % {"status": values["status"]}
            )
        created_on = None
        if values["created_on"]:
            try:
                created_on = _date(values["created_on"])
            except ValidationError as exc:
                row.errors.extend(exc.messages)
        key = (row.owner.pk, name_key(values["name"]))
        if key[1] and key in seen:
            row.errors.append(_("This customer is also on row %(row)d.") % {"row": seen[key]})
            continue
        seen[key] = row.number
        customer = Customer(
            name=values["name"],
            industry=values["industry"],
            tier=tier or Customer.Tier.C,
            status=status or Customer.Status.LEAD,
            lost_reason=values["lost_reason"],
            contact=values["contact"],
            owner=row.owner,
            created_on=created_on or services.local_today(services.calendar_of(row.owner)),
        )
        row.errors.extend(services.check_customer(customer, actor=uploader).values())


def _check_activities(rows: list[Row], uploader: User) -> None:
    found = {row.owner for row in rows if row.owner is not None}
    customers = {
        (c.owner_id, c.key): c
        for c in Customer.objects.filter(owner__in={owner.pk for owner in found}).only("name", "key", "owner_id")
    }
    memberships = {
        m.user_id: m.team
        for m in Membership.objects.active().filter(user__in={o.pk for o in found}).select_related("team")
    }
    calendars = {pk: settings_for(team) for pk, team in memberships.items()}
    for row in rows:
        values = row.values
        row.errors.extend(spreadsheets.length_errors(values, ACTIVITY_COLUMNS))
        if row.owner is None:
            continue
        row.customer = customers.get((row.owner.pk, name_key(values["customer"])))
        if row.customer is None:
            row.errors.append(
                _("“%(customer)s” is not among %(owner)s's customers: import or add the customer first.")
                % {"customer": values["customer"], "owner": row.owner}
            )
        kind = KINDS.get(values["kind"].strip().casefold())
        if kind is None:
            row.errors.append(_("Unknown type “%(kind)s”.") % {"kind": values["kind"]})
        activity = Activity(
            author=row.owner,
            team=memberships.get(row.owner.pk),
            customer=row.customer,
            kind=kind or "",
            outcome=values["outcome"],
            next_step=values["next_step"],
            notes=values["notes"],
        )
        for name in ("occurred_on", "next_step_on"):
            if values[name]:
                try:
                    setattr(activity, name, _date(values[name]))
                except ValidationError as exc:
                    row.errors.extend(exc.messages)
        try:
            activity.amount = services.parse_amount(values["amount"])
        except ValidationError as exc:
            row.errors.extend(exc.messages)
        team_settings = calendars.get(row.owner.pk)
        problems = services.activity_errors(
            activity, today=services.local_today(team_settings), team_settings=team_settings
        )
        problems.pop("customer", None)  # reported above, with the name
        if kind is None:
            problems.pop("kind", None)
        row.errors.extend(problems.values())
        row.activity = activity


def _checked(kept_rows: list[dict], kind: str, uploader: User) -> Result:
    columns = COLUMNS[kind]
    rows = [Row(row["number"], spreadsheets.kept_values(row, columns)) for row in kept_rows]
    _assign_owners(rows, uploader)
    (_check_customers if kind == LogImport.Kind.CUSTOMERS else _check_activities)(rows, uploader)
    return Result(rows=rows, errors=[], kind=kind)


def parse(file: File, name: str, kind: str, uploader: User) -> Result:
    """Read a spreadsheet and check every row as the uploader would enter it now.

    Never raises for bad content: problems with the whole file come back in `errors`, problems
    with a row in that row's `errors`.
    """
    try:
        kept_rows = _read(file, name, kind)
    except ValidationError as exc:
        return Result(rows=[], errors=exc.messages, kind=kind)
    return _checked(kept_rows, kind, uploader)


def preview(log_import: LogImport) -> Result:
    """The rows read at upload, checked against the database as it is now; the file itself is
    read again only for an upload kept before its rows were."""
    if log_import.rows is not None:
        return _checked(log_import.rows, log_import.kind, log_import.uploaded_by)
    missing = Result(
        rows=[], errors=[_("The uploaded file is no longer stored: upload it again.")], kind=log_import.kind
    )
    if not log_import.file:
        return missing
    try:
        with log_import.file.open("rb") as stored:
            return parse(stored, log_import.file.name, log_import.kind, log_import.uploaded_by)
    except OSError:
        return missing


def sample_csv(kind: str) -> bytes:
    return spreadsheets.sample_csv(COLUMNS[kind], SAMPLES[kind])


@transaction.atomic
def store(*, actor: User, kind: str, file: File) -> LogImport:
    """Keep an uploaded file for its preview; nothing is imported yet.

    Raises ValidationError, and stores nothing, when the file as a whole is unusable.
    """
    log_import = LogImport(
        kind=kind,
        uploaded_by=actor,
        original_name=spreadsheets.display_name(file.name, kind),
        rows=_read(file, file.name, kind),
    )
    log_import.file.save(f"{uuid.uuid4().hex}.{spreadsheets.extension_of(file.name)}", file, save=False)
    log_import.save()
    return log_import


@transaction.atomic
def apply(*, actor: User, log_import: LogImport) -> LogImport:
    """Create every row of the stored file, or nothing at all.

    Raises ValidationError, and changes nothing, when the file was already imported, any row has
    an error, or a row became invalid since the preview.
    """
    log_import, result = apply_stored(log_import, preview, lambda row: _apply_row(actor, log_import.kind, row))
    record(
        actor=actor,
        action=AuditEntry.Action.IMPORTED,
        target=log_import,
        note=ngettext("%(count)d row imported.", "%(count)d rows imported.", len(result.rows))
        % {"count": len(result.rows)},
    )
    return log_import


def _apply_row(actor: User, kind: str, row: Row) -> None:
    values = row.values
    if kind == LogImport.Kind.CUSTOMERS:
        services.create_customer(
            actor=actor,
            owner=row.owner,
            name=values["name"],
            industry=values["industry"],
            tier=TIERS.get(values["tier"].casefold(), Customer.Tier.C),
            status=STATUSES.get(values["status"].casefold(), Customer.Status.LEAD),
            lost_reason=values["lost_reason"],
            contact=values["contact"],
            created_on=_date(values["created_on"]) if values["created_on"] else None,
        )
        return
    activity = row.activity
    services.log_activity(
        author=row.owner,
        customer=activity.customer,
        occurred_on=activity.occurred_on,
        kind=activity.kind,
        outcome=activity.outcome,
        amount=activity.amount,
        next_step=activity.next_step,
        next_step_on=activity.next_step_on,
        notes=activity.notes,
    )
