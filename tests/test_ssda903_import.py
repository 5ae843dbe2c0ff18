"""Importing a council's SSDA903 files: the events they imply, checked the way a council
would check a migration. Several years of a synthetic council's returns are written out,
imported into an empty ledger, and the ledger's own returns for those years must be the
same files; a child with a row the rules refuse is left out whole, and the row is named;
importing twice stores nothing twice."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from test_cli import journey
from test_projection_runner import KEY, build_council, council_settings

from journey.ledger import Ledger
from journey.settings import Settings
from journey.ssda903_files import FILES
from journey.ssda903_import import import_ssda903
from projections import registry
from projections.api import Reports
from projections.runner import ProjectionRunner

YEARS = (2023, 2024, 2025)  # from the year the council's history begins


def catch_up(settings: Settings) -> None:
    with ProjectionRunner(settings, registry.PROJECTIONS) as runner:
        runner.run()


def write_returns(settings: Settings, folder: Path) -> None:
    with Reports(settings) as reports:
        for year in YEARS:
            reports.ssda903(year=year).write_csv(folder / str(year))


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return sorted(csv.reader(handle))


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of a small synthetic council's SSDA903 files, one folder a year."""
    folder = tmp_path_factory.mktemp("council")
    settings = council_settings(f"sqlite:///{folder}/journey.db")
    build_council(settings.database_url, children=150)
    catch_up(settings)
    write_returns(settings, folder / "903")
    return folder / "903"


def test_importing_a_councils_returns_gives_back_the_same_returns(
    returns: Path, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/journey.db", cipher_key=KEY, principal="svc:import"
    )
    with Ledger(settings) as ledger:
        report = import_ssda903(ledger, returns)
    assert report.rejected == []
    assert report.years == list(YEARS)  # every year, so every period of care starts in them
    assert report.children > 20 and report.stored > 300
    catch_up(settings)
    write_returns(settings, tmp_path / "again")
    for year in YEARS:
        for name, columns in FILES.items():
            given = rows(returns / str(year) / f"{name}.csv")
            made = rows(tmp_path / "again" / str(year) / f"{name}.csv")
            assert made == given, f"{year} {name} differs"
            header = (tmp_path / "again" / str(year) / f"{name}.csv").read_text().splitlines()[0]
            assert header.split(",") == list(columns)


def test_every_imported_event_says_it_came_from_the_import(returns: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/journey.db", principal="svc:import")
    with Ledger(settings) as ledger:
        import_ssda903(ledger, returns)
        children = [r.event.la_child_id for r in ledger.registered_children()]  # type: ignore[attr-defined]
        sources = {r.event.source for c in children for r in ledger.child_records(c)}
    assert len(children) > 20
    assert sources == {"import"}


def test_a_child_with_a_refused_row_is_left_out_whole_and_the_row_is_named(
    returns: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "903"
    shutil.copytree(returns, broken)
    episodes = broken / str(YEARS[-1]) / "Episodes.csv"  # the latest year wins
    lines = episodes.read_text().splitlines()
    child = lines[1].split(",")[0]
    fields = lines[1].split(",")
    fields[3] = "Q9"  # no such legal status
    lines[1] = ",".join(fields)
    episodes.write_text("\n".join(lines) + "\n")
    settings = Settings(database_url=f"sqlite:///{tmp_path}/journey.db", principal="svc:import")
    with Ledger(settings) as ledger:
        report = import_ssda903(ledger, broken)
        assert not ledger.child(child).registered  # nothing of the child was stored
        stored = report.stored
    assert {r.child for r in report.rejected} == {child}
    assert ("Episodes", 2) in {(r.file, r.line) for r in report.rejected}
    assert any("legal_status" in r.message or "LS" in r.message for r in report.rejected)
    assert report.refused_children == 1 and stored > 0


def test_importing_twice_stores_nothing_twice(returns: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/journey.db", principal="svc:import")
    with Ledger(settings) as ledger:
        first = import_ssda903(ledger, returns)
        second = import_ssda903(ledger, returns)
    assert first.stored > 0
    assert second.stored == 0 and second.already_stored == first.stored


def test_the_command_reports_what_it_imported_and_refuses_an_unknown_layout(
    returns: Path, tmp_path: Path
) -> None:
    run = journey(tmp_path, "import", "ssda903", str(returns / str(YEARS[0])), "--year", "2024")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "imported 2024-25" in run.stdout
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "Episodes.csv").write_text("CHILD,DECOM\nC1,01/04/2024\n")
    odd = journey(tmp_path, "import", "ssda903", str(folder), "--year", "2024")
    assert odd.returncode == 2
    assert "Episodes.csv: no column RNE" in odd.stderr
    unsaid = journey(tmp_path, "import", "ssda903", str(returns / str(YEARS[0])))
    assert unsaid.returncode == 2
    assert "--year" in unsaid.stderr
