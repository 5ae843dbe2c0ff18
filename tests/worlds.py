"""Hand-built worlds that several test files record: small, named, with personal data in
them to look for where it must not go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from journey.ledger import Ledger


def on(ledger: Ledger, day: str, principal: str = "svc:case-system") -> Ledger:
    """From now on the ledger records at 17:00 UTC on `day`, signed in as `principal`."""
    ledger.clock = lambda: datetime.fromisoformat(f"{day}T17:00:00+00:00")
    ledger.settings = replace(ledger.settings, principal=principal)
    return ledger


def named_child(event: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """On 2024-01-02: team T-CIN, social worker W1 (Wendy Worker, SW1001) in it, and child
    C1 (Zebedee Quill, born 2015-06-01, living at LE2 2BB): personal data to look for."""
    return [
        event(
            "TeamEstablished",
            team_id="T-CIN",
            name="Child in need team",
            service="child_in_need",
            occurred_at="2024-01-02",
        ),
        event(
            "WorkerRegistered",
            worker_id="W1",
            name="Wendy Worker",
            role="social_worker",
            team_id="T-CIN",
            swe_registration="SW1001",
            occurred_at="2024-01-02",
        ),
        event(
            "ChildRegistered",
            sex="2",
            date_of_birth="2015-06-01",
            given_name="Zebedee",
            family_name="Quill",
            home_postcode="LE2 2BB",
            occurred_at="2024-01-02",
        ),
    ]


def referred_to_w1(event: Callable[..., dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """C1 referred on `day` (R1, source 1A, need N1) and allocated to W1 as lead social
    worker the same day (A1, reason FCONTA)."""
    return [
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="1A",
            primary_need="N1",
            occurred_at=day,
        ),
        event(
            "WorkerAllocated",
            allocation_id="A1",
            worker_id="W1",
            swe_registration="SW1001",
            role="social_worker",
            team_id="T-CIN",
            reason="FCONTA",
            occurred_at=day,
        ),
    ]


def two_teams(event: Callable[..., dict[str, Any]], **workers: str) -> list[dict[str, Any]]:
    """Teams T-CIN (child in need) and T-LAC (looked after), set up on 2020-01-01, and the
    social workers named (`W1="T-CIN"`: worker W1 in team T-CIN) registered the next day,
    each with Social Work England number SW100 and their number (W3: SW1003)."""
    return [
        event(
            "TeamEstablished",
            team_id="T-CIN",
            name="Child in need team",
            service="child_in_need",
            occurred_at="2020-01-01",
        ),
        event(
            "TeamEstablished",
            team_id="T-LAC",
            name="Looked after team",
            service="looked_after",
            occurred_at="2020-01-01",
        ),
        *(
            event(
                "WorkerRegistered",
                worker_id=worker,
                name=f"Worker {worker}",
                role="social_worker",
                team_id=team,
                swe_registration=f"SW100{worker[1:]}",
                occurred_at="2020-01-02",
            )
            for worker, team in workers.items()
        ),
    ]
