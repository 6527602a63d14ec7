"""The benchmark's baseline page: routed only by bench/urls.py (bench/settings.py), one indexed query for its rows."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from reports import services

MONDAY = datetime.date(2026, 11, 16)


def test_the_baseline_page_is_not_routed_normally():
    with pytest.raises(NoReverseMatch):
        reverse("bench_baseline")


@pytest.mark.urls("bench.urls")
def test_the_baseline_lists_the_users_last_50_reports_in_one_query(client, rep, other_rep, django_assert_num_queries):
    for back in range(55):
        services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(weeks=back))
    services.open_report(author=other_rep, week_start=MONDAY)
    client.force_login(rep)
    # The session and user, the access scope, the rows, and the unread-notifications badge.
    with django_assert_num_queries(5):
        response = client.get(reverse("bench_baseline"))
    assert response.status_code == 200
    assert len(response.context["reports"]) == 50
    assert {r.author_id for r in response.context["reports"]} == {rep.pk}
    assert response.context["reports"][0].week_start == MONDAY
