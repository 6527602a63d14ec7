"""API lists cost the same number of queries for a few rows or many (no query per row)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Activity
from customers.services import create_customer, log_activity
from reports.services import open_report, submit_report
from tests.reports.test_services import fill


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def test_lists_do_not_query_per_row(rep, other_rep, lead, api_as):
    api = api_as(lead)
    api.get("/me")  # the token's last use is written now, not during the counts below
    report = open_report(author=rep)
    customer = create_customer(actor=rep, owner=rep, name="华为")
    log_activity(author=rep, customer=customer, occurred_on=report.week_start, kind=Activity.Kind.VISIT)
    submit_report(report=fill(report), by=rep)  # a week's log closes with its report
    few = {path: _queries(api, path) for path in ("/reports", "/activities", "/customers", "/members", "/targets")}
    for name in ("小米", "腾讯", "阿里"):
        more = create_customer(actor=other_rep, owner=other_rep, name=name)
        log_activity(author=other_rep, customer=more, occurred_on=report.week_start, kind=Activity.Kind.CALL)
    submit_report(report=fill(open_report(author=other_rep)), by=other_rep)
    assert {path: _queries(api, path) for path in few} == few
