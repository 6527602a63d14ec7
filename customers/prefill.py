"""The weekly report from the sales log: what the log adds up to for a week (per KPI source), the
work-review lines it proposes grouped by customer, filling a draft without overwriting what the
author typed, and the differences a manager sees between reported numbers and the log."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from customers.models import Activity, Customer
from reports.models import KPI, KpiValue, WeeklyReport
from reports.templatetags.report_tags import yuan
from teams.models import User

Source = KPI.LogSource
COUNTED = {
    Source.VISITS: Activity.Kind.VISIT,
    Source.CALLS: Activity.Kind.CALL,
    Source.MESSAGES: Activity.Kind.MESSAGE,
    Source.MEETINGS: Activity.Kind.MEETING,
    Source.QUOTES: Activity.Kind.QUOTE,
    Source.CONTRACTS: Activity.Kind.CONTRACT,
}
SUMMED = {Source.CONTRACT_AMOUNT: Activity.Kind.CONTRACT, Source.PAYMENT_AMOUNT: Activity.Kind.PAYMENT}


@dataclass
class LogWeek:
    """What one person logged in one week."""

    activity_count: int
    values: dict[str, Decimal]

    @property
    def is_used(self) -> bool:
        """Whether the person keeps the log at all that week (else differences mean nothing)."""
        return self.activity_count > 0

    def value(self, source: str) -> Decimal:
        return self.values.get(source, Decimal(0))


def log_week(author: User, week_start: datetime.date) -> LogWeek:
    """The log's figure for every KPI source in the week starting `week_start` (seven days in the
    author's calendar: activity dates and customers' creation days are local dates). Two simple
    queries: one with the ten figures as subqueries runs as fast in PostgreSQL but takes Django
    five times as long to build."""
    end = week_start + datetime.timedelta(days=6)
    by_kind = {
        row["kind"]: row
        for row in Activity.objects.filter(author=author, occurred_on__range=(week_start, end))
        .values("kind")
        .annotate(n=Count("pk"), total=Sum("amount"))
    }
    values = {
        source: Decimal(by_kind[kind]["n"]) if kind in by_kind else Decimal(0) for source, kind in COUNTED.items()
    }
    for source, kind in SUMMED.items():
        values[source] = (by_kind.get(kind) or {}).get("total") or Decimal(0)
    values[Source.NEW_CUSTOMERS] = Decimal(
        Customer.objects.filter(owner=author, created_on__range=(week_start, end)).count()
    )
    return LogWeek(activity_count=sum(row["n"] for row in by_kind.values()), values=values)


OUTCOMES_SHOWN = 3


def review_lines(author: User, week_start: datetime.date) -> list[str]:
    """The week's activities as work-review lines, one per customer in the order first met, kinds
    grouped: "- **华为**: Visit ×2 (确认需求; 方案交流); Contract signed ¥120,000". One query."""
    end = week_start + datetime.timedelta(days=6)
    by_customer: dict[int, dict[str, list[Activity]]] = defaultdict(lambda: defaultdict(list))
    names = {}
    for activity in (
        Activity.objects.filter(author=author, occurred_on__range=(week_start, end))
        .select_related("customer")
        .order_by("occurred_on", "pk")
    ):
        by_customer[activity.customer_id][activity.kind].append(activity)
        names[activity.customer_id] = activity.customer.name
    lines = []
    for customer_id, kinds in by_customer.items():
        parts = [_kind_part(activities) for activities in kinds.values()]
        lines.append(
            _("- **%(customer)s**: %(activities)s")
            % {"customer": names[customer_id], "activities": _("; ").join(parts)}
        )
    return lines


def _kind_part(activities: list[Activity]) -> str:
    """ "Visit ×2 (确认需求; 方案交流)": one kind of activity with one customer in a week."""
    part = str(activities[0].get_kind_display())
    if len(activities) > 1:
        part += f" ×{len(activities)}"
    amounts = [a.amount for a in activities if a.amount is not None]
    if amounts:
        part += " " + yuan(sum(amounts, Decimal(0)))
    outcomes = list(dict.fromkeys(a.outcome for a in activities if a.outcome))
    if outcomes:
        shown = _("; ").join(outcomes[:OUTCOMES_SHOWN]) + ("…" if len(outcomes) > OUTCOMES_SHOWN else "")
        part += _(" (%(outcome)s)") % {"outcome": shown}
    return part


@dataclass
class FillResult:
    filled: list[tuple[KPI, Decimal]] = field(default_factory=list)
    kept: list[tuple[KPI, Decimal, Decimal]] = field(default_factory=list)  # (kpi, typed, log)
    lines_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.filled or self.lines_added)


@transaction.atomic
def fill_from_log(*, report: WeeklyReport, replace_typed: bool = False) -> FillResult:
    """Put the week's log into the draft: KPI actuals whose KPI names a log source, and the work
    review's lines per customer. An actual the author typed and that differs from the log is kept
    (and listed in `kept`) unless `replace_typed` says the author agreed to replace it; values
    filled from the log are marked so. Lines already in the work review are not added twice.

    Raises ValidationError when the report is no longer editable.
    """
    locked = WeeklyReport.objects.select_for_update().select_related("template_version", "author").get(pk=report.pk)
    if not locked.is_editable_by_author:
        raise ValidationError(_("This report has been submitted and can no longer be edited."))
    sections = locked.template_version.sections
    result = FillResult()
    week = log_week(locked.author, locked.week_start)
    if "kpis" in sections:
        for row in KpiValue.objects.filter(report=locked).exclude(kpi__log_source="").select_related("kpi"):
            value = week.value(row.kpi.log_source)
            typed = row.actual is not None and not row.is_from_log and row.actual != value
            if typed and not replace_typed:
                result.kept.append((row.kpi, row.actual, value))
                continue
            if row.actual != value or not row.is_from_log:
                row.actual, row.is_from_log = value, True
                row.save(update_fields=["actual", "is_from_log"])
                result.filled.append((row.kpi, value))
    if "review" in sections:
        present = set(locked.summary.splitlines())
        new_lines = [line for line in review_lines(locked.author, locked.week_start) if line not in present]
        if new_lines:
            locked.summary = "\n".join(filter(None, [locked.summary.rstrip(), *new_lines]))
            result.lines_added = len(new_lines)
    locked.version += 1
    locked.save(update_fields=["summary", "version", "updated_at"])
    return result


@dataclass(frozen=True)
class Difference:
    kpi: KPI
    reported: Decimal | None
    logged: Decimal


def differences(report: WeeklyReport, kpi_values: list[KpiValue]) -> dict[int, Difference]:
    """Per KPI id, where the reported actual differs from what the author's log shows for the
    week; empty when the author kept no log that week (a salesperson who does not use the log
    is not flagged on every number)."""
    sourced = [v for v in kpi_values if v.kpi.log_source]
    if not sourced:
        return {}
    week = log_week(report.author, report.week_start)
    if not week.is_used:
        return {}
    return {
        v.kpi_id: Difference(v.kpi, v.actual, week.value(v.kpi.log_source))
        for v in sourced
        if v.actual != week.value(v.kpi.log_source)
    }
