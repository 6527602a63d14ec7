"""The demo and the large demo get opportunities with consistent stage histories: the seeding is
what is under test (the demo's as tests/demo_data.py keeps it from its one seeding per process)."""

from django.db.models import Count, F

from demo import large as demo_large
from demo import pipeline as demo
from pipeline.models import Opportunity, StageChange
from teams.models import User
from tests import demo_data
from tests.teams.test_seed_large import TINY, TODAY


def _consistent() -> None:
    assert not Opportunity.objects.annotate(n=Count("stage_changes")).filter(n=0).exists()
    assert StageChange.objects.filter(from_stage=None).count() == Opportunity.objects.count()
    assert not Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False, closed_on__isnull=False).exists()
    assert not Opportunity.objects.filter(stage__is_lost=True, loss_reason="").exists()
    assert not Opportunity.objects.filter(closed_on__lt=F("created_on")).exists()


def test_every_demo_salesperson_has_a_pipeline(db):
    demo_data.seed()  # seed_demo's rows, seeded once per test process (tests/demo_data.py)
    zhangwei = User.objects.get(username="zhangwei")
    assert Opportunity.objects.filter(customer__owner=zhangwei, stage__is_won=False, stage__is_lost=False).exists()
    assert (
        Opportunity.objects.filter(stage__is_won=True).exists()
        and Opportunity.objects.filter(stage__is_lost=True).exists()
    )
    _consistent()
    assert demo.seed_pipeline([zhangwei], TODAY) == 0  # safe to run again


def test_the_large_demo_gets_opportunities_in_bulk(db):
    demo_large.seed(password="demo-2026", today=TODAY, size=TINY)
    made = demo.seed_large(TODAY)
    assert made > 0 and Opportunity.objects.count() == made
    _consistent()
