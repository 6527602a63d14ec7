"""The large demo is the same company when built twice on the same day. Apart from
test_seed_large.py, whose module-wide demo would still be in the database here."""

from django.db import transaction

from demo import large as demo_large
from reports.models import WeeklyReport
from teams.models import User
from tests.teams.test_seed_large import TINY, TODAY


class _Undo(Exception):
    pass


def test_the_same_day_builds_the_same_company(db):
    def build():
        try:
            with transaction.atomic():
                made = dict(demo_large.seed(password="x", today=TODAY, size=TINY).made)
                names = list(User.objects.order_by("username").values_list("username", "display_name"))
                late = sorted(WeeklyReport.objects.exclude(late_by=None).values_list("author__username", "week_start"))
                raise _Undo((made, names, late))
        except _Undo as undone:
            return undone.args[0]

    assert build() == build()
