"""The chronology a court reads: what happened to a child in date order, who was involved,
who recorded it and when, with corrections applied and marked and withdrawn entries shown."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from worlds import named_child, on, referred_to_w1

from journey.ledger import Ledger
from projections.chronology import chronology
from projections.settings import ReportSettings


@pytest.fixture
def journey(ledger, event, record) -> Ledger:
    """C1, recorded on the day each thing happened: registered 2024-01-02; referred and
    allocated to W1 on 2024-02-01, looked after from the same day; placed 2024-03-01;
    visited by W1 on 2024-03-20."""
    on(ledger, "2024-01-02")
    record(
        ledger,
        *named_child(event),
    )
    on(ledger, "2024-02-01")
    record(
        ledger,
        *referred_to_w1(event, "2024-02-01"),
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            occurred_at="2024-02-01",
        ),
    )
    on(ledger, "2024-03-01")
    record(
        ledger,
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="U6",
            provider="PR1",
            postcode="LE1 1AA",
            occurred_at="2024-03-01",
        ),
    )
    on(ledger, "2024-03-20")
    record(
        ledger, event("StatutoryVisitMade", visit_id="V2", worker_id="W1", occurred_at="2024-03-20")
    )
    return ledger


def event_id_of(ledger: Ledger, event_type: str) -> str:
    return str(next(r.event_id for r in ledger.child_records("C1") if r.event.type == event_type))


def test_entries_are_in_the_order_things_happened_with_who_and_when_recorded(
    journey, event, record
):
    on(journey, "2024-03-25", principal="user:amy")
    record(
        journey,
        event(
            "StatutoryVisitMade",
            visit_id="V1",
            worker_id="W1",
            occurred_at="2024-03-10",
            on_behalf_of="W1",
        ),
        event("MissingEpisodeStarted", episode_id="M1", occurred_at="2024-03-05T22:30:00"),
    )

    report = chronology(journey, "C1")

    rows = report.section("entries").rows
    assert [(r.on, r.time, r.event_type, r.who, r.recorded_by, r.late) for r in rows] == [
        (date(2024, 1, 2), "", "ChildRegistered", "", "svc:case-system", False),
        (date(2024, 2, 1), "", "ReferralReceived", "", "svc:case-system", False),
        (date(2024, 2, 1), "", "WorkerAllocated", "W1", "svc:case-system", False),
        (date(2024, 2, 1), "", "PeriodOfCareStarted", "", "svc:case-system", False),
        (date(2024, 3, 1), "", "PlacementStarted", "", "svc:case-system", False),
        (date(2024, 3, 5), "22:30", "MissingEpisodeStarted", "", "user:amy", True),
        (date(2024, 3, 10), "", "StatutoryVisitMade", "W1", "user:amy", True),
        (date(2024, 3, 20), "", "StatutoryVisitMade", "W1", "svc:case-system", False),
    ]
    late_visit = rows[6]
    assert late_visit.what == "Statutory visit V1 by W1 (child not seen alone)"
    assert late_visit.recorded_at == datetime.fromisoformat("2024-03-25T17:00:00+00:00")
    assert late_visit.days_late == 15
    assert rows[0].what == "Child registered: Zebedee Quill, born 2015-06-01, female"
    assert all(r.correction == "" and r.status == "effective" for r in rows)
    assert report.headline == (
        "Chronology of C1: 8 entries from 2024-01-02 to 2024-03-20; 0 corrected, 0 withdrawn "
        "as entered in error (shown, marked); 2 recorded more than 7 days after they happened"
    )
    relaxed = chronology(journey, "C1", settings=ReportSettings(late_recording_days=30))
    assert not any(r.late for r in relaxed.section("entries").rows)


def test_a_corrected_placement_date_is_shown_as_corrected_and_marked(journey, event, record):
    on(journey, "2024-03-25", principal="user:jo")
    record(
        journey,
        event(
            "EventCorrected",
            target_event_id=event_id_of(journey, "PlacementStarted"),
            reason="The child moved in on 20 February",
            changes={"occurred_at": "2024-02-20", "postcode": "LE3 3CC"},
            occurred_at="2024-03-25",
        ),
    )

    rows = chronology(journey, "C1").section("entries").rows

    placement = next(r for r in rows if r.event_type == "PlacementStarted")
    assert (placement.on, placement.status, placement.late, placement.days_late) == (
        date(2024, 2, 20),
        "corrected",
        True,
        10,
    )
    assert placement.correction == (
        "corrected on 2024-03-25 by user:jo: The child moved in on 20 February; "
        "changed date 2024-03-01 → 2024-02-20, postcode (value not shown)"
    )
    assert placement.recorded_by == "svc:case-system"  # who first recorded it
    assert [r.event_type for r in rows][3:5] == ["PeriodOfCareStarted", "PlacementStarted"]
    assert not any("LE3 3CC" in r.what or "LE1 1AA" in r.what for r in rows)


def test_a_retracted_visit_stays_in_the_chronology_marked_as_entered_in_error(
    journey, event, record
):
    on(journey, "2024-03-22", principal="user:jo")
    record(
        journey,
        event(
            "EventRetracted",
            target_event_id=event_id_of(journey, "StatutoryVisitMade"),
            reason="Recorded on the wrong child",
            occurred_at="2024-03-22",
        ),
    )

    report = chronology(journey, "C1")

    last = report.section("entries").rows[-1]
    assert (last.on, last.event_type, last.status) == (
        date(2024, 3, 20),
        "StatutoryVisitMade",
        "retracted",
    )
    assert last.correction == (
        "retracted (entered in error) on 2024-03-22 by user:jo: Recorded on the wrong child"
    )
    assert report.headline == (
        "Chronology of C1: 5 entries from 2024-01-02 to 2024-03-20; 0 corrected, 1 withdrawn "
        "as entered in error (shown, marked); 0 recorded more than 7 days after they happened"
    )


def test_an_ended_allocation_names_the_worker_whose_allocation_ended(journey, event, record):
    on(journey, "2024-04-01")
    record(journey, event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-04-01"))

    last = chronology(journey, "C1").section("entries").rows[-1]

    assert (last.what, last.who) == ("Allocation A1 ended", "W1")


def test_a_child_the_ledger_does_not_hold_is_a_clear_error(journey):
    with pytest.raises(LookupError, match="C404"):
        chronology(journey, "C404")
