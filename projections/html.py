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

MIN_JOURNEYS_TO_CHART = 10
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
    names = sorted(t for t, members in by_team.items() if sum(w.total for w in members))
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


def continuity_part(report: Report) -> Part:
    journeys = report.section("journeys").rows
    quarters = sorted({j.quarter for j in journeys})
    sizes: dict[str, int] = defaultdict(int)
    for j in journeys:
        sizes[j.team or "unknown"] += 1
    # A team with a handful of journeys draws noise, not a trend: it stays in the table.
    teams = sorted(t for t, n in sizes.items() if n >= MIN_JOURNEYS_TO_CHART)
    series: dict[str, list[float | None]] = {}
    for name in [*teams, "all teams"]:
        values: list[float | None] = []
        for quarter in quarters:
            cohort = [
                j
                for j in journeys
                if j.quarter == quarter and (name == "all teams" or (j.team or "unknown") == name)
            ]
            values.append(100 * sum(j.one_worker for j in cohort) / len(cohort) if cohort else None)
        series[name] = values
    chart = charts.lines(
        quarters, series, "One social worker from assessment to order, by quarter of the order"
    )
    by_team = report.section("by_team").rows
    table = HtmlTable(
        "By the team holding the case at the order",
        [
            Column("team"),
            Column("journeys", True),
            Column("one worker", True),
            Column("rate", True),
            Column("other changes", True),
            Column("exceptional", True),
            Column("with scrutiny", True),
            Column("days unallocated", True),
        ],
        [
            Row(
                [
                    t.team,
                    t.journeys,
                    t.one_worker,
                    _pct(t.one_worker_pct),
                    t.other_changes,
                    t.exceptional,
                    t.with_scrutiny,
                    t.days_unallocated,
                ]
            )
            for t in by_team
        ],
    )
    return Part(
        "continuity",
        "One social worker from assessment to order",
        report.headline,
        [chart],
        [table],
        list(report.definitions),
    )


def stability_part(report: Report) -> Part:
    moves = report.section("moves").rows
    chart = charts.columns(
        [m.placements for m in moves],
        [m.children for m in moves],
        "Children looked after in the year, by number of placements",
        "children",
    )
    table = HtmlTable(
        report.title,
        [Column("measure"), Column("count", True), Column("out of", True), Column("rate", True)],
        [
            Row(
                [
                    m.measure,
                    m.count,
                    "" if m.out_of is None else m.out_of,
                    "" if m.rate is None else f"{m.rate:.2f}",
                ]
            )
            for m in report.section("summary").rows
        ],
    )
    return Part(
        "stability",
        "Placement stability",
        report.headline,
        [chart],
        [table],
        list(report.definitions),
    )


def timeliness_part(report: Report) -> Part:
    measures = [m for m in report.section("by_measure").rows if m.due]

    def share(count: int, of: int) -> float:
        return 100 * count / of if of else 0.0

    chart = charts.stacked(
        [f"{m.title} ({m.due:,})" for m in measures],
        {
            "met": [share(m.met, m.due) for m in measures],
            "late": [share(m.late, m.due) for m in measures],
            "overdue": [share(m.overdue, m.due) for m in measures],
        },
        "Statutory timescales that fell due (how many in brackets): met, late, overdue now",
        "% of those due",
    )
    table = HtmlTable(
        "By measure",
        [
            Column("timescale"),
            Column("due", True),
            Column("met", True),
            Column("late", True),
            Column("overdue now", True),
            Column("on time", True),
        ],
        [
            Row([m.title, m.due, m.met, m.late, m.overdue, _pct(m.on_time_pct)], flag=m.overdue > 0)
            for m in measures
        ],
    )
    return Part(
        "timeliness",
        "Statutory timeliness",
        report.headline,
        [chart],
        [table],
        list(report.definitions),
    )


def support_part(report: Report) -> Part:
    table = HtmlTable(
        "Support contacts by kind",
        [Column("kind"), Column("contacts", True), Column("children", True), Column("hours", True)],
        [
            Row([k.kind.replace("_", " "), k.contacts, k.children, f"{k.hours:.0f}"])
            for k in report.section("by_kind").rows
        ],
    )
    constellations = HtmlTable(
        "Mockingbird constellations",
        [
            Column("constellation"),
            Column("households", True),
            Column("planned sleepovers", True),
            Column("crisis sleepovers", True),
            Column("children", True),
        ],
        [
            Row(
                [
                    c.constellation_id or "(no constellation)",
                    c.households,
                    c.planned_sleepovers,
                    c.crisis_sleepovers,
                    c.children,
                ]
            )
            for c in report.section("constellations").rows
        ],
    )
    return Part(
        "support",
        "Support",
        report.headline,
        [],
        [table, constellations],
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
