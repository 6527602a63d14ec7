"""The results page costs the same number of queries however many reports, comments, feedback
and people lie behind it (the pattern of tests/test_query_counts.py)."""

import datetime

import pytest
from django.urls import reverse

from reviews import services as review_services
from tests.factories import member_of
from tests.reports.test_services import MONDAY
from tests.search.conftest import write
from tests.test_query_counts import queries


@pytest.mark.parametrize("reader", ["lead", "director", "rep"])
def test_search_results(client, request, rep, lead, team, reader):
    user = request.getfixturevalue(reader)
    write(rep, summary="宁德时代的报价")
    url = reverse("search:results")
    params = {"q": "宁德时代 报价", "team": team.pk} if reader != "rep" else {"q": "宁德时代 报价"}
    before = queries(client, user, url, params)

    for week in range(1, 8):
        report = write(rep, MONDAY - datetime.timedelta(weeks=week), summary="宁德时代新能源的报价")
        review_services.mark_reviewed(report=report, reviewer=lead, suggestions="宁德时代的报价要快")
        review_services.add_comment(report=report, author=rep, body="宁德时代的报价已发")
    for index in range(3):
        write(member_of(team, username=f"more{index}"), summary="宁德时代报价")
    assert queries(client, user, url, params) == before
