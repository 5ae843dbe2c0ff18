"""The Python API of the read side: each report as typed rows.

The CLI and the HTTP API call these methods and only render what they return.

    with Reports(load_settings()) as reports:
        for row in reports.caseloads(as_at=date(2026, 3, 31)).section("workers").rows:
            print(row.worker_id, row.total, row.over_limit)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select

from journey.access import check_purpose
from journey.events import LONDON
from journey.ledger import Ledger
from journey.settings import Settings
from projections import schema
from projections.access import access_report
from projections.annex_a import AnnexA, annex_a
from projections.audit import audit
from projections.caseloads import caseloads
from projections.chronology import chronology
from projections.cin_census import Census, cin_census
from projections.continuity import continuity
from projections.personal import PersonalSealer
from projections.registry import PROJECTIONS
from projections.report import Report
from projections.return_files import Return
from projections.runner import ProjectionRunner
from projections.settings import ReportSettings, report_settings
from projections.ssda903 import ssda903
from projections.stability import collection_year, stability
from projections.support import support
from projections.timeliness import timeliness
from projections.workforce import teams


class Reports:
    def __init__(
        self,
        settings: Settings,
        options: ReportSettings | None = None,
        *,
        engine: Engine | None = None,
        ledger: Ledger | None = None,
        reader: str | None = None,
    ):
        """A server passes its own `engine` (kept across requests), a `ledger` lent to
        this request and the `reader` signed in, who is named in the access log."""
        self.settings = settings
        self.options = options or report_settings()
        self._owns_engine = engine is None
        self.engine = engine or schema.engine_for(settings.database_url)
        if self._owns_engine:
            schema.metadata.create_all(self.engine)
        self._lent = ledger
        self.reader = reader

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    @contextmanager
    def _ledger(self) -> Iterator[Ledger]:
        if self._lent is not None:
            yield self._lent
            return
        with Ledger(self.settings) as ledger:
            yield ledger

    def _record(self, ledger: Ledger, action: str, child: str | None, purpose: str | None) -> None:
        ledger.record_access(action, child, purpose, principal=self.reader)

    def record_read(
        self, action: str, child: str | None = None, purpose: str | None = None
    ) -> None:
        """Write a read to the access log (a report that names children, read over HTTP)."""
        with self._ledger() as ledger:
            self._record(ledger, action, child, purpose)

    def __enter__(self) -> Reports:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lag(self) -> int:
        """How many events the furthest-behind projection has still to fold."""
        with ProjectionRunner(self.settings, PROJECTIONS) as runner:
            return max((s.lag for s in runner.status()), default=0)

    def check_team(self, team: str | None) -> None:
        """Raise LookupError, naming the teams there are, if no team has (or had) this id
        or name: a misspelt team must not read as a team with nothing to report."""
        if team is None:
            return
        t = teams.c
        with self.engine.connect() as conn:
            known = conn.execute(select(t.team_id, t.name).distinct()).all()
        if not any(team in (team_id, name) for team_id, name in known):
            names = ", ".join(sorted({str(name) for _, name in known})) or "none yet"
            raise LookupError(f"no team with the id or name {team!r} (teams: {names})")

    def caseloads(self, *, as_at: date | None = None, team: str | None = None) -> Report:
        self.check_team(team)
        with self.engine.connect() as conn:
            return caseloads(conn, as_at=as_at or date.today(), settings=self.options, team=team)

    def stability(self, *, year: int | None = None) -> Report:
        """Placement stability in a collection year (1 April to 31 March); by default the
        last complete one."""
        year = year if year is not None else collection_year(date.today()) - 1
        with self.engine.connect() as conn:
            return stability(conn, settings=self.options, year=year)

    def support(self, *, from_date: date | None = None, to_date: date | None = None) -> Report:
        """Support contacts and Mockingbird activity; by default the last 12 months."""
        to_date = to_date or date.today()
        from_date = from_date or to_date - timedelta(days=365)
        with self.engine.connect() as conn:
            return support(conn, settings=self.options, from_date=from_date, to_date=to_date)

    def continuity(
        self,
        *,
        from_date: date | None = None,
        to_date: date | None = None,
        team: str | None = None,
        as_at: date | None = None,
    ) -> Report:
        """One social worker from assessment to order: journeys, rates by team and quarter,
        changes and transfer points, looked-after children's changes in 12 months."""
        self.check_team(team)
        with self.engine.connect() as conn:
            return continuity(
                conn,
                settings=self.options,
                from_date=from_date,
                to_date=to_date,
                team=team,
                as_at=as_at,
            )

    def timeliness(self, *, as_at: date | None = None, team: str | None = None) -> Report:
        """Every statutory timescale: due, met, late, overdue now; by measure, team, worker."""
        self.check_team(team)
        with self.engine.connect() as conn:
            return timeliness(conn, settings=self.options, as_at=as_at or date.today(), team=team)

    def audit(
        self,
        *,
        child: str | None = None,
        principal: str | None = None,
        from_date: date | None = None,
        to_date: date | None = None,
        purpose: str | None = None,
    ) -> Report:
        """Every event with who recorded it and when; late recordings; corrections and
        retractions with what they changed and why. The period is of recording dates.
        Logged in the access log, as a read of the child's record when `child` is given."""
        purpose = check_purpose(purpose, required=False)
        with self._ledger() as ledger, self.engine.connect() as conn:
            self._record(ledger, "report audit", child, purpose)
            return audit(
                conn,
                settings=self.options,
                child=child,
                principal=principal,
                from_date=from_date,
                to_date=to_date,
                ledger=ledger,
            )

    def chronology(self, la_child_id: str, *, purpose: str | None = None) -> Report:
        """The child's chronology, from their stream (decrypted); LookupError if the ledger
        holds no such child. Logged in the access log before it is read."""
        purpose = check_purpose(purpose, required=False)
        with self._ledger() as ledger:
            self._record(ledger, "report chronology", la_child_id, purpose)
            return chronology(ledger, la_child_id, settings=self.options)

    # --- statutory returns ----------------------------------------------------------------

    def _personal(self, ledger: Ledger) -> PersonalSealer:
        return PersonalSealer(self.settings.cipher_key, ledger.child_keys)

    def _read_return(self, what: str, purpose: str | None) -> None:
        """A return holds many children's records: its making is one access log entry."""
        with self._ledger() as ledger:
            self._record(ledger, what, None, check_purpose(purpose, required=False))

    def ssda903(self, *, year: int | None = None, purpose: str | None = None) -> Return:
        """The SSDA903 files for a collection year (2025: 1 April 2025 to 31 March 2026;
        by default the last complete one)."""
        year = year if year is not None else collection_year(date.today()) - 1
        self._read_return(f"report ssda903 {year}", purpose)
        with self._ledger() as ledger, self.engine.connect() as conn:
            return ssda903(conn, self._personal(ledger), year)

    def cin_census(self, *, year: int | None = None, purpose: str | None = None) -> Census:
        """The CIN census for a collection year (the XML message and the flat tables)."""
        year = year if year is not None else collection_year(date.today()) - 1
        self._read_return(f"report cin-census {year}", purpose)
        with self._ledger() as ledger, self.engine.connect() as conn:
            return cin_census(
                conn,
                self._personal(ledger),
                year,
                self.settings.council,
                datetime.now(LONDON),
            )

    def annex_a(
        self,
        *,
        inspection_date: date | None = None,
        allocated_worker: str = "at-event",
        purpose: str | None = None,
    ) -> AnnexA:
        """Ofsted's Annex A lists 1-11 for an inspection date (default today); "Allocated
        Worker" as the worker at the event or the current one."""
        on = inspection_date or date.today()
        self._read_return(f"report annex-a {on.isoformat()}", purpose)
        with self._ledger() as ledger, self.engine.connect() as conn:
            return annex_a(conn, self._personal(ledger), on, allocated_worker)

    def access(
        self,
        *,
        child: str | None = None,
        principal: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Report:
        """The access log: every read of a child's record, who, when, what and why."""
        with self._ledger() as ledger:
            entries = ledger.access_entries(
                la_child_id=child, principal=principal, start=start, end=end
            )
        return access_report(
            entries, {"child": child, "principal": principal, "from": start, "to": end}
        )
