"""Splitting a target into parts that add up exactly to it, after rounding to the KPI's decimals.

Every split is a split by weights with the largest-remainder method: each part gets its weight's
share rounded down to the KPI's step, and the steps left over go, one each, to the parts whose
shares lost the most in rounding (ties to the earlier part). Equal, last-year and working-day
splits are weights too.
"""

import datetime
from collections.abc import Callable, Sequence
from decimal import ROUND_FLOOR, Decimal


def step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def by_weights(total: Decimal, weights: Sequence[Decimal | int], decimals: int) -> list[Decimal]:
    """`total` split in proportion to `weights`; parts add up exactly to `total` rounded to
    `decimals`. All-zero (or no positive) weights split equally. Raises ValueError for no parts
    or a negative weight."""
    if not weights:
        raise ValueError("Nothing to split into.")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("Weights cannot be negative.")
    quantum = step(decimals)
    total = Decimal(total).quantize(quantum)
    weights = [Decimal(w) for w in weights]
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    units = int(total / quantum)  # whole steps to hand out (the total is a multiple of the step)
    exact = [Decimal(units) * w / weight_sum for w in weights]
    floors = [int(share.to_integral_value(rounding=ROUND_FLOOR)) for share in exact]
    left = units - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [Decimal(units_i) * quantum for units_i in floors]


def equal(total: Decimal, parts: int, decimals: int) -> list[Decimal]:
    """`total` in `parts` parts that differ by at most one step and add up exactly."""
    return by_weights(total, [1] * parts, decimals)


def working_days(start: datetime.date, end: datetime.date, is_working_day: Callable[[datetime.date], bool]) -> int:
    """The working days in [start, end]."""
    days = (end - start).days + 1
    return sum(1 for i in range(days) if is_working_day(start + datetime.timedelta(days=i)))


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    return month_bounds(year, 3 * quarter - 2)[0], month_bounds(year, 3 * quarter)[1]


def by_working_days(
    total: Decimal,
    periods: Sequence[tuple[datetime.date, datetime.date]],
    is_working_day: Callable[[datetime.date], bool],
    decimals: int,
) -> list[Decimal]:
    """`total` over `periods` in proportion to their working days (a week of Spring Festival gets
    little or nothing, a make-up Saturday counts)."""
    return by_weights(total, [working_days(start, end, is_working_day) for start, end in periods], decimals)
