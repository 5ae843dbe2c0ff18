#!/usr/bin/env python3
"""Check a journey audit bundle with nothing but Python's standard library.

    python3 verify_bundle.py [BUNDLE_DIR] [--anchor ANCHOR_FILE]

It checks that:
  1. every file the manifest lists has the SHA-256 the manifest gives;
  2. chain.jsonl is the child's hash chain exactly as the ledger stores it: each line is
     canonical JSON (keys sorted, no spaces), its `hash` is the SHA-256 of the line
     without `hash`, its `prev_hash` is the line before's hash (64 zeros for the first),
     versions run 1, 2, 3... and every line belongs to the manifest's child;
  3. the chain ends at the head the manifest names;
  4. events.jsonl says what the chain says: the same events in the same order, with the
     same envelope (type, ids, dates, who recorded it), and the same content: where the
     chain holds it in the clear, equal to it; where the chain holds it sealed, the
     SHA-256 of the line's salt and content is the chain's `sealed_digest` (content sealed
     before the ledger kept digests is vouched for by step 1 alone, and is counted); and
     the child's personal fields, sealed apart, hash with their own salt to the chain's
     `personal_digest` (unless the child was erased: then they are gone, and counted);
  5. with --anchor: the chain's hash at the version the anchor names for this child is
     the anchor's, so the bundle agrees with an anchor kept outside the ledger.

Exit status 0 when everything holds; 1, with every problem listed, when anything does not.
"""

import base64
import binascii
import hashlib
import json
import sys
from pathlib import Path

GENESIS = "0" * 64
FILES = ("events.jsonl", "chain.jsonl", "README.txt", "verify_bundle.py")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_file(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_files(bundle, manifest, problems):
    listed = manifest.get("files", {})
    for name in FILES:
        if name not in listed:
            problems.append(f"manifest.json does not list {name}")
    for name, digest in sorted(listed.items()):
        path = bundle / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: its SHA-256 differs from the manifest's (altered)")


def check_chain(bundle, manifest, problems):
    """The chain's records, in order, and the hash at each version."""
    records, prev, hashes = [], GENESIS, {}
    lines = (bundle / "chain.jsonl").read_bytes().splitlines()
    for number, line in enumerate(lines, start=1):
        where = f"chain.jsonl line {number}"
        try:
            record = json.loads(line)
            stated = record.pop("hash")
        except (ValueError, KeyError, AttributeError, TypeError):
            problems.append(f"{where}: not a ledger record")
            records.append({})
            continue
        if canonical({**record, "hash": stated}) != line:
            problems.append(f"{where}: not in canonical form (altered)")
        if hashlib.sha256(canonical(record)).hexdigest() != stated:
            problems.append(f"{where}: the hash does not match the record (altered)")
        if record.get("prev_hash") != prev:
            problems.append(f"{where}: prev_hash is not the previous record's hash (broken)")
        if record.get("version") != number:
            problems.append(f"{where}: version {record.get('version')}, expected {number}")
        if record.get("stream_id") != manifest.get("stream_id"):
            problems.append(f"{where}: belongs to another stream than the manifest's child")
        prev = stated
        hashes[number] = stated
        record["hash"] = stated
        records.append(record)
    head = manifest.get("head", {})
    if head.get("version") != len(lines) or head.get("hash") != prev:
        problems.append(
            f"the chain ends at version {len(lines)} ({prev[:12]}), the manifest says "
            f"version {head.get('version')} ({str(head.get('hash'))[:12]})"
        )
    return records, hashes


def committed(event, content="data", salt="salt"):
    """The SHA-256 of the line's salt and the canonical bytes of its content (or of its
    personal fields and their salt)."""
    try:
        raw = base64.b64decode(event.get(salt, ""), validate=True)
        return hashlib.sha256(raw + canonical(event.get(content))).hexdigest()
    except (binascii.Error, TypeError, ValueError):
        return None


def check_events(bundle, records, problems):
    """Problems go to `problems`; returns how many sealed contents no digest covers and
    how many events' personal fields were erased."""
    uncommitted = erased = 0
    lines = (bundle / "events.jsonl").read_bytes().splitlines()
    if len(lines) != len(records):
        problems.append(f"events.jsonl has {len(lines)} events, the chain {len(records)}")
    for number, (line, record) in enumerate(zip(lines, records, strict=False), start=1):
        where = f"events.jsonl line {number}"
        try:
            event = json.loads(line)
        except ValueError:
            problems.append(f"{where}: not JSON")
            continue
        envelope = {k: v for k, v in record.items() if k not in ("data", "sealed", "personal")}
        for key, value in envelope.items():
            if event.get(key) != value:
                problems.append(f"{where}: {key} differs from the chain (altered)")
        if "data" in record and event.get("data") != record["data"]:
            problems.append(f"{where}: the content differs from the chain (altered)")
        elif "sealed_digest" in record and committed(event) != record["sealed_digest"]:
            problems.append(
                f"{where}: the content is not what the chain's sealed_digest covers (altered)"
            )
        elif "sealed" in record and "sealed_digest" not in record:
            uncommitted += 1
        if "personal_digest" not in record:
            continue
        if event.get("personal") == "erased":
            erased += 1
        elif committed(event, "personal", "personal_salt") != record["personal_digest"]:
            problems.append(
                f"{where}: the personal fields are not what the chain's personal_digest "
                "covers (altered)"
            )
    return uncommitted, erased


def check_anchor(anchor_path, manifest, hashes, problems):
    anchor = json.loads(Path(anchor_path).read_text(encoding="utf-8"))
    head = anchor.get("heads", {}).get(manifest.get("stream_id"))
    if head is None:
        print(f"the anchor of {anchor.get('created_at')} does not cover this child")
        return
    version, stated = int(head[0]), str(head[1])
    if version not in hashes:
        problems.append(f"the anchor covers version {version}, the bundle ends before it")
    elif hashes[version] != stated:
        problems.append(f"version {version} differs from the anchor (history rewritten)")
    else:
        print(f"versions 1-{version} agree with the anchor of {anchor.get('created_at')}")


def main(argv):
    args = list(argv)
    anchor = None
    if "--anchor" in args:
        at = args.index("--anchor")
        if at + 1 >= len(args):
            print("--anchor needs a file", file=sys.stderr)
            return 2
        anchor = args[at + 1]
        del args[at : at + 2]
    bundle = Path(args[0] if args else Path(__file__).resolve().parent)
    try:
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"manifest.json: cannot be read ({error})", file=sys.stderr)
        return 1
    problems, uncommitted, erased = [], 0, 0
    check_files(bundle, manifest, problems)
    try:
        records, hashes = check_chain(bundle, manifest, problems)
        uncommitted, erased = check_events(bundle, records, problems)
        if anchor is not None:
            check_anchor(anchor, manifest, hashes, problems)
    except OSError as error:
        problems.append(str(error))
    child = manifest.get("la_child_id")
    if problems:
        for problem in problems:
            print(f"PROBLEM {problem}")
        print(f"the bundle for child {child} does NOT verify ({len(problems)} problems)")
        return 1
    if uncommitted:
        were = "1 event was" if uncommitted == 1 else f"{uncommitted} events were"
        print(
            f"{were} sealed before the ledger kept content digests: the decrypted content "
            "of those is vouched for by the manifest alone"
        )
    if erased:
        were = "1 event's" if erased == 1 else f"{erased} events'"
        print(
            f"{were} personal fields were erased (the child's key destroyed): the rest of "
            "their content is checked, those fields cannot be"
        )
    head = manifest["head"]
    print(
        f"the bundle for child {child} verifies: {head['version']} events, chain head "
        f"{head['hash']} (compare it with `journey verify` or an anchor)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
