"""No request in the access matrix, by anyone it lets through, removes a submitted report, its
revisions or its comments (tests/security/test_data_safety.py: nor does the admin or the database)."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ReportRevision, WeeklyReport
from reviews.models import Comment
from tests import world
from tests.test_access_matrix import LOGIN, MATRIX, ROLES

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())


def history_of(report_pk: int) -> tuple:
    """What was submitted, every revision, and every comment (soft-deleted ones stay as rows)."""
    report = WeeklyReport.objects.get(pk=report_pk)
    revisions = {
        (n, str(s)) for n, s in ReportRevision.objects.filter(report_id=report_pk).values_list("number", "snapshot")
    }
    comments = set(Comment.objects.filter(report_id=report_pk).values_list("pk", flat=True))
    return report.summary, revisions, comments


POSTS = sorted(name for name, (method, _, _) in MATRIX.items() if method == "post")


@pytest.mark.parametrize("name", POSTS)
def test_no_post_by_anyone_removes_a_submitted_report_or_its_history(objects, cast, name):
    method, arg_keys, expected = MATRIX[name]
    before = history_of(objects["submitted_report"])
    url = reverse(name.split("@")[0], args=[objects[key] for key in arg_keys])
    for role in ROLES:
        if expected[role] in (403, 404, LOGIN):
            continue
        client = Client()
        if role != "anonymous":
            cast.log_in(client, role)
        client.post(url, {"reason": "x", "body": "x", "summary": "x"})
    # Requests may add (a comment, a return for revision, a review), never take away.
    summary, revisions, comments = history_of(objects["submitted_report"])
    assert summary == before[0] and revisions >= before[1] and comments >= before[2]
