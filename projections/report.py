"""What a report is: a title, a one-line headline, and sections of typed rows.

Rows are frozen dataclasses, so the Python API hands back typed values; the CLI (and
later the HTTP API) renders the same objects as a table, CSV or JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson


@dataclass(frozen=True)
class Section:
    name: str  # a machine name, for --section and JSON keys
    title: str
    rows: Sequence[Any]  # dataclass instances, all of one type
    brief: Sequence[str] = ()  # the fields a table on a screen shows; all by default

    def fields(self) -> list[str]:
        if self.rows:
            return [f.name for f in dataclasses.fields(self.rows[0])]
        return []

    def records(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        names = names or self.fields()
        return [{n: getattr(row, n) for n in names} for row in self.rows]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    headline: str
    sections: Sequence[Section]
    parameters: dict[str, Any] = field(default_factory=dict)
    definitions: Sequence[str] = ()

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sections)
        raise KeyError(f"report {self.name} has no section {name!r} (it has: {known})")


def plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 3)
    if value is None:
        return ""
    return value


def to_json(report: Report) -> bytes:
    return orjson.dumps(
        {
            "report": report.name,
            "title": report.title,
            "headline": report.headline,
            "parameters": {k: plain(v) or None for k, v in report.parameters.items()},
            "definitions": list(report.definitions),
            "sections": {s.name: s.records() for s in report.sections},
        },
        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
        default=plain,
    )


def to_csv(section: Section) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(section.fields())
    for record in section.records():
        writer.writerow([plain(v) for v in record.values()])
    return out.getvalue()
