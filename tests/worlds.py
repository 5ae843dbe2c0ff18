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
