"""`journey report ssda903 | cin-census | annex-a`: the statutory returns and Ofsted's
inspection lists, written to files, with the DfE's validation rules on request."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from journey.cli import PurposeOption, _purpose, err, out
from projections import checks_903, checks_cin
from projections.annex_a import TITLES
from projections.api import Reports
from projections.cli_reports import open_reports
from projections.return_checks import Checked
from projections.return_files import Return

YearOption = Annotated[
    int | None,
    typer.Option(
        min=1990,
        max=2100,
        help="Collection year: 2025 is 1 April 2025 to 31 March 2026 "
        "(default: the last complete one).",
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", metavar="DIR", help="Where to write the files.")
]


def register(report_app: typer.Typer) -> None:
    report_app.command("ssda903")(report_ssda903)
    report_app.command("cin-census")(report_cin_census)
    report_app.command("annex-a")(report_annex_a)


def _written(made: Return, out_dir: Path | None) -> None:
    table = Table(title=f"{made.name} {made.year}-{(made.year + 1) % 100:02d}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, count in made.counts().items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    if out_dir is not None:
        paths = made.write_csv(out_dir)
        out.print(f"wrote {len(paths)} files to {out_dir}")


CheckOption = Annotated[
    bool,
    typer.Option(
        "--check",
        help="Apply the DfE's validation rules and print every failure by child and rule "
        "(exit 1 when any error is found; queries are listed but do not fail).",
    ),
]


def report_ssda903(
    year: YearOption = None,
    out_dir: OutOption = None,
    check: CheckOption = False,
    purpose: PurposeOption = None,
) -> None:
    """The SSDA903 return (children looked after): Header, Episodes, Reviews, UASC, OC2,
    OC3, AD1, PlacedAdoption, PrevPerm, Missing and SWEpisodes, one CSV each."""
    purpose = _purpose(purpose)
    with open_reports() as reports:
        made = reports.ssda903(year=year, purpose=purpose)
    _written(made, out_dir)
    if check:
        _checked(checks_903.RULES.check(made))


def _checked(checked: Checked) -> None:
    """Every failure by child and rule, then the count by rule; exit 1 on any error."""
    made = checked.made
    title = f"{made.name} {made.year}-{(made.year + 1) % 100:02d}"
    if checked.findings:
        table = Table(title=f"{title}: failures of the DfE's validation rules")
        for column in ("rule", "file", "child", "what", "message"):
            table.add_column(column, overflow="fold")
        for f in sorted(checked.findings, key=lambda f: (f.query, f.rule, f.child)):
            code = f"{f.rule} (query)" if f.query else f.rule
            table.add_row(code, f.file, f.child, f.detail, f.message)
        screen = Console(width=max(out.width, 160)) if not out.is_terminal else out
        screen.print(table)
    errors, queries = len(checked.errors), len(checked.queries)
    out.print(
        f"{title}: {len(checked.rules)} rules applied; {errors} errors, {queries} queries"
        + (
            " (by rule: "
            + ", ".join(f"{r} {n}" for r, n in sorted(checked.by_rule().items()))
            + ")"
            if checked.findings
            else ""
        )
    )
    if errors:
        raise typer.Exit(1)


def report_cin_census(
    year: YearOption = None,
    out_dir: OutOption = None,
    check: CheckOption = False,
    purpose: PurposeOption = None,
) -> None:
    """The CIN census: the DfE's XML message (cin-census-YYYY.xml) and the same as flat
    CSV tables (Children, CINdetails, Assessments, CINPlanDates, Section47,
    ChildProtectionPlans, Reviews, PreProceedings)."""
    purpose = _purpose(purpose)
    with open_reports() as reports:
        census = reports.cin_census(year=year, purpose=purpose)
    _written(census.tables, None)
    if out_dir is not None:
        paths = census.write(out_dir)
        out.print(f"wrote {paths[0].name} and {len(paths) - 1} tables to {out_dir}")
    if check:
        _checked(checks_cin.RULES.check(census.tables))


class AllocatedWorker(StrEnum):
    at_event = "at-event"
    current = "current"


def report_annex_a(
    inspection_date: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="The inspection date (default: today)."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE.xlsx", help="The workbook to write.")
    ] = None,
    allocated_worker: Annotated[
        AllocatedWorker,
        typer.Option(
            help="Allocated Team and Worker: the lead social worker at the event (the "
            "referral, assessment, enquiry...) or on the inspection date."
        ),
    ] = AllocatedWorker.at_event,
    purpose: PurposeOption = None,
) -> None:
    """Ofsted's Annex A lists 1-11 for an inspection, one sheet a list (List 1 to List 11),
    Ofsted's columns in order."""
    purpose = _purpose(purpose)
    try:
        on = date.fromisoformat(inspection_date) if inspection_date else None
    except ValueError:
        err.print(f"--inspection-date: '{inspection_date}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    with open_reports() as reports:
        made = reports.annex_a(
            inspection_date=on, allocated_worker=allocated_worker.value, purpose=purpose
        )
    table = Table(title=f"Annex A for an inspection on {made.inspection_date.isoformat()}")
    table.add_column("list")
    table.add_column("rows", justify="right")
    for number, count in made.counts().items():
        table.add_row(f"List {number}: {TITLES[number]}", f"{count:,}")
    out.print(table)
    if out_file is not None:
        made.write_xlsx(out_file)
        out.print(f"wrote {out_file}")


def headlines(reports: Reports, today: date) -> list[tuple[str, str]]:
    """The returns for the last complete collection year, and Annex A for today, in a
    line each: what they hold and what the DfE's rules make of them."""
    made = reports.ssda903()
    census = reports.cin_census(year=made.year)
    annex = reports.annex_a(inspection_date=today)
    lines = []
    for name, checked, counted in (
        (
            "ssda903",
            checks_903.RULES.check(made),
            f"{len(made.files['Episodes']):,} episodes of "
            f"{len({r['CHILD'] for r in made.files['Episodes']}):,} children looked after",
        ),
        (
            "cin-census",
            checks_cin.RULES.check(census.tables),
            f"{len(census.tables.files['Children']):,} children in need",
        ),
    ):
        year = f"{made.year}-{(made.year + 1) % 100:02d}"
        lines.append(
            (
                name,
                f"{year}: {counted}; {len(checked.rules)} DfE rules applied: "
                f"{len(checked.errors)} errors, {len(checked.queries)} queries",
            )
        )
    counts = annex.counts()
    lines.append(
        (
            "annex-a",
            f"inspection on {today.isoformat()}: "
            + ", ".join(f"list {n} {c:,}" for n, c in counts.items()),
        )
    )
    return lines
