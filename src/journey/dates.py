"""Calendar arithmetic the ledger, the demo and the read side share."""

from __future__ import annotations

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier when negative); the month's last day when it
    has no such day (31 January + 1 month is 28 or 29 February)."""
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, index + 1, min(day.day, monthrange(year, index + 1)[1]))


def age_on(born: date, on: date) -> int:
    """Completed years of age on `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
