"""How the domain model says no."""

from __future__ import annotations


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
