"""`journey report ssda903 | cin-census | annex-a`: the statutory returns and Ofsted's
inspection lists, written to files, with the DfE's validation rules on request."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from journey.cli import PurposeOption, _purpose, _settings, err, out
from projections.api import Reports
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


def _reports() -> Reports:
    reports = Reports(_settings())
    behind = reports.lag()
    if behind:
        err.print(
            f"[yellow]the projections are {behind:,} events behind the log: run "
            "`journey projections run` for an up-to-date return[/yellow]"
        )
    return reports


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


def report_ssda903(
    year: YearOption = None,
    out_dir: OutOption = None,
    purpose: PurposeOption = None,
) -> None:
    """The SSDA903 return (children looked after): Header, Episodes, Reviews, UASC, OC2,
    OC3, AD1, PlacedAdoption, PrevPerm, Missing and SWEpisodes, one CSV each."""
    purpose = _purpose(purpose)
    with _reports() as reports:
        made = reports.ssda903(year=year, purpose=purpose)
    _written(made, out_dir)
