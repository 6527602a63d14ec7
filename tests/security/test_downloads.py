"""Every kind of file download, asked for by every role: what the access matrix checks for one
report PDF and one attachment, here for each kind of document (PDFs of a report, a team's week, a
member's or a team's period, and XLSX/CSV exports). Outside the subject's reach: 404."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from summaries.models import Document
from tests import world
from tests.test_access_matrix import ROLES, signed_in, team_readers

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())

START, END = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)

# kind: (subject fields from the scene, file format, who may download)
KINDS = {
    "report pdf": (lambda s: {"report": s["report"]}, "pdf", {**team_readers(), "rep": 200}),
    "team week pdf": (lambda s: {"team": s["team"], "period_start": START, "period_end": END}, "pdf", team_readers()),
    # As a manager's request stores it: bounded to the team whose reports it may count.
    "member period pdf": (
        lambda s: {"member": s["other_rep"], "team": s["team"], "period_start": START, "period_end": END},
        "pdf",
        team_readers(),
    ),
    # As an admin's request stores it: every report of the member, wherever written.
    "unbounded member period pdf": (
        lambda s: {"member": s["other_rep"], "period_start": START, "period_end": END},
        "pdf",
        {**signed_in(404), "admin": 200},
    ),
    "team period pdf": (lambda s: {"team": s["team"], "period_start": START, "period_end": END}, "pdf", team_readers()),
    "xlsx export": (lambda s: {"team": s["team"], "period_start": START, "period_end": END}, "xlsx", team_readers()),
    "csv export": (lambda s: {"team": s["team"], "period_start": START, "period_end": END}, "csv", team_readers()),
}
KIND_OF = {
    "report pdf": Document.Kind.REPORT,
    "team week pdf": Document.Kind.TEAM_WEEK,
    "member period pdf": Document.Kind.MEMBER_PERIOD,
    "unbounded member period pdf": Document.Kind.MEMBER_PERIOD,
    "team period pdf": Document.Kind.TEAM_PERIOD,
    "xlsx export": Document.Kind.EXPORT,
    "csv export": Document.Kind.EXPORT,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_download_answers_only_those_who_may_read_its_subject(kind, objects, cast, team, other_rep):
    from reports.models import WeeklyReport

    subject, file_format, expected = KINDS[kind]
    scene = {"report": WeeklyReport.objects.get(pk=objects["submitted_report"]), "team": team, "other_rep": other_rep}
    document = Document.objects.create(
        kind=KIND_OF[kind],
        language="en",
        file_format=file_format,
        content_key=f"download-{kind}",
        status=Document.Status.DONE,
        **subject(scene),
    )
    document.file.save(f"x.{file_format}", ContentFile(b"secret numbers"))
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            cast.log_in(client, role)
        response = client.get(reverse("summaries:download", args=[document.pk]))
        want = expected[role]
        if role == "anonymous":
            assert response.status_code == 302, kind
            continue
        assert response.status_code == want, f"{kind} as {role}"
        if want == 200:
            assert b"".join(response.streaming_content) == b"secret numbers"
            assert response["Cache-Control"] == "private, no-store"
