"""The dates and times a request may name (a report as at, a replay as of and as known
at, a period from and to): from 1900 to 2100, wide of any child's record and of any
collection year, and narrow enough that what is reckoned from them (a year back, a day
on, London time) is still a date. Outside, a 422 naming the parameter and the rule, not
a server error."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from annotated_types import Interval
from fastapi import Query
from fastapi.exceptions import RequestValidationError

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
FIRST_MOMENT = datetime.combine(EARLIEST, time(), UTC)
PAST_LAST_MOMENT = datetime.combine(LATEST + timedelta(days=1), time(), UTC)


Bounded = Annotated[date, Interval(ge=EARLIEST, le=LATEST)]


def day(description: str = "", *, alias: str | None = None) -> Any:
    """The query parameter of a day (`Bounded | None`): YYYY-MM-DD, EARLIEST to LATEST."""
    span = f"YYYY-MM-DD, {EARLIEST} to {LATEST}"
    return Query(alias=alias, description=f"{description} ({span})" if description else span)


Day = Annotated[Bounded | None, day()]
From = Annotated[Bounded | None, day("From this day", alias="from")]
To = Annotated[Bounded | None, day("To this day", alias="to")]


def within(name: str, moment: datetime) -> datetime:
    """An aware `moment` from the query parameter `name`, refused (as a request that does
    not parse is) unless it falls from EARLIEST to LATEST."""
    if moment < FIRST_MOMENT:
        rule, bound = "greater_than_equal", f"greater than or equal to {FIRST_MOMENT}"
    elif moment >= PAST_LAST_MOMENT:
        rule, bound = "less_than", f"less than {PAST_LAST_MOMENT}"
    else:
        return moment
    error = {"loc": ("query", name), "type": rule, "msg": f"Input should be {bound}"}
    raise RequestValidationError([error])
