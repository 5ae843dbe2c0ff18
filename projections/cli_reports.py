"""The reports as a command reads them: the Python API on the settings' database, with a
warning on stderr when the projections lag the log (every report and return gives it)."""

from __future__ import annotations

from journey.cli import _settings, err
from projections.api import Reports


def open_reports() -> Reports:
    reports = Reports(_settings())
    behind = reports.lag()
    if behind:
        err.print(
            f"[yellow]the projections are {behind:,} events behind the log: run "
            "`journey projections run` for an up-to-date report[/yellow]"
        )
    return reports
