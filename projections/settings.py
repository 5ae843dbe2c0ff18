"""Settings of the read side: caseload limits, the late-recording threshold, timescales.

Read from the environment (`JOURNEY_REPORTS`, a JSON object) or else from the `reports`
object of `.journey/settings.json`; anything not given keeps the default below.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from journey.settings import SETTINGS_FILE

# Seed 001 §3.2: a child-in-need social worker holds about 19 children, a looked-after
# social worker 18-20, a personal adviser 20-25. The limit is for a full-time worker;
# a part-time worker's is pro rata.
DEFAULT_CASELOAD_LIMITS = {
    "child_in_need_social_worker": 19.0,
    "looked_after_social_worker": 20.0,
    "personal_adviser": 25.0,
}


@dataclass(frozen=True)
class ReportSettings:
    caseload_limits: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CASELOAD_LIMITS))
    late_recording_days: int = 7  # recorded more than this many days after it occurred


def report_settings(folder: Path | None = None) -> ReportSettings:
    given: dict[str, Any] = {}
    path = (folder or Path.cwd()) / SETTINGS_FILE
    if path.is_file():
        given = dict(json.loads(path.read_text(encoding="utf-8")).get("reports", {}))
    if os.environ.get("JOURNEY_REPORTS"):
        given |= json.loads(os.environ["JOURNEY_REPORTS"])
    known = {f.name for f in fields(ReportSettings)}
    unknown = set(given) - known
    if unknown:
        raise ValueError(f"unknown report settings: {', '.join(sorted(unknown))}")
    settings = ReportSettings()
    if "caseload_limits" in given:
        given["caseload_limits"] = settings.caseload_limits | given["caseload_limits"]
    return replace(settings, **given)
