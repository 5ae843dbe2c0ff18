"""Audit bundles, checked as their recipient would: with the bundled script, on a Python
with no site-packages (`-I -S`), so nothing of journey can help it."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from test_cli import journey, write_lines
from test_ledger_store import child_events, settings

from journey.ledger import Ledger
from journey.record import Sealer

KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="
REASON = "entered on the wrong child"


def check(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-S", str(bundle / "verify_bundle.py"), str(bundle), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _history(folder: Path) -> None:
    """C1's record, with a CIN plan retracted afterwards."""
    journey(folder, "append", str(write_lines(folder / "e.jsonl", child_events())))
    events = json.loads(journey(folder, "child", "events", "C1", "--format", "json").stdout)
    assert events[-1]["type"] == "CINPlanStarted"
    with Ledger(settings(f"sqlite:///{folder}/journey.db")) as ledger:
        target = ledger.child_records("C1")[-1].event_id
        result = ledger.append(
            {
                "type": "EventRetracted",
                "la_child_id": "C1",
                "target_event_id": str(target),
                "reason": REASON,
                "occurred_at": "2023-03-12",
                "idempotency_key": "C1-retract-cin",
            }
        )
        assert result.status == "stored", result


def _bundle(folder: Path, name: str = "bundle") -> Path:
    run = journey(folder, "replay", "bundle", "C1", "--out", name, "--purpose", "SAR-2026-11")
    assert run.returncode == 0, run.stderr
    return folder / name


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    _history(tmp_path)
    return _bundle(tmp_path)


def test_a_bundle_holds_the_record_and_verifies_without_journey(bundle: Path) -> None:
    assert sorted(p.name for p in bundle.iterdir()) == [
        "README.txt",
        "chain.jsonl",
        "events.jsonl",
        "manifest.json",
        "verify_bundle.py",
    ]
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert (manifest["la_child_id"], manifest["purpose"], manifest["events"]) == (
        "C1",
        "SAR-2026-11",
        5,
    )
    events = [json.loads(line) for line in (bundle / "events.jsonl").read_text().splitlines()]
    assert [e["type"] for e in events] == [
        "ChildRegistered",
        "ReferralReceived",
        "WorkerAllocated",
        "CINPlanStarted",
        "EventRetracted",
    ]
    assert events[0]["data"]["given_name"] == "Amira"
    # the retracted plan is there, marked, with who retracted it and why
    (mark,) = events[3]["marks"]
    assert (mark["kind"], mark["by_version"], mark["reason"]) == ("retracted", 5, REASON)
    assert mark["recorded_by"] == "svc:test"
    run = check(bundle)
    assert run.returncode == 0, run.stdout
    assert f"chain head {manifest['head']['hash']}" in run.stdout
    assert "purpose" in (bundle / "README.txt").read_text()


def test_a_bundle_of_an_encrypted_ledger_is_decrypted_and_still_verifies(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    with Ledger(settings(url, KEY)) as ledger:
        ledger.append_batch(child_events())
    run = journey(
        tmp_path,
        "replay",
        "bundle",
        "C1",
        "--out",
        "b",
        "--purpose",
        "court",
        env={"JOURNEY_CIPHER_KEY": KEY},
    )
    assert run.returncode == 0, run.stderr
    assert b"Amira" not in (tmp_path / "b" / "chain.jsonl").read_bytes()
    assert b"Amira" in (tmp_path / "b" / "events.jsonl").read_bytes()
    assert check(tmp_path / "b").returncode == 0
    # The decrypted content is bound to the chain by its sealed digest: changing it and
    # rewriting the manifest to match is still caught, without the ledger's key.
    _then_manifest(_edit_line("events.jsonl", 2, lambda e: e["data"].update(sex="1")))(
        tmp_path / "b"
    )
    run = check(tmp_path / "b")
    assert run.returncode == 1
    assert "events.jsonl line 3: the content is not what the chain's sealed_digest" in run.stdout


def test_content_sealed_before_digests_is_read_and_counted_as_vouched_by_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger written before records carried a sealed digest (the plaintext was the data
    alone) still reads, and its bundle says which contents only the manifest vouches for."""
    url = f"sqlite:///{tmp_path}/journey.db"

    def seal_as_before(self: Sealer, data: dict[str, object], *_: object) -> dict[str, object]:
        plain = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        return {"sealed": base64.b64encode(self._cipher.encrypt(plain)).decode("ascii")}

    with monkeypatch.context() as patched:
        patched.setattr(Sealer, "seal", seal_as_before)
        # (before digests, there were no children's keys either)
        patched.setattr(
            Sealer, "seal_child", lambda self, _t, _s, data, _k: seal_as_before(self, data)
        )
        with Ledger(settings(url, KEY)) as ledger:
            ledger.append_batch(child_events()[:3])
    with Ledger(settings(url, KEY)) as ledger:
        ledger.append_batch(child_events()[3:])
        assert [r.event.type for r in ledger.child_records("C1")][:2] == [
            "ChildRegistered",
            "ReferralReceived",
        ]
    env = {"JOURNEY_CIPHER_KEY": KEY}
    assert journey(tmp_path, "replay", "bundle", "C1", "--out", "b", "--purpose", "x", env=env)
    run = check(tmp_path / "b")
    assert run.returncode == 0, run.stdout
    assert "1 event was sealed before the ledger kept content digests" in run.stdout


def _rewrite_manifest(bundle: Path) -> None:
    """Recompute the manifest's file hashes, as someone covering their tracks would."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _edit_line(name: str, number: int, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def tamper(bundle: Path) -> None:
        lines = (bundle / name).read_text().splitlines()
        record = json.loads(lines[number])
        change(record)
        lines[number] = json.dumps(record, sort_keys=True, separators=(",", ":"))
        (bundle / name).write_text("\n".join(lines) + "\n")

    return tamper


def _then_manifest(tamper: Callable[[Path], None]) -> Callable[[Path], None]:
    def both(bundle: Path) -> None:
        tamper(bundle)
        _rewrite_manifest(bundle)

    return both


def _drop_the_retraction(bundle: Path) -> None:
    for name in ("chain.jsonl", "events.jsonl"):
        lines = (bundle / name).read_text().splitlines()
        (bundle / name).write_text("\n".join(lines[:-1]) + "\n")
    _rewrite_manifest(bundle)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_edit_line("events.jsonl", 0, lambda e: e["data"].update(given_name="Amy")), "SHA-256"),
        (
            _then_manifest(_edit_line("events.jsonl", 0, lambda e: e["data"].update(sex="1"))),
            "content differs from the chain",
        ),
        (
            _then_manifest(_edit_line("events.jsonl", 2, lambda e: e.update(recorded_by="x"))),
            "recorded_by differs from the chain",
        ),
        (
            _then_manifest(_edit_line("chain.jsonl", 1, lambda r: r.update(occurred_at="2023"))),
            "the hash does not match",
        ),
        (_then_manifest(_drop_the_retraction), "the chain ends at version 4"),
        (lambda b: (b / "README.txt").write_text("nothing to see"), "README.txt"),
    ],
)
def test_the_bundled_script_fails_on_a_tampered_bundle(
    bundle: Path, tamper: Callable[[Path], None], expected: str
) -> None:
    tamper(bundle)
    run = check(bundle)
    assert run.returncode == 1
    assert "does NOT verify" in run.stdout
    assert expected in run.stdout, run.stdout


def test_an_anchor_catches_a_bundle_cut_short_consistently(tmp_path: Path) -> None:
    _history(tmp_path)
    anchor = tmp_path / "anchor.json"
    assert journey(tmp_path, "verify", "--anchor", str(anchor)).returncode == 0
    bundle = _bundle(tmp_path)
    assert check(bundle, "--anchor", str(anchor)).returncode == 0
    _drop_the_retraction(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    last = json.loads((bundle / "chain.jsonl").read_text().splitlines()[-1])
    manifest["head"] = {"version": 4, "hash": last["hash"]}
    manifest["events"] = 4
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert check(bundle).returncode == 0  # consistent: the bundle alone cannot tell
    run = check(bundle, "--anchor", str(anchor))
    assert run.returncode == 1
    assert "the bundle ends before it" in run.stdout


def test_a_bundle_needs_a_new_directory(bundle: Path) -> None:
    run = journey(bundle.parent, "replay", "bundle", "C1", "--out", "bundle", "--purpose", "x")
    assert run.returncode == 2
    assert "not empty" in run.stderr
