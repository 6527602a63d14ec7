"""Date pickers open filled in, in the Chinese interface too: <input type="date"> takes only
YYYY-MM-DD, and "2026/12/03" (the Chinese locale's format) shows as an empty picker."""

import pytest
import time_machine
from django.urls import reverse

TODAY = 'value="2026-12-03"'


@pytest.fixture
def chinese(client, admin, lead):
    for person in (admin, lead):
        person.language = "zh-hans"
        person.save(update_fields=["language"])
    return client


@time_machine.travel("2026-12-03 10:00 +0800", tick=False)
@pytest.mark.parametrize("name", ["teams:member_move", "teams:member_status"])
def test_the_move_and_status_forms_offer_today_in_iso_format(chinese, admin, rep, name):
    chinese.force_login(admin)
    page = chinese.get(reverse(name, args=[rep.pk])).content.decode()
    assert 'type="date"' in page and TODAY in page
    assert "2026/12/03" not in page


@time_machine.travel("2026-12-03 10:00 +0800", tick=False)
def test_the_summary_page_opens_with_today_filled_in_and_no_errors(chinese, lead, team):
    chinese.force_login(lead)
    page = chinese.get(reverse("summaries:team_period", args=[team.pk])).content.decode()
    assert TODAY in page and "invalid-feedback" not in page
    # Choosing only the period (the day left as it was, or emptied) shows that period, not "required".
    response = chinese.get(reverse("summaries:team_period", args=[team.pk]), {"period": "month", "day": ""})
    assert "invalid-feedback" not in response.content.decode()
    assert response.context["summary"] is not None
