import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning import decompose
from reports.calendar import WorkCalendar

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


# The machine is shared: input generation may be slow, which says nothing about the arithmetic.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    total=amounts,
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20),
    decimals=st.integers(min_value=0, max_value=2),
)
def test_parts_add_up_exactly_to_the_whole_after_rounding(total, weights, decimals):
    whole = total.quantize(decompose.step(decimals))
    parts = decompose.by_weights(whole, weights, decimals)
    assert sum(parts) == whole
    assert len(parts) == len(weights)
    assert all(part >= 0 and part == part.quantize(decompose.step(decimals)) for part in parts)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(total=st.integers(min_value=0, max_value=10**9), parts=st.integers(min_value=1, max_value=50))
def test_an_equal_split_differs_by_at_most_one_unit(total, parts):
    shares = decompose.equal(Decimal(total), parts, 0)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1


def test_largest_remainders_get_the_leftover_units():
    # 100 by 1:1:1 is 33.33 each: one unit is left over and goes to the first.
    assert decompose.equal(Decimal(100), 3, 0) == [34, 33, 33]
    # 10 by 1:2:7 with one decimal is exact.
    assert decompose.by_weights(Decimal(10), [1, 2, 7], 1) == [Decimal("1.0"), Decimal("2.0"), Decimal("7.0")]
    # 1000 by 1:1:1 with two decimals: 333.34 + 333.33 + 333.33.
    assert decompose.equal(Decimal(1000), 3, 2) == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]


def test_zero_weights_split_equally_and_negative_ones_are_refused():
    assert decompose.by_weights(Decimal(9), [0, 0, 0], 0) == [3, 3, 3]
    with pytest.raises(ValueError):
        decompose.by_weights(Decimal(9), [1, -1], 0)


def week(monday: datetime.date) -> tuple[datetime.date, datetime.date]:
    return monday, monday + datetime.timedelta(days=6)


def test_spring_festival_week_gets_its_working_days_share():
    # February 2025: the week of 3 Feb is the end of the Spring Festival holiday, with four
    # working days (5-8 Feb, Saturday the 8th a make-up day); the other weeks have five.
    weeks = [week(datetime.date(2025, 2, d)) for d in (3, 10, 17, 24)]
    parts = decompose.by_working_days(Decimal(19000), weeks, WorkCalendar().is_working_day, 0)
    assert parts == [4000, 5000, 5000, 5000]
    # January 2025: the week of 27 Jan has one working day; Sunday 26 Jan is a make-up day.
    weeks = [week(datetime.date(2025, 1, d)) for d in (6, 13, 20, 27)]
    assert decompose.by_working_days(Decimal(17), weeks, WorkCalendar().is_working_day, 0) == [5, 5, 6, 1]


def test_national_day_weeks_get_their_working_days_share():
    weeks = [week(datetime.date(2025, 9, d)) for d in (1, 8, 15, 22, 29)]
    # Sunday 28 Sep is a make-up day; 1-8 Oct are off.
    assert decompose.by_working_days(Decimal(23), weeks, WorkCalendar().is_working_day, 0) == [5, 5, 5, 6, 2]
    october = [week(datetime.date(2025, 10, d)) for d in (6, 13, 20, 27)]
    # Saturday 11 Oct is a make-up day: the week of 6 Oct has three working days.
    assert decompose.by_working_days(Decimal(1800), october, WorkCalendar().is_working_day, 0) == [300, 500, 500, 500]


def test_months_by_working_days_add_up_to_the_year():
    months = [decompose.month_bounds(2025, m) for m in range(1, 13)]
    parts = decompose.by_working_days(Decimal(1_000_000), months, WorkCalendar().is_working_day, 0)
    assert sum(parts) == 1_000_000
    # February and October, with the long holidays, get less than March.
    assert parts[1] < parts[2] and parts[9] < parts[2]
