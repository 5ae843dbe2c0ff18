"""The projection runner as an operator relies on it: a crash never double-counts or
skips an event, a rebuild gives the same tables, and both databases behave alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from journey.demo.council import generate
from journey.demo.simulation import append_council
from journey.erasure import erase
from journey.ledger import Ledger
from journey.settings import Settings
from projections import registry, schema
from projections.digest import digests
from projections.runner import ProjectionRunner, run_in_parallel

END = date(2026, 11, 24)
KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="


def council_settings(url: str) -> Settings:
    return Settings(database_url=url, cipher_key=KEY, principal="svc:test-council")


def build_council(url: str, children: int = 120) -> int:
    """A small synthetic council (every kind of event, corrections included, and a child
    who was looked after, erased); its size."""
    council = generate(seed=3, children=children, years=3, end=END)
    looked_after = next(p for _, p in council.events if p["type"] == "PeriodOfCareStarted")
    with Ledger(council_settings(url)) as ledger:
        append_council(ledger, council, lambda _: None)
        erase(ledger, looked_after["la_child_id"], "Erasure decision DPO-2026-1")
    return len(council.events) + 1


def tables_digest(url: str) -> dict[str, tuple[int, str]]:
    engine = schema.engine_for(url)
    try:
        with engine.connect() as conn:
            return digests(conn, [t for p in registry.PROJECTIONS for t in p.tables])
    finally:
        engine.dispose()


def positions(url: str) -> dict[str, int]:
    engine = schema.engine_for(url)
    try:
        with engine.connect() as conn:
            table = schema.positions
            return {
                str(name): int(at)
                for name, at in conn.execute(select(table.c.name, table.c.position))
            }
    except Exception:  # the table is not there yet
        return {}
    finally:
        engine.dispose()


def journey(folder: Path, url: str, *args: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")} | {
        "JOURNEY_DATABASE_URL": url,
        "JOURNEY_CIPHER_KEY": KEY,
        "JOURNEY_PRINCIPAL": "svc:test-runner",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "journey", *args],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def council_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/journey.db"
    return request.getfixturevalue("postgres_url")


def test_a_runner_killed_mid_catch_up_resumes_to_the_tables_of_a_clean_rebuild(
    council_url: str, tmp_path: Path
) -> None:
    events = build_council(council_url)
    runner = journey(tmp_path, council_url, "projections", "run", "--page-size", "40")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        reached = positions(council_url)
        if reached and 0 < min(reached.values()) < events // 2:
            break
        time.sleep(0.01)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)
    at_kill = positions(council_url)
    assert at_kill and 0 < min(at_kill.values()) < events, at_kill

    resumed = journey(tmp_path, council_url, "projections", "run", "--page-size", "40")
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert positions(council_url) == dict.fromkeys(at_kill, events)
    after_crash = tables_digest(council_url)

    with ProjectionRunner(council_settings(council_url), registry.PROJECTIONS) as clean:
        clean.rebuild()
    assert tables_digest(council_url) == after_crash
    assert all(rows for rows, _ in after_crash.values()), after_crash


def test_rebuilding_gives_identical_tables_whatever_the_page_size(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    build_council(url, children=80)
    settings = council_settings(url)
    with ProjectionRunner(settings, registry.PROJECTIONS, page_size=7) as small_pages:
        small_pages.run()
    first = tables_digest(url)
    with ProjectionRunner(settings, registry.PROJECTIONS) as runner:
        runner.rebuild()
    assert tables_digest(url) == first
    with ProjectionRunner(settings, registry.PROJECTIONS) as runner:
        runner.rebuild(["cases"])
    assert tables_digest(url) == first


def test_events_appended_after_a_run_are_folded_by_the_next_run(seeded, event, record) -> None:
    settings = seeded.settings
    with ProjectionRunner(settings, registry.PROJECTIONS, ledger=seeded) as runner:
        runner.run()
        record(
            seeded,
            event(
                "ReferralReceived",
                referral_id="R1",
                referral_source="1A",
                primary_need="N1",
                occurred_at="2024-02-01",
            ),
        )
        assert [s.lag for s in runner.status()] == [1] * len(registry.PROJECTIONS)
        caught_up = runner.run()
        assert caught_up.events == 1
        assert {s.lag for s in runner.status()} == {0}
    kinds = tables_digest(settings.database_url)["case_intervals"]
    assert kinds[0] == 1


def test_shards_in_parallel_give_the_tables_of_a_single_runner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    events = build_council(url, children=80)
    settings = council_settings(url)
    names = [p.name for p in registry.PROJECTIONS]

    result = run_in_parallel(settings, names, 2, page_size=500)

    assert result.position == events
    assert set(positions(url).values()) == {events}
    shared = tables_digest(url)
    with ProjectionRunner(settings, registry.PROJECTIONS) as single:
        single.rebuild()
        assert {s.lag for s in single.status()} == {0}
    assert tables_digest(url) == shared


def test_a_single_run_after_a_parallel_one_starts_from_where_the_shards_stopped(
    tmp_path: Path, seeded, event, record
) -> None:
    url = seeded.settings.database_url
    names = [p.name for p in registry.PROJECTIONS]
    run_in_parallel(seeded.settings, names, 2)
    head = positions(url)
    assert set(head.values()) == {3}
    record(
        seeded,
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="1A",
            primary_need="N1",
            occurred_at="2024-02-01",
        ),
    )
    with ProjectionRunner(seeded.settings, registry.PROJECTIONS, ledger=seeded) as runner:
        assert runner.run().events == 1
        assert {s.lag for s in runner.status()} == {0}


def test_a_rebuild_begun_while_another_runner_folds_still_ends_with_complete_tables(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    events = build_council(url, children=60)
    settings = council_settings(url)
    with (
        ProjectionRunner(settings, registry.PROJECTIONS, page_size=200) as follower,
        ProjectionRunner(settings, registry.PROJECTIONS) as rebuilder,
    ):
        emptied: list[int] = []

        def rebuild_starts_after_the_first_page(at: int, _: int) -> None:
            if not emptied:
                emptied.append(at)
                rebuilder.clear()  # the operator's `journey projections rebuild` begins

        follower.run(rebuild_starts_after_the_first_page)
        assert emptied == [200]
        assert {s.position for s in follower.status()} == {events}
    folded_meanwhile = tables_digest(url)
    with ProjectionRunner(settings, registry.PROJECTIONS) as clean:
        clean.rebuild()
    assert tables_digest(url) == folded_meanwhile


def test_a_single_run_with_nothing_to_do_after_a_parallel_one_keeps_every_position(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    events = build_council(url, children=40)
    settings = council_settings(url)
    run_in_parallel(settings, [p.name for p in registry.PROJECTIONS], 2)
    with ProjectionRunner(settings, registry.PROJECTIONS) as single:
        assert single.run().events == 0
        assert {s.position for s in single.status()} == {events}
        assert single.run().events == 0
