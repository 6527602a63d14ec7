"""The demo gets opportunities with consistent stage histories: the seeding is what is under test
(the demo's as tests/demo_data.py keeps it from its one seeding per process). The large demo's are
checked on its build in tests/teams/test_seed_large.py."""

from demo import pipeline as demo
from pipeline.models import Opportunity
from teams.models import User
from tests import demo_data
from tests.pipeline.checks import consistent
from tests.teams.test_seed_large import TODAY


def test_every_demo_salesperson_has_a_pipeline(db):
    demo_data.seed()  # seed_demo's rows, seeded once per test process (tests/demo_data.py)
    zhangwei = User.objects.get(username="zhangwei")
    assert Opportunity.objects.filter(customer__owner=zhangwei, stage__is_won=False, stage__is_lost=False).exists()
    assert (
        Opportunity.objects.filter(stage__is_won=True).exists()
        and Opportunity.objects.filter(stage__is_lost=True).exists()
    )
    consistent()
    assert demo.seed_pipeline([zhangwei], TODAY) == 0  # safe to run again
