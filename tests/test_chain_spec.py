"""The README's recipe for recomputing a chain, with nothing but the standard library,
agrees with what the ledger stores (non-ASCII text and numbers included)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

from test_ledger_store import child_events, settings

from journey.ledger import Ledger

README = Path(__file__).resolve().parents[1] / "README.md"


def run_readme_recipe(folder: Path) -> None:
    """Run the README's recipe against the journey.db in `folder` (it asserts inside)."""
    recipe = re.search(
        r"```python\n(import hashlib, json, sqlite3.*?)```", README.read_text(), re.S
    )
    assert recipe is not None, "the README lost its recipe"
    code = recipe.group(1).replace('"journey.db"', repr(f"{folder}/journey.db"))
    exec(code, {"hashlib": hashlib, "json": json, "sqlite3": sqlite3})


def test_the_readme_recipe_recomputes_every_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    events = child_events()
    events[1] = {**events[1], "name": "Zoë Ní Bhriain", "fte": 0.6}
    events[2] = {**events[2], "given_name": "Łucja"}
    with Ledger(settings(url)) as ledger:
        assert all(r.ok for r in ledger.append_batch(events))
    run_readme_recipe(tmp_path)


def test_the_recipe_notices_an_altered_record(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    with Ledger(settings(url)) as ledger:
        ledger.append_batch(child_events())
    with sqlite3.connect(tmp_path / "journey.db") as conn:
        conn.execute(
            "UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), "
            "'Amira', 'Amina') AS BLOB)"
        )
    try:
        run_readme_recipe(tmp_path)
    except AssertionError:
        return
    raise AssertionError("the recipe passed an altered record")
