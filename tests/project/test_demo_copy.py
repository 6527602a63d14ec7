"""The tests' copy of the demo (tests/demo_data.py) is restored inside transactions that are rolled
back; the rows they roll back to must still get fresh keys afterwards."""

from django.db import transaction

from reports.models import ProblemCategory
from tests import demo_data


def _rolled_back_seed() -> None:
    saved = transaction.savepoint()
    demo_data.seed()
    transaction.savepoint_rollback(saved)
    demo_data.forget_cached_rows()


def test_rows_made_after_a_rolled_back_copy_get_keys_of_their_own(db):
    _rolled_back_seed()  # the copy is taken now, with keys lower than the rows below
    made = [ProblemCategory.objects.create(name_zh=f"类别{i}", name_en=f"kind {i}") for i in range(20)]

    _rolled_back_seed()  # a test seeding inside a module's transaction, then rolled back

    # The module's next rows: none may collide with the ones the copy's keys rolled back to.
    later = [ProblemCategory.objects.create(name_zh=f"新类别{i}", name_en=f"new kind {i}") for i in range(20)]
    assert ProblemCategory.objects.filter(pk__in=[c.pk for c in made + later]).count() == 40
