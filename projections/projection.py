"""What a projection is: a name, its tables, and a pure fold from one stream's history to
that stream's rows. No I/O: the runner reads the log and writes the rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from projections.history import StreamHistory

Rows = Mapping[Table, Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class Projection:
    name: str
    tables: tuple[Table, ...]
    streams: frozenset[str]  # the kinds of stream it folds ("child", "worker", ...)
    fold: Callable[[StreamHistory], Rows]
