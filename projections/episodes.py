"""SSDA903 episodes: a child's periods of care cut into episodes.

A new episode starts at every change of legal status or of placement during a period of
care (returns.md). The episode that ends because another begins the same day has REC X1,
and the next one's RNE says what changed: L legal status only; P placement and carers; T
placement, same carers; B legal status and placement and carers; U legal status and
placement, same carers; S the first episode of a period of care. REASON_PLACE_CHANGE is
given on the closing episode when REC is X1, the next RNE is P, B, T or U and neither
placement is temporary (T0-T4): the reason the placement ended. The last episode of a
period ends with the period's own REC.

Carers are the same when the carer household is the same on both placements; where
neither records a household (a children's home, say), when the first ended with
REASON_PLACE_CHANGE "PLACE" (a change in the status of the placement only), as the
stability measures read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journey import events as ev
from journey.codes import TEMPORARY_PLACEMENTS
from projections.history import Entry

STATUS_ONLY = "PLACE"
CONTINUES = "X1"


@dataclass(frozen=True)
class Placed:
    """A placement as the episodes need it."""

    placement_id: str
    start: date
    end: date | None
    place: str
    provider: str | None
    postcode: str | None
    urn: str | None
    carer_household_id: str | None
    end_reason: str | None  # REASON_PLACE_CHANGE

    @property
    def temporary(self) -> bool:
        return self.place in TEMPORARY_PLACEMENTS


@dataclass(frozen=True)
class Period:
    period_id: str
    start: date
    end: date | None
    legal_status: str
    category_of_need: str
    home_postcode: str | None
    end_reason: str | None  # REC
    legal_statuses: tuple[tuple[date, str], ...]  # changes after the start, in date order
    placements: tuple[Placed, ...]  # in date order


@dataclass(frozen=True)
class Episode:
    period_id: str
    decom: date
    dec: date | None
    rne: str
    legal_status: str
    category_of_need: str
    placement: Placed | None
    rec: str | None
    reason_place_change: str | None
    home_postcode: str | None


def periods_of_care(entries: list[Entry]) -> list[Period]:
    """The child's periods of care, with their legal statuses and placements, from the
    effective events (business dates; the order things were recorded in does not count)."""
    starts: dict[str, tuple[date, ev.PeriodOfCareStarted]] = {}
    ends: dict[str, tuple[date, ev.PeriodOfCareEnded]] = {}
    statuses: list[tuple[date, int, str]] = []
    placed: dict[str, tuple[date, int, ev.PlacementStarted]] = {}
    placement_ends: dict[str, tuple[date, ev.PlacementEnded]] = {}
    for n, entry in enumerate(entries):
        e = entry.event
        if isinstance(e, ev.PeriodOfCareStarted):
            starts[e.period_id] = (entry.on, e)
        elif isinstance(e, ev.PeriodOfCareEnded):
            ends[e.period_id] = (entry.on, e)
        elif isinstance(e, ev.LegalStatusChanged):
            statuses.append((entry.on, n, e.legal_status))
        elif isinstance(e, ev.PlacementStarted):
            placed[e.placement_id] = (entry.on, n, e)
        elif isinstance(e, ev.PlacementEnded):
            placement_ends[e.placement_id] = (entry.on, e)
    periods = []
    for period_id, (start, began) in sorted(starts.items(), key=lambda kv: kv[1][0]):
        ended = ends.get(period_id)
        end = ended[0] if ended else None

        def inside(day: date, start: date = start, end: date | None = end) -> bool:
            return start <= day and (end is None or day <= end)

        placements = []
        for placement_id, (on, _, p) in sorted(placed.items(), key=lambda kv: kv[1][:2]):
            if not inside(on) or (end is not None and on == end):
                continue
            finished = placement_ends.get(placement_id)
            placement_end = finished[0] if finished else end
            placements.append(
                Placed(
                    placement_id,
                    on,
                    placement_end,
                    p.place,
                    p.provider,
                    p.postcode,
                    p.urn,
                    p.carer_household_id,
                    finished[1].reason if finished else None,
                )
            )
        # A status changed on the day care began is the status the day ends with: an
        # episode lasts at least a day (police protection in the morning, an emergency
        # protection order by the evening: the first episode is under the order).
        same_day = [ls for on, _, ls in sorted(statuses) if on == start]
        periods.append(
            Period(
                period_id,
                start,
                end,
                same_day[-1] if same_day else began.legal_status,
                began.category_of_need,
                began.home_postcode,
                ended[1].reason if ended else None,
                tuple(
                    (on, ls)
                    for on, _, ls in sorted(statuses)
                    if inside(on) and on > start and (end is None or on < end)
                ),
                tuple(placements),
            )
        )
    return periods


def _same_carers(before: Placed, after: Placed) -> bool:
    if before.carer_household_id is not None and after.carer_household_id is not None:
        return before.carer_household_id == after.carer_household_id
    return (
        before.carer_household_id is None
        and after.carer_household_id is None
        and before.end_reason == STATUS_ONLY
    )


def _rne(before: tuple[str, Placed | None], after: tuple[str, Placed | None]) -> str | None:
    """What changed between two consecutive episodes (None: nothing did)."""
    status_changed = before[0] != after[0]
    old, new = before[1], after[1]
    if old == new:
        return "L" if status_changed else None
    same = old is not None and new is not None and _same_carers(old, new)
    if status_changed:
        return "U" if same else "B"
    return "T" if same else "P"


def episodes(period: Period) -> list[Episode]:
    """The period cut into episodes, oldest first."""
    boundaries = sorted(
        {period.start}
        | {on for on, _ in period.legal_statuses}
        | {p.start for p in period.placements if p.start > period.start}
    )
    if period.end is not None:
        boundaries = [b for b in boundaries if b < period.end]

    def status_on(day: date) -> str:
        current = period.legal_status
        for on, ls in period.legal_statuses:
            if on <= day:
                current = ls
        return current

    def placement_on(day: date) -> Placed | None:
        found = None
        for p in period.placements:
            if p.start <= day and (p.end is None or day < p.end):
                found = p
        return found

    states = [(status_on(b), placement_on(b)) for b in boundaries]
    cuts: list[tuple[date, str, tuple[str, Placed | None]]] = []
    for i, (b, state) in enumerate(zip(boundaries, states, strict=True)):
        if i == 0:
            cuts.append((b, "S", state))
            continue
        rne = _rne(cuts[-1][2], state)
        if rne is not None:
            cuts.append((b, rne, state))
    found = []
    for i, (decom, rne, (legal_status, placement)) in enumerate(cuts):
        last = i == len(cuts) - 1
        dec = period.end if last else cuts[i + 1][0]
        rec = (period.end_reason if period.end is not None else None) if last else CONTINUES
        reason = None
        if not last:
            following = cuts[i + 1]
            after = following[2][1]
            if (
                following[1] in ("P", "B", "T", "U")
                and placement is not None
                and after is not None
                and not placement.temporary
                and not after.temporary
            ):
                reason = placement.end_reason
        found.append(
            Episode(
                period.period_id,
                decom,
                dec,
                rne,
                legal_status,
                period.category_of_need,
                placement,
                rec,
                reason,
                period.home_postcode,
            )
        )
    return found
