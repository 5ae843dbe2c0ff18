"""Placement stability: a manager asks how often looked-after children moved in the year,
who had 3 or more placements, how many long-term placements held, and why placements
ended unplanned.

Every journey is built by hand; the expected numbers are counted from it by hand. The
collection year 2025 is 1 April 2025 to 31 March 2026.
"""

from __future__ import annotations

from datetime import date

from projections import cases, stability, workforce
from projections.settings import ReportSettings
from projections.stability import stability as stability_report


def registered(event, child, born, at="2020-01-01"):
    return event("ChildRegistered", la_child_id=child, sex="1", date_of_birth=born, occurred_at=at)


def care(event, child, at, period="POC1", status="C2"):
    return event(
        "PeriodOfCareStarted",
        la_child_id=child,
        period_id=period,
        legal_status=status,
        category_of_need="N1",
        occurred_at=at,
    )


def placed(event, child, placement, at, place="U6", household=None):
    fields = {"carer_household_id": household} if household else {}
    return event(
        "PlacementStarted",
        la_child_id=child,
        placement_id=placement,
        place=place,
        provider="PR1",
        occurred_at=at,
        **fields,
    )


def ended(event, child, placement, at, reason="CARPL", unplanned=False):
    return event(
        "PlacementEnded",
        la_child_id=child,
        placement_id=placement,
        reason=reason,
        unplanned=unplanned,
        occurred_at=at,
    )


def moved(event, child, old, new, at, reason="CARPL", unplanned=False, **fields):
    return [
        ended(event, child, old, at, reason, unplanned),
        placed(event, child, new, at, **fields),
    ]


def meeting(event, child, meeting_id, placement, at):
    return event(
        "DisruptionMeetingHeld",
        la_child_id=child,
        meeting_id=meeting_id,
        placement_id=placement,
        reasons="Carers could not manage behaviour at night",
        occurred_at=at,
    )


def household(event, household_id, kind="foster", at="2020-01-01"):
    return event("CarerHouseholdApproved", household_id=household_id, kind=kind, occurred_at=at)


def report(conn, year=2025):
    return stability_report(conn, settings=ReportSettings(), year=year)


def measures(rep):
    return {m.key: (m.count, m.out_of) for m in rep.section("summary").rows}


def by_child(rep):
    return {r.la_child_id: r for r in rep.section("children").rows}


def projected(ledger, project):
    return project(ledger, cases.PROJECTION, workforce.PROJECTION, stability.PROJECTION)


def test_three_placements_in_the_year_and_a_move_on_31_march_counts_in_the_year_before(
    seeded, event, record, project
):
    record(
        seeded,
        # C1: into care 10 April 2025, moved twice in the year: 3 placements, 2 moves
        care(event, "C1", "2025-04-10"),
        placed(event, "C1", "P1", "2025-04-10"),
        *moved(event, "C1", "P1", "P2", "2025-07-01", reason="CREQB", unplanned=True),
        *moved(event, "C1", "P2", "P3", "2025-11-01"),
        # C2: moved on 31 March 2025 (year 2024-25) and again in September 2025
        registered(event, "C2", "2012-01-01", at="2024-01-01"),
        care(event, "C2", "2024-06-01"),
        placed(event, "C2", "Q1", "2024-06-01"),
        *moved(event, "C2", "Q1", "Q2", "2025-03-31"),
        *moved(event, "C2", "Q2", "Q3", "2025-09-01"),
    )
    conn = projected(seeded, project)

    rep = report(conn)

    kids = by_child(rep)
    assert (kids["C1"].placements, kids["C1"].moves, kids["C1"].unplanned_endings) == (3, 2, 1)
    assert (kids["C2"].placements, kids["C2"].moves) == (2, 1)  # Q2 and Q3; Q1 ended before
    got = measures(rep)
    assert got["looked_after"] == (2, None)
    assert got["moves"] == (3, 2)
    assert got["many_placements"] == (1, 2)  # C1 of the two looked after on 31 March 2026
    distribution = {r.placements: r.children for r in rep.section("moves").rows}
    assert distribution == {"1": 0, "2": 1, "3": 1, "4+": 0}
    assert "1.50 moves per child" in rep.headline
    assert "50.0% of the 2 looked after on 2026-03-31 had 3+ placements" in rep.headline

    before = by_child(report(conn, year=2024))
    assert list(before) == ["C2"]  # C1 came into care after 31 March 2025
    assert (before["C2"].placements, before["C2"].moves) == (2, 1)  # Q1 and Q2


def test_a_move_on_1_april_counts_both_placements_in_the_year_it_starts(
    seeded, event, record, project
):
    record(
        seeded,
        care(event, "C1", "2025-01-10"),
        placed(event, "C1", "P1", "2025-01-10"),
        *moved(event, "C1", "P1", "P2", "2025-04-01"),
    )
    conn = projected(seeded, project)

    this_year, last_year = by_child(report(conn))["C1"], by_child(report(conn, year=2024))["C1"]

    assert (this_year.placements, this_year.moves) == (2, 1)  # P1 held C1 on 1 April
    assert (last_year.placements, last_year.moves) == (1, 0)


def test_long_term_stability_counts_under_16s_in_care_2_5_years_with_the_same_carers_2_years(
    seeded, event, record, project
):
    record(
        seeded,
        household(event, "H1"),
        household(event, "H2"),
        household(event, "AD1", kind="adopter", at="2025-06-01"),
        household(event, "AD2", kind="adopter", at="2025-06-01"),
        # L1: aged 10, in care since June 2023 with the same carers: stable
        registered(event, "L1", "2015-05-01"),
        care(event, "L1", "2023-06-01"),
        placed(event, "L1", "L1-P1", "2023-06-01", place="U4", household="H1"),
        # L2: aged 13, in care since January 2023, moved in June 2024: counted, not stable
        registered(event, "L2", "2013-01-01"),
        care(event, "L2", "2023-01-01"),
        placed(event, "L2", "L2-P1", "2023-01-01"),
        *moved(event, "L2", "L2-P1", "L2-P2", "2024-06-01"),
        # L3: 16 on 1 March 2026, so not under 16 on 31 March: left out
        registered(event, "L3", "2010-03-01"),
        care(event, "L3", "2020-02-01"),
        placed(event, "L3", "L3-P1", "2020-02-01"),
        # L4: in care since 15 October 2023, short of 2.5 years on 31 March 2026: left out
        registered(event, "L4", "2015-01-01"),
        care(event, "L4", "2023-10-15"),
        placed(event, "L4", "L4-P1", "2023-10-15"),
        # L5: the foster placement became long-term with the same carers in September 2024:
        # the same placement since February 2023, and no move
        registered(event, "L5", "2016-02-01"),
        care(event, "L5", "2023-02-01"),
        placed(event, "L5", "L5-P1", "2023-02-01", place="U6", household="H2"),
        *moved(
            event, "L5", "L5-P1", "L5-P2", "2024-09-01", reason="PLACE", place="U4", household="H2"
        ),
        # L6: in care since March 2023, moved to an adoptive placement (A6) in November 2025
        registered(event, "L6", "2019-05-01"),
        care(event, "L6", "2023-03-01"),
        placed(event, "L6", "L6-P1", "2023-03-01"),
        *moved(event, "L6", "L6-P1", "L6-P2", "2025-11-01", place="A6", household="AD1"),
        # L7: in care since March 2023, moved in December 2024, and placed for adoption
        # (PlacedForAdoption) in November 2025 while the placement record stayed as it was
        registered(event, "L7", "2019-09-01"),
        care(event, "L7", "2023-03-01"),
        placed(event, "L7", "L7-P1", "2023-03-01"),
        *moved(event, "L7", "L7-P1", "L7-P2", "2024-12-01"),
        event(
            "AdoptionDecisionMade", la_child_id="L7", decision_id="AD-7", occurred_at="2025-01-10"
        ),
        event(
            "AdopterMatched",
            la_child_id="L7",
            decision_id="AD-7",
            adopter_household_id="AD2",
            occurred_at="2025-10-01",
        ),
        event(
            "PlacedForAdoption",
            la_child_id="L7",
            decision_id="AD-7",
            adopter_household_id="AD2",
            occurred_at="2025-11-01",
        ),
    )
    conn = projected(seeded, project)

    rep = report(conn)

    rows = {r.la_child_id: r for r in rep.section("long_term").rows}
    assert sorted(rows) == ["L1", "L2", "L5", "L6", "L7"]
    assert {k: r.stable for k, r in rows.items()} == {
        "L1": True,
        "L2": False,
        "L5": True,
        "L6": True,
        "L7": True,
    }
    assert rows["L2"].with_carers_since == date(2024, 6, 1)
    assert rows["L5"].with_carers_since == date(2023, 2, 1)
    assert rows["L6"].placed_for_adoption and rows["L7"].placed_for_adoption
    assert rows["L7"].with_carers_since == date(2024, 12, 1)
    assert (rows["L1"].age_at_year_end, rows["L2"].age_at_year_end) == (10, 13)
    assert measures(rep)["long_term"] == (4, 5)
    assert "long-term stability 80.0% (4 of 5)" in rep.headline
    assert by_child(report(conn, year=2024))["L5"].moves == 0  # a change of status only


def test_short_break_care_is_left_out_of_every_stability_measure(seeded, event, record, project):
    record(
        seeded,
        care(event, "C1", "2025-05-01"),
        placed(event, "C1", "P1", "2025-05-01"),
        registered(event, "S1", "2014-01-01"),
        care(event, "S1", "2025-05-02", period="SB1", status="V3"),
        placed(event, "S1", "SB1-P1", "2025-05-02", place="K2"),
        *moved(
            event,
            "S1",
            "SB1-P1",
            "SB1-P2",
            "2025-05-03",
            reason="CHILD",
            unplanned=True,
            place="K2",
        ),
        event(
            "PeriodOfCareEnded",
            la_child_id="S1",
            period_id="SB1",
            reason="E4A",
            occurred_at="2025-05-05",
        ),
        care(event, "S1", "2025-06-01", period="SB2", status="V3"),
        placed(event, "S1", "SB2-P1", "2025-06-01", place="K2"),
    )
    conn = projected(seeded, project)

    rep = report(conn)

    assert list(by_child(rep)) == ["C1"]
    got = measures(rep)
    assert got["looked_after"] == (1, None)
    assert got["moves"] == (0, 1)
    assert got["unplanned_endings"] == (0, 0)
    assert rep.section("unplanned_endings").rows == []


def test_unplanned_endings_are_counted_by_reason_with_the_disruption_meetings_that_followed(
    seeded, event, record, project
):
    record(
        seeded,
        care(event, "C1", "2025-04-01"),
        placed(event, "C1", "P1", "2025-04-01"),
        *moved(event, "C1", "P1", "P2", "2025-05-01", reason="CREQB", unplanned=True),
        meeting(event, "C1", "M1", "P1", "2025-05-20"),
        *moved(event, "C1", "P2", "P3", "2025-08-01", reason="CREQB", unplanned=True),
        *moved(event, "C1", "P3", "P4", "2025-12-01", reason="ALLEG", unplanned=True),
        *moved(event, "C1", "P4", "P5", "2026-02-01", reason="CARPL"),
        meeting(event, "C1", "M2", "P3", "2026-04-10"),  # after the year: follows, not held in it
        registered(event, "C2", "2012-01-01", at="2024-01-01"),
        care(event, "C2", "2025-01-01"),
        placed(event, "C2", "Q1", "2025-01-01"),
        *moved(event, "C2", "Q1", "Q2", "2025-06-01", reason="CREQB", unplanned=True),
        meeting(event, "C2", "M3", "Q1", "2025-06-15"),
    )
    conn = projected(seeded, project)

    rep = report(conn)

    reasons = [
        (r.reason, r.meaning, r.unplanned_endings, r.children, r.followed_by_disruption_meeting)
        for r in rep.section("unplanned_endings").rows
    ]
    assert reasons == [
        ("CREQB", "Carer requests end because of the child's behaviour", 3, 2, 2),
        ("ALLEG", "Allegation (s47)", 1, 1, 1),
    ]
    got = measures(rep)
    assert got["unplanned_endings"] == (4, 5)
    assert got["unplanned_endings_with_meeting"] == (3, 4)
    assert got["disruption_meetings"] == (2, None)
    c1 = by_child(rep)["C1"]
    assert (c1.placements, c1.moves, c1.unplanned_endings, c1.disruption_meetings) == (5, 4, 3, 1)
    assert got["many_placements"] == (1, 2)


def test_a_corrected_placement_date_moves_the_move_into_the_next_year(
    seeded, event, record, project
):
    stored = record(
        seeded,
        care(event, "C1", "2025-01-10"),
        placed(event, "C1", "P1", "2025-01-10"),
        *moved(event, "C1", "P1", "P2", "2025-03-31"),
    )
    conn = projected(seeded, project)
    assert measures(report(conn))["moves"] == (0, 1)
    assert measures(report(conn, year=2024))["moves"] == (1, 1)

    ending, start = stored[2], stored[3]
    record(
        seeded,
        event(
            "EventCorrected",
            target_event_id=str(start.event_id),
            reason="the move happened after the Easter weekend",
            changes={"occurred_at": "2025-04-02"},
            occurred_at="2025-06-01",
        ),
        event(
            "EventCorrected",
            target_event_id=str(ending.event_id),
            reason="the move happened after the Easter weekend",
            changes={"occurred_at": "2025-04-02"},
            occurred_at="2025-06-01",
        ),
    )
    conn = projected(seeded, project)

    assert measures(report(conn))["moves"] == (1, 1)
    assert by_child(report(conn))["C1"].placements == 2
    assert measures(report(conn, year=2024))["moves"] == (0, 1)


def test_a_retracted_disruption_meeting_no_longer_counts(seeded, event, record, project):
    stored = record(
        seeded,
        care(event, "C1", "2025-04-01"),
        placed(event, "C1", "P1", "2025-04-01"),
        *moved(event, "C1", "P1", "P2", "2025-05-01", reason="STAND", unplanned=True),
        meeting(event, "C1", "M1", "P1", "2025-05-20"),
    )
    record(
        seeded,
        event(
            "EventRetracted",
            target_event_id=str(stored[-1].event_id),
            reason="recorded against the wrong child",
            occurred_at="2025-05-21",
        ),
    )
    conn = projected(seeded, project)

    rep = report(conn)

    assert measures(rep)["disruption_meetings"] == (0, None)
    assert measures(rep)["unplanned_endings_with_meeting"] == (0, 1)
    assert rep.section("unplanned_endings").rows[0].followed_by_disruption_meeting == 0
