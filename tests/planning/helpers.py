import datetime
from decimal import Decimal

from reports import services as report_services
from reports.models import KPI, KpiValue, WeeklyReport


def submitted_week(member, week: datetime.date, kpi: KPI, actual: Decimal) -> WeeklyReport:
    """A submitted report of `member` for the week, with one KPI's actual."""
    report = report_services.open_report(author=member, week_start=week)
    KpiValue.objects.update_or_create(report=report, kpi=kpi, defaults={"actual": actual})
    report.status = WeeklyReport.Status.SUBMITTED
    report.save(update_fields=["status"])
    return report
