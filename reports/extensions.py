"""What the apps above reports add to the report's pages and life, without reports importing them.

The sales log (customers) and the review record (reviews) sit above reports: they build on weekly
reports. The report pages still show their part (the log's figures beside the author's, the
feedback and comments under a report), so reports owns this small registry and those apps fill it
in their AppConfig.ready(): customers sets `sales_log`, reviews sets `review_record`. Both are
always installed; reading an empty slot is a wiring error and fails loudly.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from django.http import HttpRequest

from reports.models import KpiValue, WeeklyReport
from teams.models import User


class SalesLog(Protocol):
    def keeps_sales_log(self, user: User) -> bool: ...

    def log_week(self, author: User, week_start: datetime.date) -> Any: ...

    def fill_from_log(self, *, report: WeeklyReport, replace_typed: bool = False) -> Any: ...

    def differences(self, report: WeeklyReport, kpi_values: list[KpiValue]) -> dict[int, Any]: ...

    def customer_names(self, author_id: int) -> Any: ...

    def going_cold(self, reader: User, report: WeeklyReport, limit: int) -> list: ...


class ReviewRecord(Protocol):
    def detail_context(self, request: HttpRequest, report: WeeklyReport) -> dict: ...

    def is_withdrawable(self, report: WeeklyReport) -> bool: ...

    def latest_return(self, report: WeeklyReport) -> Any: ...

    def last_returner(self, report: WeeklyReport) -> User | None: ...

    def goals_of(self, report: WeeklyReport) -> list: ...


class _Slot:
    def __init__(self, name: str):
        self.name = name
        self.value: Any = None

    def __call__(self) -> Any:
        if self.value is None:
            raise LookupError(f"reports.extensions.{self.name} is not set: is its app installed?")
        return self.value


sales_log = _Slot("sales_log")  # set by CustomersConfig.ready()
review_record = _Slot("review_record")  # set by ReviewsConfig.ready()
