"""Support: a manager asks what support children had, from whom, and how busy each
Mockingbird constellation was. The expected numbers are counted by hand from the events.

The households: H1 is the hub of constellation M1 from 1 January 2025, leaves it on 30 June
2025 and becomes the hub of M2 on 1 July 2025; H2 is a satellite of M2 from 1 July 2025;
H3 belongs to no constellation.
"""

from __future__ import annotations

from datetime import date

from projections import cases, support, workforce
from projections.settings import ReportSettings
from projections.support import support as support_report

YEAR = (date(2025, 4, 1), date(2026, 3, 31))


def households(event):
    return [
        *(
            event("CarerHouseholdApproved", household_id=h, kind="foster", occurred_at="2024-01-01")
            for h in ("H1", "H2", "H3")
        ),
        event(
            "CarerHouseholdJoinedConstellation",
            household_id="H1",
            constellation_id="M1",
            constellation_role="hub",
            occurred_at="2025-01-01",
        ),
        event(
            "CarerHouseholdLeftConstellation",
            household_id="H1",
            constellation_id="M1",
            occurred_at="2025-06-30",
        ),
        event(
            "CarerHouseholdJoinedConstellation",
            household_id="H1",
            constellation_id="M2",
            constellation_role="hub",
            occurred_at="2025-07-01",
        ),
        event(
            "CarerHouseholdJoinedConstellation",
            household_id="H2",
            constellation_id="M2",
            constellation_role="satellite",
            occurred_at="2025-07-01",
        ),
    ]


def contact(
    event,
    kind,
    on,
    *,
    child="C1",
    provider="Child and Family Support Team",
    minutes=60,
    household=None,
):
    fields = {"carer_household_id": household} if household else {}
    return event(
        "SupportContactRecorded",
        la_child_id=child,
        kind=kind,
        provider=provider,
        duration_minutes=minutes,
        occurred_at=on,
        **fields,
    )


def sleepover(event, on, household, *, child="C1", crisis=False):
    kind = "mockingbird_crisis_sleepover" if crisis else "mockingbird_planned_sleepover"
    return contact(
        event, kind, on, child=child, provider="Mockingbird hub", minutes=720, household=household
    )


def journeys(event):
    return [
        *households(event),
        event(
            "ChildRegistered",
            la_child_id="C2",
            sex="2",
            date_of_birth="2014-03-01",
            occurred_at="2024-01-01",
        ),
        sleepover(event, "2025-05-10", "H1"),  # H1 in M1
        sleepover(event, "2025-08-01", "H1", crisis=True),  # H1 now in M2
        sleepover(event, "2025-08-15", "H1"),  # M2
        sleepover(event, "2025-09-01", "H3"),  # no constellation
        sleepover(event, "2025-07-01", "H1", child="C2"),  # M2, from the day H1 joined it
        contact(event, "therapeutic_session", "2025-05-01", minutes=60),
        contact(event, "therapeutic_session", "2025-06-01", child="C2", minutes=90),
        contact(event, "camhs", "2025-06-02", child="C2", provider="CAMHS Leicester", minutes=45),
        contact(event, "life_story_work", "2025-03-15"),  # before the year
    ]


def projected(ledger, project):
    return project(ledger, cases.PROJECTION, workforce.PROJECTION, support.PROJECTION)


def report(conn, start=YEAR[0], end=YEAR[1]):
    return support_report(conn, settings=ReportSettings(), from_date=start, to_date=end)


def activity(rep):
    return {
        r.constellation_id: (
            r.hub_household_id,
            r.households,
            r.planned_sleepovers,
            r.crisis_sleepovers,
            r.children,
        )
        for r in rep.section("constellations").rows
    }


def test_support_contacts_are_counted_by_kind_and_by_provider(seeded, event, record, project):
    record(seeded, *journeys(event))
    conn = projected(seeded, project)

    rep = report(conn)

    kinds = {r.kind: (r.contacts, r.children, r.hours) for r in rep.section("by_kind").rows}
    assert kinds == {
        "mockingbird_planned_sleepover": (4, 2, 48.0),
        "mockingbird_crisis_sleepover": (1, 1, 12.0),
        "therapeutic_session": (2, 2, 2.5),
        "camhs": (1, 1, 0.8),
    }
    providers = {(r.provider, r.kind): r.contacts for r in rep.section("by_provider").rows}
    assert providers == {
        ("CAMHS Leicester", "camhs"): 1,
        ("Child and Family Support Team", "therapeutic_session"): 2,
        ("Mockingbird hub", "mockingbird_planned_sleepover"): 4,
        ("Mockingbird hub", "mockingbird_crisis_sleepover"): 1,
    }
    assert rep.headline.startswith("2025-04-01 to 2026-03-31: 8 support contacts for 2 children")


def test_sleepovers_count_for_the_constellation_the_household_was_in_that_night(
    seeded, event, record, project
):
    record(seeded, *journeys(event))
    conn = projected(seeded, project)

    assert activity(report(conn)) == {
        "M1": ("H1", 1, 1, 0, 1),
        "M2": ("H1", 2, 2, 1, 2),
        None: (None, 0, 1, 0, 1),
    }
    # from July M1 has no members and is not shown
    assert activity(report(conn, date(2025, 7, 1), date(2025, 12, 31))) == {
        "M2": ("H1", 2, 2, 1, 2),
        None: (None, 0, 1, 0, 1),
    }


def test_a_corrected_sleepover_date_and_a_retracted_sleepover_change_the_constellations(
    seeded, event, record, project
):
    payloads = journeys(event)
    stored = record(seeded, *payloads)
    by_date = {
        (p.get("kind"), p["occurred_at"]): r.event_id for p, r in zip(payloads, stored, strict=True)
    }
    record(
        seeded,
        event(
            "EventCorrected",
            target_event_id=str(by_date[("mockingbird_planned_sleepover", "2025-08-15")]),
            reason="the sleepover was in May",
            changes={"occurred_at": "2025-05-15"},
            occurred_at="2025-09-01",
        ),
        event(
            "EventRetracted",
            target_event_id=str(by_date[("mockingbird_crisis_sleepover", "2025-08-01")]),
            reason="entered for the wrong child",
            occurred_at="2025-09-01",
        ),
    )
    conn = projected(seeded, project)

    assert activity(report(conn)) == {
        "M1": ("H1", 1, 2, 0, 1),
        "M2": ("H1", 2, 1, 0, 1),
        None: (None, 0, 1, 0, 1),
    }
    kinds = {r.kind: r.contacts for r in report(conn).section("by_kind").rows}
    assert "mockingbird_crisis_sleepover" not in kinds
