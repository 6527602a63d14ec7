"""The sales log's part of the report pages (reports.extensions.SalesLog), set in CustomersConfig.ready()."""

import datetime

from customers import access as customer_access
from customers import prefill, services
from customers.models import Customer
from reports import services as report_services
from reports.models import KpiValue, WeeklyReport
from teams import access, versions
from teams.models import User


class SalesLog:
    def keeps_sales_log(self, user: User) -> bool:
        return customer_access.keeps_sales_log(user)

    def log_week(self, author: User, week_start: datetime.date) -> prefill.LogWeek:
        return prefill.log_week(author, week_start)

    def fill_from_log(self, *, report: WeeklyReport, replace_typed: bool = False) -> prefill.FillResult:
        return prefill.fill_from_log(report=report, replace_typed=replace_typed)

    def differences(self, report: WeeklyReport, kpi_values: list[KpiValue]) -> dict[int, prefill.Difference]:
        return prefill.differences(report, kpi_values)

    def customer_names(self, author_id: int):
        return Customer.objects.filter(owner=author_id).values_list("name", flat=True)

    def going_cold(self, reader: User, report: WeeklyReport, limit: int) -> list:
        """The author's customers going cold, as far as the reader may see the author's log.

        Kept per reader, reach and day under the report's team's data version and the author's
        own token: an entry logged, changed or removed on a customer the author logged on, and
        the customer's status, replace the token (services.touch_follow_ups), a customer's new
        name the versions of its authors' teams."""
        today = services.local_today(report_services.settings_for(report.team))

        def compute() -> list:
            activities = customer_access.visible_activities(reader).filter(author_id=report.author_id)
            return list(services.overdue_follow_ups(activities, today)[:limit])

        what = ("going-cold", today, limit, reader.pk, access.scope(reader).reach)
        return versions.kept_about(report.author_id, report.team_id, what, compute)
