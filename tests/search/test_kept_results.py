"""Search results are kept until something the searcher may find changes
(search.selectors.kept_newest_page): each test searches (so the results are kept), changes what
would be found, and searches again, with the change's transaction committed (the tokens are
replaced on commit)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services as report_services
from reviews import services as review_services
from teams import services as team_services
from teams.models import Membership
from tests.search.conftest import write


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def results(client, user, query: str) -> list[tuple[str, int]]:
    """The (kind, report id) of each result the user's search page lists, in order (checked
    against the count the page gives)."""
    client.force_login(user)
    page = client.get(reverse("search:results"), {"q": query}).content.decode()
    listed = [(kind, int(report)) for kind, report in re.findall(r'data-entry="(\w+)-\d+" data-report="(\d+)"', page)]
    assert f'id="search-count">{len(listed)} result' in page
    return listed


def test_a_repeated_search_reads_only_the_pages_rows(client, reviewed, lead):
    client.force_login(lead)
    url = reverse("search:results")
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"q": "宁德时代"})
    with CaptureQueriesContext(connection) as second:
        assert client.get(url, {"q": "宁德时代"}).status_code == 200
    matching = [q for q in first.captured_queries if "宁德" in q["sql"]]
    assert matching and not [q for q in second.captured_queries if "宁德" in q["sql"]]
    assert results(client, lead, "宁德时代") == [("report", reviewed.pk)]


def test_a_submitted_report_is_found_at_once(client, rep, other_rep, lead, reviewed, last_week, committed):
    assert results(client, lead, "宁德时代") == [("report", reviewed.pk)]
    with committed(execute=True):
        older = write(other_rep, last_week, summary="宁德时代的报价已发出")
    assert results(client, lead, "宁德时代") == [("report", reviewed.pk), ("report", older.pk)]


def test_an_own_draft_is_found_at_once_and_others_drafts_never(client, rep, other_rep, lead, last_week, committed):
    assert results(client, rep, "格力") == []
    with committed(execute=True):
        draft = write(rep, last_week, summary="约了格力的采购总监", submit=False)
    assert results(client, rep, "格力") == [("report", draft.pk)]
    assert results(client, other_rep, "格力") == results(client, lead, "格力") == []


def test_comments_feedback_and_a_withdrawal_show_at_once(client, rep, lead, last_week, committed):
    with committed(execute=True):
        report = write(rep, last_week, summary="拜访三家客户")
    assert results(client, lead, "海尔") == []
    with committed(execute=True):
        comment, _ = review_services.add_comment(report=report, author=rep, body="海尔下周签约")
    assert results(client, lead, "海尔") == [("comment", report.pk)]
    with committed(execute=True):
        review_services.delete_comment(comment=comment, by=rep)
    assert results(client, lead, "海尔") == []

    with committed(execute=True):
        report = write(rep, summary="拜访格力")
    assert results(client, lead, "格力") == [("report", report.pk)]
    with committed(execute=True):
        review_services.withdraw_report(report=report, by=rep)
    assert results(client, lead, "格力") == []  # a draft again: its author's alone
    with committed(execute=True):
        report_services.save_draft(report=report, editor=rep, base_version=report.version + 1, data={})
    assert results(client, rep, "格力") == [("report", report.pk)]


def test_a_manager_who_moves_finds_the_new_teams_reports(client, rep, lead, other_team, outsider, committed):
    with committed(execute=True):
        theirs = write(outsider, summary="顺丰的交付")
    assert results(client, lead, "顺丰") == []
    with committed(execute=True):
        team_services.move_member(actor=None, member=lead, team=other_team, role=Membership.Role.MANAGER)
    assert results(client, lead, "顺丰") == [("report", theirs.pk)]


def test_a_new_name_shows_on_the_kept_results(client, rep, lead, reviewed, committed):
    """The rows are kept as drawn, names and all."""
    client.force_login(lead)
    url = reverse("search:results")
    assert "新名字" not in client.get(url, {"q": "宁德时代"}).content.decode()
    with committed(execute=True):
        team_services.update_member(actor=rep, member=rep, data={"display_name": "新名字"})
    assert "新名字's report" in client.get(url, {"q": "宁德时代"}).content.decode()
