"""How the domain model says no."""

from __future__ import annotations

from datetime import datetime, timedelta

CLOCK_SKEW = timedelta(minutes=5)


class RuleViolation(Exception):
    """An event broke a hard rule of the domain; nothing was stored.

    `rule` is a stable identifier services can match on; `field` names the field at fault
    where there is one; the message says what to do in a social worker's words.
    """

    def __init__(self, rule: str, message: str, field: str | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.field = field

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.rule}{where}: {self.message}"


class FieldProblem(ValueError):
    """A validation error about one field, raised where pydantic cannot tell which
    (a check across fields): the ledger reports `field` with the message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def not_in_future(at: datetime, now: datetime) -> None:
    """Business time may be late, never ahead of the ledger's clock (beyond a small skew)."""
    if at > now + CLOCK_SKEW:
        raise RuleViolation(
            "occurred_at_in_future",
            "occurred_at is in the future (more than five minutes ahead of the ledger)",
            "occurred_at",
        )
