"""Bad input through `ledger.append(dict)`: each is rejected with a problem naming the
field and the rule or code list, and nothing is stored. Then corrections end to end:
retraction and correction change the state, and both stay in the stream as events of
their own beside the originals (the ledger is append-only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from journey.events import LONDON
from journey.ledger import Ledger
from journey.results import AppendResult


def rejected(ledger: Ledger, payload: dict[str, Any]) -> AppendResult:
    """Append `payload` (meant for child C1); it must be rejected and store nothing."""
    before = len(ledger.child_records("C1"))
    result = ledger.append(payload)
    assert result.status == "rejected", result
    assert result.problems, result
    assert len(ledger.child_records("C1")) == before
    return result


def referral(event, **fields: Any) -> dict[str, Any]:
    return (
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="1A",
            primary_need="N1",
            occurred_at="2024-02-01",
        )
        | fields
    )


@pytest.fixture
def in_care(seeded, event, record):
    """C1 looked after (period POC1, legal status C2) since 2024-03-01."""
    record(
        seeded,
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            occurred_at="2024-03-01",
        ),
    )
    return seeded


# --- bad input --------------------------------------------------------------------------


def test_an_unknown_field_is_rejected_by_name(seeded, event):
    result = rejected(seeded, referral(event, colour="red"))
    [problem] = result.problems
    assert problem.field == "colour"
    assert problem.rule == "extra_forbidden"
    assert "not permitted" in problem.message


def test_a_code_not_in_its_list_is_rejected_naming_the_list(in_care, event):
    result = rejected(
        in_care,
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="ZZ",
            provider="PR1",
            occurred_at="2024-03-05",
        ),
    )
    [problem] = result.problems
    assert problem.field == "place"
    assert "'ZZ' is not a PLACE code" in problem.message
    assert "U1" in problem.message  # the valid codes are listed


def test_an_impossible_business_date_is_rejected(seeded, event):
    result = rejected(seeded, referral(event, occurred_at="2024-13-01"))
    [problem] = result.problems
    assert problem.field == "occurred_at"
    assert "'2024-13-01' is not an ISO 8601 date (YYYY-MM-DD)" in problem.message


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "0001-01-01", "1899-12-31T23:59+00:00"])
def test_a_business_time_before_1900_is_rejected(seeded, event, when):
    """Year 1 with an offset once came back as a server error: London's offset then takes
    it out of the calendar."""
    result = rejected(seeded, referral(event, occurred_at=when))
    [problem] = result.problems
    assert problem.field == "occurred_at"
    assert "1900 or later" in problem.message


def test_an_impossible_date_in_a_date_field_is_rejected(seeded, event):
    result = rejected(seeded, event("ChildDetailsUpdated", date_of_birth="2015-13-01"))
    [problem] = result.problems
    assert problem.field == "date_of_birth"
    assert "month value is outside expected range" in problem.message


def test_an_event_without_event_id_or_idempotency_key_is_rejected(seeded, event):
    payload = referral(event)
    del payload["idempotency_key"]
    result = rejected(seeded, payload)
    [problem] = result.problems
    assert "event_id or idempotency_key is required" in problem.message


def test_an_event_id_that_is_not_a_uuid_is_rejected(seeded, event):
    result = rejected(seeded, referral(event, event_id="not-a-uuid"))
    [problem] = result.problems
    assert problem.field == "event_id"
    assert problem.rule == "uuid_parsing"


def test_a_provider_for_a_t0_placement_is_rejected(in_care, event):
    result = rejected(
        in_care,
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="T0",
            provider="PR1",
            occurred_at="2024-03-05",
        ),
    )
    [problem] = result.problems
    assert "provider must be blank for placement type T0" in problem.message


def test_x1_as_the_reason_a_period_of_care_ended_is_rejected(in_care, event):
    result = rejected(
        in_care,
        event("PeriodOfCareEnded", period_id="POC1", reason="X1", occurred_at="2024-05-01"),
    )
    [problem] = result.problems
    assert "X1 continues care" in problem.message
    assert in_care.child("C1").periods_of_care["POC1"].open


def test_an_unknown_event_type_is_rejected_naming_it(seeded, event):
    result = rejected(seeded, event("ChildTeleported", occurred_at="2024-02-01", la_child_id="C1"))
    assert result.type == "ChildTeleported"
    [problem] = result.problems
    assert problem.rule == "union_tag_invalid"
    assert "'ChildTeleported'" in problem.message
    assert "'ReferralReceived'" in problem.message  # the known types are listed


def test_an_event_without_a_type_is_rejected(seeded, event):
    payload = referral(event)
    del payload["type"]
    result = rejected(seeded, payload)
    assert result.problems[0].rule == "union_tag_not_found"


@pytest.mark.parametrize(
    ("fields", "expected_field"),
    [
        pytest.param(
            {
                "type": "PlacementStarted",
                "placement_id": "PL1",
                "place": "T0",
                "provider": "PR1",
            },
            "provider",
            id="provider-for-T0",
        ),
        pytest.param(
            {"type": "PeriodOfCareEnded", "period_id": "POC1", "reason": "X1"},
            "reason",
            id="X1-ends-period",
        ),
        pytest.param(
            {"type": "ChildTeleported"},
            "type",
            id="unknown-type",
        ),
    ],
)
def test_a_problem_found_by_a_model_validator_names_its_field(
    in_care, event, fields, expected_field
):
    fields = dict(fields)  # the parameter is shared between runs: never mutate it
    payload = event(fields.pop("type"), occurred_at="2024-05-01", la_child_id="C1", **fields)
    result = rejected(in_care, payload)
    assert result.problems[0].field == expected_field


def test_a_naive_date_and_time_is_taken_as_london_time(seeded, event, record):
    # 1 July is British Summer Time: 09:30 in London is 08:30 UTC.
    record(seeded, referral(event, occurred_at="2024-07-01T09:30:00"))
    start = seeded.child("C1").referrals["R1"].start
    assert start == datetime(2024, 7, 1, 9, 30, tzinfo=LONDON)
    assert start.astimezone(UTC) == datetime(2024, 7, 1, 8, 30, tzinfo=UTC)
    stored = seeded.child_records("C1")[-1]
    assert stored.envelope["occurred_at"] == "2024-07-01T09:30:00+01:00"


def test_an_atomic_batch_with_one_invalid_event_stores_nothing(seeded, event):
    before = len(seeded.child_records("C1"))
    results = seeded.append_batch(
        [referral(event), referral(event, referral_id="R2", referral_source="ZZ")],
        atomic=True,
    )
    assert [r.status for r in results] == ["not_stored", "rejected"]
    assert results[0].problems[0].rule == "atomic_batch"
    assert results[1].problems[0].field == "referral_source"
    assert len(seeded.child_records("C1")) == before


def test_a_refused_atomic_batch_leaves_the_childs_state_as_it_was(seeded, event, record):
    version = seeded.child("C1").version
    seeded.append_batch(
        [referral(event), referral(event, referral_id="R2", referral_source="ZZ")],
        atomic=True,
    )
    assert seeded.child("C1").referrals == {}
    assert seeded.child("C1").version == version
    record(seeded, referral(event))


# --- corrections end to end -------------------------------------------------------------


def test_a_retracted_visit_leaves_the_state_but_stays_in_the_stream(in_care, event, record):
    [visit] = record(
        in_care,
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-03-10"),
    )
    assert "V1" in in_care.child("C1").visits
    record(
        in_care,
        event(
            "EventRetracted",
            target_event_id=str(visit.event_id),
            reason="recorded against the wrong child",
            occurred_at="2024-03-11",
        ),
    )

    assert "V1" not in in_care.child("C1").visits
    with Ledger(in_care.settings) as fresh:  # replayed from the store, not the cache
        assert "V1" not in fresh.child("C1").visits

    records = in_care.child_records("C1")
    assert [r.event.type for r in records[-2:]] == ["StatutoryVisitMade", "EventRetracted"]
    assert records[-2].event_id == visit.event_id
    assert records[-1].event.target_event_id == visit.event_id


def test_a_corrected_placement_start_moves_the_placement_and_keeps_the_original(
    in_care, event, record
):
    [started] = record(
        in_care,
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="U1",
            provider="PR1",
            occurred_at="2024-03-05",
        ),
    )
    record(
        in_care,
        event(
            "EventCorrected",
            target_event_id=str(started.event_id),
            reason="the child moved in two days earlier",
            changes={"occurred_at": "2024-03-03"},
            occurred_at="2024-03-20",
        ),
    )

    corrected_start = datetime(2024, 3, 3, tzinfo=LONDON)
    assert in_care.child("C1").placements["PL1"].start == corrected_start
    with Ledger(in_care.settings) as fresh:
        assert fresh.child("C1").placements["PL1"].start == corrected_start

    records = in_care.child_records("C1")
    assert [r.event.type for r in records[-2:]] == ["PlacementStarted", "EventCorrected"]
    original = records[-2]
    assert original.event_id == started.event_id
    assert original.event.occurred_at.isoformat() == "2024-03-05"
    assert records[-1].event.changes == {"occurred_at": "2024-03-03"}
