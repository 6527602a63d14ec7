"""What every seeded pipeline holds, the small demo's and the large one's
(tests/pipeline/test_demo.py, tests/teams/test_seed_large.py)."""

from django.db.models import Count, F

from pipeline.models import Opportunity, StageChange


def consistent() -> None:
    """Every opportunity has a stage history starting from nothing; closed ones have a date no
    earlier than their creation, and lost ones a reason."""
    assert not Opportunity.objects.annotate(n=Count("stage_changes")).filter(n=0).exists()
    assert StageChange.objects.filter(from_stage=None).count() == Opportunity.objects.count()
    assert not Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False, closed_on__isnull=False).exists()
    assert not Opportunity.objects.filter(stage__is_lost=True, loss_reason="").exists()
    assert not Opportunity.objects.filter(closed_on__lt=F("created_on")).exists()
