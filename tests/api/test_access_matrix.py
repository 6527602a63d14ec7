"""Every API endpoint for every role, with real tokens: the answer the access policy promises
(tests/test_access_matrix.py does the same for the pages, with the same cast and objects).
Anonymous means no token: 401 everywhere. An endpoint added without an entry here fails
`test_every_endpoint_has_a_matrix_entry`."""

import re

import pytest
from django.utils import timezone

from api.api import api
from tests import world
from tests.test_access_matrix import ROLES

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())


def every(code, anonymous=401):
    return {**dict.fromkeys(ROLES, code), "anonymous": anonymous}


def team_readers(code=200):
    """The team's manager, the director above and admins; everyone else 404."""
    return {**every(404), "lead": code, "director": code, "admin": code}


def author_only(code):
    return {**every(404), "rep": code}


def reviewers(code):
    return {**team_readers(403), "lead": code, "admin": code}


def no_body(pks):
    return None


def new_opportunity(pks):
    from pipeline.models import Stage

    return {
        "customer_id": pks["customer"],
        "name": "扩容二期",
        "amount": "50000",
        "stage_id": Stage.objects.first().pk,
        "expected_close_on": "2030-03-31",
    }


def today_visit(pks):
    return {"customer_id": pks["customer"], "occurred_on": timezone.localdate().isoformat(), "kind": "visit"}


# (method, path, body from objects) → expected answer by role.
MATRIX = {
    ("get", "/me", no_body): every(200),
    ("get", "/teams", no_body): every(200),
    ("get", "/members", no_body): every(200),
    ("get", "/kpis", no_body): every(200),
    ("get", "/targets", no_body): every(200),
    ("put", "/teams/{team}/targets", lambda o: {"week_start": "2030-01-07", "values": []}): {
        **team_readers(),
        "director": 403,
    },
    ("get", "/teams/{team}/numbers", no_body): team_readers(),
    ("get", "/reports", no_body): every(200),
    # Opening one's report: those who write reports; directors and admins outside teams do not (400).
    ("post", "/reports", lambda o: {}): {**every(200), "director": 400, "admin": 400},
    ("get", "/reports/{report}", no_body): author_only(200),  # rep's draft: private
    ("get", "/reports/{submitted_report}", no_body): {**team_readers(), "rep": 200},
    # base_version 0 is stale: the author gets the conflict, nobody else gets that far.
    ("put", "/reports/{report}", lambda o: {"base_version": 0}): author_only(409),
    ("put", "/reports/{submitted_report}", lambda o: {"base_version": 0}): {**team_readers(403), "rep": 403},
    ("post", "/reports/{report}/submit", lambda o: {"base_version": 0}): author_only(409),
    ("get", "/reports/{submitted_report}/feedback", no_body): {**team_readers(), "rep": 200},
    # Empty feedback is refused (400) once the reviewer is let in.
    ("post", "/reports/{submitted_report}/feedback", lambda o: {}): {**reviewers(400), "rep": 403},
    ("get", "/customers", no_body): every(200),
    # Your own customer: those who keep a sales log; admins must name an owner (400); directors 403.
    ("post", "/customers", lambda o: {"name": "新客户"}): {**every(201), "director": 403, "admin": 400},
    ("patch", "/customers/{customer}", lambda o: {"industry": "通信"}): {
        **team_readers(200),
        "rep": 200,
        "director": 403,
    },
    ("get", "/activities", no_body): every(200),
    # Rep logs a visit with their customer; other writers may not use rep's customer (400).
    ("post", "/activities", today_visit): {**every(400), "rep": 201, "director": 403, "admin": 403},
    ("patch", "/activities/{activity}", lambda o: {"outcome": "约了下周拜访"}): {**team_readers(403), "rep": 200},
    # The pipeline: as its pages (pipeline/access.py), opportunities follow their customer's reach.
    ("get", "/stages", no_body): every(200),
    ("get", "/lead-sources", no_body): every(200),
    ("get", "/opportunities", no_body): every(200),
    ("get", "/opportunities/{opportunity}", no_body): {**team_readers(), "rep": 200},
    # On rep's customer: rep, the manager above and admins; other writers may not use it (400).
    ("post", "/opportunities", new_opportunity): {**every(400), "rep": 201, "lead": 201, "admin": 201, "director": 403},
    ("patch", "/opportunities/{opportunity}", lambda o: {"competitor": "爱立信"}): {
        **team_readers(200),
        "rep": 200,
        "director": 403,
    },
    ("get", "/teams/{team}/forecast", no_body): team_readers(),
    ("get", "/teams/{team}/funnel", no_body): team_readers(),
}


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path)


def test_every_endpoint_has_a_matrix_entry():
    documented = {
        (method, _shape(path.removeprefix("/api/v1")))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert documented == {(method, _shape(path)) for method, path, _ in MATRIX}


# One test per endpoint asks it as every role in turn (the cast and its objects are built once
# per endpoint, not once per role: seven times fewer), and compares all the answers at once.
@pytest.mark.parametrize("key", MATRIX, ids=[f"{method} {path}" for method, path, _ in MATRIX])
def test_api_access_matrix(client, objects, cast, api_as, key):
    method, path, body = key
    url = path.format(**objects)
    answers = {}
    for role in ROLES:
        api = api_as(cast[role] if role != "anonymous" else None)
        response = api.get(url) if method == "get" else getattr(api, method)(url, body(objects))
        answers[role] = response.status_code
    assert answers == MATRIX[key], f"{method.upper()} {url}"
