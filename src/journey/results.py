"""What the ledger answers for each submitted event: the vocabulary every interface
(the CLI, the HTTP API, the Python API) reports in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from pydantic import ValidationError

from journey.rules import FieldProblem

Status = Literal["stored", "already_stored", "rejected", "conflict", "not_stored"]


@dataclass
class Problem:
    field: str | None
    rule: str
    message: str


@dataclass
class AppendResult:
    """What happened to one submitted event."""

    index: int
    status: Status
    type: str | None = None
    stream: str | None = None
    event_id: UUID | None = None
    version: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("stored", "already_stored")

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "type": self.type,
            "stream": self.stream,
            "event_id": str(self.event_id) if self.event_id else None,
            "version": self.version,
            "problems": [p.__dict__ for p in self.problems],
        }


_TAG_ERRORS = ("union_tag_invalid", "union_tag_not_found")


def problems_of(error: ValidationError) -> list[Problem]:
    """pydantic's errors as problems naming the field and the rule."""
    problems = []
    for detail in error.errors():
        loc = [str(p) for p in detail["loc"]]
        if loc and loc[0][:1].isupper():  # the discriminated union's tag: not a field
            loc = loc[1:]
        cause = detail.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            loc = [*loc, cause.field]
            message = str(cause)
        else:
            message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] in _TAG_ERRORS:
            loc = ["type"]
        problems.append(Problem(field=".".join(loc) or None, rule=detail["type"], message=message))
    return problems


ATOMIC = Problem(
    None, "atomic_batch", "not stored: another event in this atomic batch was rejected"
)
GONE = Problem(None, "conflict", "a concurrent writer got in first; retry the request")
ERASED_CHILD = Problem(
    None, "child_erased", "this child's record was erased: nothing more can be recorded for them"
)
ERASURE_BY_COMMAND = Problem(
    "type",
    "erasure_by_command",
    "a ChildErased is recorded by `journey erase` (or the admin's erasure request), which "
    "destroys the child's data key first; it cannot be appended",
)
