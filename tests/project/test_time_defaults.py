"""The deploy check (`check --deploy --fail-level WARNING` in CI) passes at any time of day: a
fixed time-of-day default made Django warn for the 20 seconds around it."""

import datetime

import pytest
from django.core import checks


@pytest.mark.parametrize("hour", [9, 15, 18])
def test_the_model_checks_pass_at_the_default_times_of_day(hour, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 4, hour, 0, 3, tzinfo=datetime.UTC), tick=False)
    assert [message.id for message in checks.run_checks(tags=[checks.Tags.models])] == []
