"""Working days in England: Monday to Friday, less England's bank holidays (the statutory
timescales and the CIN census count them as non-working days; the `holidays` package
keeps the list)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=64)
def _working_days_in(year: int) -> list[date]:
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return [d for d in days if is_working_day(d)]


def add_working_days(day: date, n: int) -> date:
    """The date `n` working days after `day` (`day` itself when n <= 0)."""
    if n <= 0:
        return day
    year = day.year
    days = _working_days_in(year)
    i = bisect_right(days, day) + n - 1
    while i >= len(days):
        i -= len(days)
        year += 1
        days = _working_days_in(year)
    return days[i]
