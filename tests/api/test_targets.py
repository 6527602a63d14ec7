"""Targets through the API: everyone reads those of the people in reach; managers set them for
their subtree through the targets page's own service."""

import datetime
from decimal import Decimal

from reports.models import Target

MONDAY = datetime.date(2030, 1, 7)


def test_manager_sets_a_week_of_targets_and_the_rep_reads_them(team, rep, lead, api_as):
    saved = api_as(lead).put(
        f"/teams/{team.pk}/targets",
        {"week_start": "2030-01-09", "values": [{"member_id": rep.pk, "kpi": "sales_amount", "value": "50000"}]},
    )
    assert saved.status_code == 200 and saved.json() == {"members_changed": 1}
    target = Target.objects.get(member=rep)
    assert (target.week_start, target.value, target.set_by) == (MONDAY, Decimal(50000), lead)
    read = api_as(rep).get("/targets", {"week": MONDAY.isoformat()}).json()["items"]
    assert read == [{"member_id": rep.pk, "kpi": "sales_amount", "week_start": "2030-01-07", "value": "50000.0000"}]


def test_bad_targets_answer_400_by_row_and_save_nothing(team, rep, lead, outsider, api_as):
    api = api_as(lead)
    wrong = api.put(
        f"/teams/{team.pk}/targets",
        {
            "week_start": "2030-01-07",
            "values": [
                {"member_id": rep.pk, "kpi": "sales_amount", "value": "10"},
                {"member_id": outsider.pk, "kpi": "sales_amount", "value": "10"},
                {"member_id": rep.pk, "kpi": "no_such_kpi", "value": "10"},
            ],
        },
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"values.1.member_id", "values.2.kpi"}
    negative = api.put(
        f"/teams/{team.pk}/targets",
        {"week_start": "2030-01-07", "values": [{"member_id": rep.pk, "kpi": "sales_amount", "value": "-1"}]},
    )
    assert negative.status_code == 400
    assert not Target.objects.exists()
