import pytest

from tests import world
from tests.migration_data import migration_data  # noqa: F401


@pytest.fixture
def objects(team, rep, other_rep, lead, outsider, other_lead, director, admin):
    """The access matrix's objects (one of each kind, in `team`), for a test of its own; the
    data-driven modules share one world per module instead (tests/world.py)."""
    return world.build_objects({"team": team, "rep": rep, "other_rep": other_rep, "lead": lead, "admin": admin})
