"""A digest of every projection table: equal digests, equal tables.

Rows are read in a total order (every column) and hashed as canonical JSON, so the digest
does not depend on insertion order, page sizes or the database engine's row order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import orjson
from sqlalchemy import Connection, Table, select

from projections.report import plain


def table_digest(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, SHA-256) of a table's contents."""
    columns = list(table.columns)
    query = select(*columns).order_by(*(c.asc().nulls_first() for c in columns))
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(query):
        digest.update(orjson.dumps([plain(v) for v in row]) + b"\n")
        count += 1
    return count, digest.hexdigest()


def digests(conn: Connection, tables: Iterable[Table]) -> dict[str, tuple[int, str]]:
    return {table.name: table_digest(conn, table) for table in tables}
