"""Database fixtures: every ledger test runs on SQLite and, when JOURNEY_TEST_DATABASE_URL
is set (CI sets it), on PostgreSQL. Each test run creates its own PostgreSQL database and
drops it afterwards; an unreachable server is an error, never a skip."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    url = os.environ.get("JOURNEY_TEST_DATABASE_URL")
    if not url:
        pytest.skip("JOURNEY_TEST_DATABASE_URL is not set: PostgreSQL tests not run")
    name = f"journey_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_postgres(url: str) -> str:
    """Empty the test database's schema so a test starts with no tables."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/journey.db"
    return fresh_postgres(request.getfixturevalue("postgres_database"))


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    return fresh_postgres(postgres_database)


def execute_sql(url: str, statement: str) -> None:
    """Run one statement on the test database behind the ledger's back (to tamper)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement)
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement)
