"""The HTML report a manager reads: one self-contained page (charts inline as SVG, styles
inline, nothing fetched from a network) built from the same reports as the CLI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from projections import charts
from projections.report import Report

TEMPLATES = Environment(
    loader=PackageLoader("projections", "templates"), autoescape=select_autoescape(["html"])
)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    cells: Sequence[Any]
    flag: bool = False


@dataclass(frozen=True)
class HtmlTable:
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Row]


@dataclass(frozen=True)
class Part:
    id: str
    heading: str
    headline: str
    charts: Sequence[str] = ()
    tables: Sequence[HtmlTable] = ()
    definitions: Sequence[str] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def caseload_part(report: Report) -> Part:
    workers = [w for w in report.section("workers").rows if w.limit is not None]
    by_team: dict[str, list[Any]] = defaultdict(list)
    for worker in workers:
        by_team[worker.team].append(worker)
    names = sorted(by_team)
    per_fte = [
        sum(w.total for w in by_team[t]) / max(sum(w.fte for w in by_team[t]), 0.01) for t in names
    ]
    limits = [max(w.limit for w in by_team[t]) for t in names]
    chart = charts.bars_against_limits(
        names, per_fte, limits, "Open cases per full-time worker, by team (| = the role's limit)"
    )
    table = HtmlTable(
        "Case-holding teams",
        [
            Column("team"),
            Column("workers", True),
            Column("FTE", True),
            Column("cases", True),
            Column("cases per FTE", True),
            Column("limit", True),
            Column("over limit", True),
        ],
        [
            Row(
                [
                    t,
                    len(by_team[t]),
                    f"{sum(w.fte for w in by_team[t]):.1f}",
                    sum(w.total for w in by_team[t]),
                    f"{value:.1f}",
                    f"{limit:g}",
                    sum(w.over_limit for w in by_team[t]),
                ],
                flag=value > limit,
            )
            for t, value, limit in zip(names, per_fte, limits, strict=True)
        ],
    )
    return Part(
        "caseloads",
        "Caseloads against limits",
        report.headline,
        [chart],
        [table],
        list(report.definitions),
    )


def render(parts: Sequence[Part], *, title: str, as_at: date, events: int) -> str:
    return TEMPLATES.get_template("report.html").render(
        title=title,
        as_at=as_at.isoformat(),
        events=f"{events:,}",
        produced=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        parts=parts,
    )


def write(path: Path, parts: Sequence[Part], *, title: str, as_at: date, events: int) -> Path:
    path.write_text(render(parts, title=title, as_at=as_at, events=events), encoding="utf-8")
    return path
