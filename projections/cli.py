"""`journey projections …` and `journey report …`: thin commands over the runner and the
Python API (`projections.api.Reports`). Mounted into `journey` by `register`, through the
`journey.cli` entry point."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from journey.cli import Format, PurposeOption, _progress, _purpose, _settings, err, out, render
from journey.events import LONDON
from journey.settings import Settings
from projections import registry, returns_cli
from projections.api import Reports
from projections.cli_reports import open_reports
from projections.report import Report, plain, to_csv, to_json
from projections.runner import PAGE_SIZE, CatchUp, ProjectionRunner, run_in_parallel

projections_app = typer.Typer(
    help="Keep the read models (projections) caught up with the event log.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="Reports for managers and inspectors, read from the projections.", no_args_is_help=True
)

FormatOption = Annotated[Format, typer.Option("--format", help="table, csv or json")]
SectionOption = Annotated[
    str | None, typer.Option(help="With --format csv: the section to print (default the first).")
]
DateOption = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]
HTML_REPORT = "journey-report.html"
AUDIT_DEFAULT_DAYS = 30
MAX_WORKERS = 4
PARALLEL_FROM = 20_000  # events behind: below this, starting processes costs more than it saves


def register(app: typer.Typer, after_demo: list[Callable[[Settings], None]]) -> None:
    app.add_typer(projections_app, name="projections")
    app.add_typer(report_app, name="report")
    returns_cli.register(report_app)
    after_demo.append(demo_reports)


# --- projections ------------------------------------------------------------------------


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def catch_up(
    settings: Settings,
    names: list[str] | None = None,
    *,
    rebuild: bool = False,
    workers: int | None = None,
    page_size: int = PAGE_SIZE,
) -> CatchUp:
    """Catch projections up (or rebuild them) with a progress bar; a long way behind, with
    one process per CPU, each folding a shard of the streams. Prints the rate overall and
    per projection."""
    chosen = registry.named(names)
    with ProjectionRunner(settings, chosen) as runner:
        head = runner.head()
        start = 0 if rebuild else min(runner.positions().values(), default=head)
    workers = workers or default_workers()
    label = "rebuilding" if rebuild else "projections"
    with _progress() as progress:
        task = progress.add_task(label, total=max(head - start, 1))

        def advance(at: int, _: int) -> None:
            progress.update(task, completed=at - start)

        try:
            if workers > 1 and head - start >= PARALLEL_FROM:
                result = run_in_parallel(
                    settings,
                    [p.name for p in chosen],
                    workers,
                    rebuild=rebuild,
                    progress=advance,
                    page_size=page_size,
                )
            else:
                with ProjectionRunner(settings, chosen, page_size=page_size) as runner:
                    result = runner.rebuild(progress=advance) if rebuild else runner.run(advance)
        except KeyboardInterrupt:
            progress.stop()
            err.print(
                "stopped: every page committed so far is kept; "
                "`journey projections run` resumes from there"
            )
            raise typer.Exit(130) from None
        progress.update(task, completed=max(head - start, 1))
    processes = workers if head - start >= PARALLEL_FROM else 1
    out.print(
        f"{label}: {result.events:,} events folded in {result.seconds:.1f} s "
        f"({result.events_per_second:,.0f} events/s, {processes} process(es)); "
        f"position {result.position:,}"
    )
    if result.events and result.fold_seconds:
        rates = Table(title="per projection (folding and writing its rows)", title_justify="left")
        for column in ("projection", "seconds", "events/s"):
            rates.add_column(column, justify="left" if column == "projection" else "right")
        for name, spent in result.fold_seconds.items():
            rate = result.events / spent if spent else 0.0
            rates.add_row(name, f"{spent:.2f}", f"{rate:,.0f}")
        out.print(rates)
    return result


@projections_app.command("run")
def run(
    follow: Annotated[
        bool, typer.Option(help="Keep going as events arrive (Ctrl-C stops).")
    ] = False,
    poll: Annotated[float, typer.Option(help="With --follow: seconds between looks.")] = 1.0,
    page_size: Annotated[
        int, typer.Option(min=1, help="Events folded and committed per transaction.")
    ] = PAGE_SIZE,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes for a long catch-up (default: one per CPU, up to 4)."),
    ] = None,
) -> None:
    """Catch every projection up to the head of the log."""
    settings = _settings()
    catch_up(settings, workers=workers, page_size=page_size)
    if not follow:
        return
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    out.print(f"following the log (every {poll:g} s); Ctrl-C to stop")
    with ProjectionRunner(settings, registry.PROJECTIONS, page_size=page_size) as runner:
        try:
            while not stopping["now"]:
                result = runner.run()
                if result.events:
                    out.print(f"{result.events:,} new events folded; position {result.position:,}")
                else:
                    time.sleep(poll)
        except KeyboardInterrupt:
            pass


@projections_app.command("status")
def status(fmt: FormatOption = Format.table) -> None:
    """Each projection's position in the log and how far behind the head it is."""
    with ProjectionRunner(_settings(), registry.PROJECTIONS) as runner:
        rows = [
            {"projection": s.name, "position": s.position, "head": s.head, "lag": s.lag}
            for s in runner.status()
        ]
    render(rows, fmt, "projections")


@projections_app.command("rebuild")
def rebuild(
    name: Annotated[str | None, typer.Argument(help="One projection (default: all).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes (default: one per CPU, up to 4).")
    ] = None,
) -> None:
    """Empty a projection (or all) and fold it again from the first event."""
    try:
        registry.named([name] if name else None)
    except ValueError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    catch_up(_settings(), [name] if name else None, rebuild=True, workers=workers)


# --- reports ----------------------------------------------------------------------------


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"{option}: '{value}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _answer(make: Callable[[], Report]) -> Report:
    """The report, or a clear error (exit 2) for a team or child the ledger does not know."""
    try:
        return make()
    except LookupError as error:
        err.print(str(error.args[0]))
        raise typer.Exit(2) from None


def show(report: Report, fmt: Format, section: str | None = None) -> None:
    if fmt is Format.json:
        sys.stdout.buffer.write(to_json(report) + b"\n")
        return
    if fmt is Format.csv:
        try:
            chosen = report.section(section) if section else report.sections[0]
        except KeyError as error:
            err.print(error.args[0])
            raise typer.Exit(2) from None
        sys.stdout.write(to_csv(chosen))
        return
    screen = Console(width=max(out.width, 160)) if not out.is_terminal else out
    screen.print(f"[bold]{report.title}[/bold]")
    screen.print(report.headline)
    for part in report.sections:
        table = Table(title=part.title, title_justify="left")
        names = list(part.brief) or part.fields()
        for name in names or ["(none)"]:
            table.add_column(name.replace("_", " "), overflow="fold")
        for record in part.records(names):
            table.add_row(*(_cell(v) for v in record.values()))
        screen.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, str):
        return value.replace("_", " ")
    return str(plain(value))


@report_app.command("caseloads")
def report_caseloads(
    as_at: DateOption = None,
    team: Annotated[str | None, typer.Option(help="A team id or name.")] = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """Open cases per worker against the role's limit; team totals; the unallocated queue."""
    with open_reports() as reports:
        report = _answer(lambda: reports.caseloads(as_at=_date(as_at, "--as-at"), team=team))
    show(report, fmt, section)


@report_app.command("continuity")
def report_continuity(
    from_: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD")] = None,
    to: DateOption = None,
    team: Annotated[str | None, typer.Option(help="A team id or name.")] = None,
    as_at: DateOption = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """One social worker from assessment to order: per journey, by team, by quarter; changes
    and transfer points; looked-after children's changes in the last 12 months."""
    with open_reports() as reports:
        report = _answer(
            lambda: reports.continuity(
                from_date=_date(from_, "--from"),
                to_date=_date(to, "--to"),
                team=team,
                as_at=_date(as_at, "--as-at"),
            )
        )
    show(report, fmt, section)


@report_app.command("stability")
def report_stability(
    year: Annotated[
        int | None,
        typer.Option(
            min=1990,
            max=2100,
            help="Collection year: 2025 is 1 April 2025 to 31 March 2026 "
            "(default: the last complete one).",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """Placement moves, 3+ placements, long-term stability, unplanned endings, disruption
    meetings."""
    with open_reports() as reports:
        report = reports.stability(year=year)
    show(report, fmt, section)


@report_app.command("support")
def report_support(
    from_: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD")] = None,
    to: DateOption = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """Support contacts by kind and provider; Mockingbird constellation activity (default:
    the last 12 months)."""
    with open_reports() as reports:
        report = reports.support(from_date=_date(from_, "--from"), to_date=_date(to, "--to"))
    show(report, fmt, section)


@report_app.command("timeliness")
def report_timeliness(
    as_at: DateOption = None,
    team: Annotated[str | None, typer.Option(help="A team id or name.")] = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """Every statutory timescale: due, met, late, overdue now; per measure, team, worker and
    child (breaches stay visible after a case closes)."""
    with open_reports() as reports:
        report = _answer(lambda: reports.timeliness(as_at=_date(as_at, "--as-at"), team=team))
    show(report, fmt, section)


@report_app.command("audit")
def report_audit(
    child: Annotated[str | None, typer.Option(help="One child (la_child_id).")] = None,
    principal: Annotated[str | None, typer.Option(help="Who recorded (or for whom).")] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="YYYY-MM-DD",
            help="Recorded on or after (default: "
            f"{AUDIT_DEFAULT_DAYS} days ago, unless --child is given).",
        ),
    ] = None,
    to: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Recorded on or before.")
    ] = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
    purpose: PurposeOption = None,
) -> None:
    """Every event with who recorded it and when; late recordings; corrections and
    retractions with what they changed and why."""
    purpose = _purpose(purpose)
    start = _date(from_, "--from")
    if start is None and child is None:
        start = date.today() - timedelta(days=AUDIT_DEFAULT_DAYS)
    with open_reports() as reports:
        report = reports.audit(
            child=child,
            principal=principal,
            from_date=start,
            to_date=_date(to, "--to"),
            purpose=purpose,
        )
    show(report, fmt, section)


@report_app.command("chronology")
def report_chronology(
    la_child_id: str,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
    purpose: PurposeOption = None,
) -> None:
    """A child's chronology for a court: date, what happened, who, recorded when and by
    whom; corrections applied and marked, retractions shown and marked."""
    purpose = _purpose(purpose)
    with Reports(_settings()) as reports:  # from the log itself: projections' lag is moot
        try:
            report = reports.chronology(la_child_id, purpose=purpose)
        except LookupError:
            err.print(f"no child {la_child_id} in this ledger")
            raise typer.Exit(2) from None
    show(report, fmt, section)


@report_app.command("access")
def report_access(
    child: Annotated[str | None, typer.Option(help="Reads of one child (la_child_id).")] = None,
    principal: Annotated[str | None, typer.Option(help="Reads by one principal.")] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="YYYY-MM-DD", help="Read on or after this date."),
    ] = None,
    to: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Read on or before this date.")
    ] = None,
    fmt: FormatOption = Format.table,
    section: SectionOption = None,
) -> None:
    """The access log: every read of a child's record, with who, when, what and why."""
    start, end = _date(from_, "--from"), _date(to, "--to")
    with Reports(_settings()) as reports:
        report = reports.access(
            child=child,
            principal=principal,
            start=None if start is None else _london_midnight(start),
            end=None if end is None else _london_midnight(end + timedelta(days=1)),
        )
    show(report, fmt, section)


def _london_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


# --- after the demo ---------------------------------------------------------------------


def demo_reports(settings: Settings) -> None:
    """Catch the projections up, print each report's headline, write the HTML report."""
    from projections import html  # matplotlib is slow to import: only the demo draws

    events = catch_up(settings).position
    today = date.today()
    with Reports(settings) as reports:
        made = {
            "caseloads": reports.caseloads(as_at=today),
            "continuity": reports.continuity(as_at=today),
            "stability": reports.stability(),
            "timeliness": reports.timeliness(as_at=today),
            "support": reports.support(to_date=today),
            "audit": reports.audit(from_date=today - timedelta(days=365)),
        }
        returns = returns_cli.headlines(reports, today)
    headlines = Table(title="headlines", show_header=False, title_justify="left")
    headlines.add_column("report", style="bold")
    headlines.add_column("headline", overflow="fold")
    for name, report in made.items():
        headlines.add_row(name, report.headline)
    for name, headline in returns:
        headlines.add_row(name, headline)
    out.print(headlines)
    page = html.write(
        Path(HTML_REPORT),
        [
            html.caseload_part(made["caseloads"]),
            html.continuity_part(made["continuity"]),
            html.stability_part(made["stability"]),
            html.timeliness_part(made["timeliness"]),
            html.support_part(made["support"]),
        ],
        title="The demo council: caseloads, continuity, stability, timeliness",
        as_at=today,
        events=events,
    )
    out.print(f"wrote {page} (open it in a browser; it needs no network)")
