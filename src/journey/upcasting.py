"""Upcasters: old stored events are read as the current model, never rewritten.

Stored bytes are hashed, so an event's old shape stays in the store for ever; each
upcaster turns the `data` of one schema version into the next when the event is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey import events as ev

Data = dict[str, Any]

# Free-text reasons of PlacementEnded version 1, mapped onto REASON_PLACE_CHANGE codes by
# the words case workers used; anything else becomes OTHER with the text kept as detail.
_PLACEMENT_END_WORDS = (
    ("allegation", "ALLEG"),
    ("standard", "STAND"),
    ("approval", "APPRR"),
    ("closure", "CLOSE"),
    ("resign", "CLOSE"),
    ("behaviour", "CREQB"),
    ("carer request", "CREQO"),
    ("child request", "CHILD"),
    ("care plan", "CARPL"),
    ("custody", "CUSTOD"),
    ("council request", "LAREQ"),
)


def _placement_ended_v1_to_v2(data: Data) -> Data:
    text = str(data.pop("reason", "") or "")
    lowered = text.lower()
    code = next((c for words, c in _PLACEMENT_END_WORDS if words in lowered), "OTHER")
    return {**data, "reason": code, "reason_detail": text or None}


UPCASTERS: dict[tuple[str, int], Callable[[Data], Data]] = {
    ("PlacementEnded", 1): _placement_ended_v1_to_v2,
}


def upcast(type_name: str, version: int, data: Data) -> Data:
    current = ev.EVENT_TYPES[type_name].schema_version
    while version < current:
        data = UPCASTERS[(type_name, version)](data)
        version += 1
    return data
