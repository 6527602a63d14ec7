"""Nobody finds what they could not open: every role searches for a word that appears in reports,
drafts, comments and feedback across both teams, and gets exactly the hits whose report the access
policy lets them read (teams.access.can_view_report)."""

import pytest

from reports import access as report_access
from reports.models import WeeklyReport
from reviews import services as review_services
from search import selectors
from search.models import SearchEntry
from search.text import terms
from tests.reports.test_services import MONDAY
from tests.search.conftest import write

ROLES = ["rep", "other_rep", "outsider", "lead", "other_lead", "director", "admin"]


@pytest.fixture
def everywhere(rep, other_rep, outsider, lead, other_lead):
    """华为 in: rep's submitted report (with feedback and comments), rep's and outsider's drafts,
    other_rep's and outsider's submitted reports, and the lead's own report."""
    last = MONDAY.replace(day=9)
    reviewed = write(rep, last, summary="华为的报价")
    review_services.mark_reviewed(report=reviewed, reviewer=lead, suggestions="华为那边要跟紧")
    review_services.add_comment(report=reviewed, author=rep, body="华为周三回复")
    review_services.add_comment(report=reviewed, author=lead, body="华为的预算确认了吗")
    write(rep, summary="华为草稿", submit=False)
    write(other_rep, summary="华为的交付")
    write(outsider, summary="华为的合同")
    write(outsider, last, summary="华为草稿", submit=False)
    outsiders = write(outsider, MONDAY.replace(day=2), summary="华为的回款")
    review_services.add_comment(report=outsiders, author=other_lead, body="华为的回款什么时候到")
    write(lead, summary="华为团队周报")
    return SearchEntry.objects.count()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_the_texts_of_reports_it_may_open(request, everywhere, role):
    user = request.getfixturevalue(role)
    hits = list(selectors.search(user, terms("华为")))
    for entry in hits:
        assert report_access.can_view_report(user, entry.report), (role, entry.kind, entry.report)
    readable = [r.pk for r in WeeklyReport.objects.all() if report_access.can_view_report(user, r)]
    expected = SearchEntry.objects.filter(report__in=readable).count()
    assert len(hits) == expected
    assert everywhere == 11


def test_drafts_are_found_by_their_author_only(rep, lead, director, admin, everywhere):
    for reader in (lead, director, admin):
        assert not selectors.search(reader, terms("草稿")).exists()
    assert [entry.report.author for entry in selectors.search(rep, terms("草稿"))] == [rep]


def test_the_results_page_shows_only_reachable_reports(client, outsider, everywhere):
    client.force_login(outsider)
    html = client.get("/search/", {"q": "华为"}).content.decode()
    reachable = {r.pk for r in WeeklyReport.objects.all() if report_access.can_view_report(outsider, r)}
    for report in WeeklyReport.objects.exclude(pk__in=reachable):
        assert f'data-report="{report.pk}"' not in html
    assert all(f'data-report="{pk}"' in html for pk in reachable)
