"""Database roles on PostgreSQL (`journey init --roles`): an owner role that owns the
schema and every table, and the application role the server and the commands run as,
which may read and append the event log and the access log but never change or remove
what they hold (DESIGN §7).

Run by a superuser (or a role that may create roles and act as the owner), `init_roles`:

1. makes the roles, once: the owner NOLOGIN (nobody signs in as it: schema changes are
   made by running this again as a DBA, so it has no password to keep or to leak), the
   application role LOGIN (a password if one is given, else whatever `pg_hba.conf`
   allows);
2. gives the owner the schema (`public`), takes CREATE on it from PUBLIC (PostgreSQL 14
   and before grant it) and gives the application role USAGE only, so it can make no
   table, function or index;
3. creates every table journey keeps, with the same code that creates them on first use:
   the ledger's (`journey.store`), the principals' (`journey.principals`), and the read
   side's, through the `journey.schema` entry points (journey never imports them);
4. hands every table, sequence, type and function in the schema to the owner (tables made
   in step 3, and tables made on first use before there were roles);
5. grants the application role, table by table, what the code needs (`LEDGER`,
   `READ_SIDE`; anything else `OTHER`), sets the owner's default privileges, and checks
   the result: the role may not UPDATE, DELETE or TRUNCATE the event log or the access
   log, directly or through a role it belongs to.

Running it again is harmless (and after an upgrade that adds a table, necessary): roles
that exist are kept, grants are made again from nothing.

The application role skips creating tables that it does not own (`journey.store`), since
PostgreSQL refuses even `CREATE TABLE IF NOT EXISTS` to a role without CREATE on the
schema, and `CREATE INDEX IF NOT EXISTS` to one that does not own the table.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import urlparse

import psycopg
import structlog
from psycopg import sql

from journey.settings import redact_url
from journey.store import ACCESS_LOG, SCHEMA_LOCK_KEY, open_store

log = structlog.get_logger("journey.roles")

OWNER_ROLE = "journey_owner"
APP_ROLE = "journey_app"
SCHEMA = "public"
EVENTS = "stored_events"
INIT_LOCK_KEY = SCHEMA_LOCK_KEY + 1  # one `journey init --roles` at a time per database
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = (EVENTS, ACCESS_LOG)

# What creates a set of tables (the read side's, through the `journey.schema` entry
# points): given the database URL, it creates them and names them.
TableMaker = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class Policy:
    """What the application role may do to a table, and why."""

    privileges: tuple[str, ...]
    why: str
    update_columns: tuple[str, ...] = ()  # UPDATE of these columns only

    def describe(self) -> str:
        granted = list(self.privileges)
        if self.update_columns:
            granted.append(f"UPDATE ({', '.join(self.update_columns)})")
        return ", ".join(granted)


# The write side's tables, by name. Never UPDATE or DELETE on the event log or the
# access log; UPDATE only where the append protocol moves a number on.
LEDGER: dict[str, Policy] = {
    EVENTS: Policy(
        ("SELECT", "INSERT"), "the event log: read and appended, never changed or removed"
    ),
    f"{EVENTS}_head": Policy(
        ("SELECT",),
        "the head row: every append moves the last notification id given on",
        ("position",),
    ),
    ACCESS_LOG: Policy(
        ("SELECT", "INSERT"), "the access log: read and appended, never changed or removed"
    ),
    f"{ACCESS_LOG}_head": Policy(
        ("SELECT",), "the access log's head row: every entry moves its number on", ("seq",)
    ),
    "stored_snapshots": Policy(
        ("SELECT", "INSERT"),
        "snapshots (a cache of a stream's state every 100 events): taken and read, never replaced",
    ),
    "principals": Policy(
        ("SELECT", "INSERT"),
        "tokens checked on every request; `journey principals add` and `revoke`: a "
        "principal's name, role, token hash and creation are never changed or removed",
        ("revoked_at",),
    ),
    "child_keys": Policy(
        ("SELECT", "INSERT", "UPDATE"),
        "per-child data keys: made, read, and destroyed in place to erase (never deleted)",
    ),
}
READ_SIDE = Policy(
    ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "read side: the runner replaces a stream's rows whole and moves its positions; "
    "a rebuild empties the tables",
)
OTHER = Policy(
    ("SELECT", "INSERT"),
    "not known to journey: read and append only (as the owner's default privileges)",
)
DEFAULT_TABLE_PRIVILEGES = ("SELECT", "INSERT")


class RolesError(Exception):
    """Roles that cannot be set up as asked, with why."""


@dataclass
class RolesReport:
    owner: str
    app: str
    app_url: str
    created: list[str] = field(default_factory=list)  # roles made by this run
    adopted: list[str] = field(default_factory=list)  # objects handed to the owner
    grants: list[tuple[str, Policy]] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        """A row a table, but one for all the read side's."""
        rows, read_side = [], []
        for table, policy in self.grants:
            if policy is READ_SIDE:
                read_side.append(table)
            else:
                rows.append({"table": table, "may": policy.describe(), "why": policy.why})
        if read_side:
            rows.append(
                {
                    "table": f"the read side's {len(read_side)} tables",
                    "may": READ_SIDE.describe(),
                    "why": READ_SIDE.why,
                }
            )
        return rows


def create_tables(database_url: str) -> list[str]:
    """Create every table journey keeps, as the connected role, where it is missing: the
    ledger's, the principals', and each `journey.schema` entry point's (the read side's).
    Returns the names of the entry points' tables."""
    from journey.database import engine_for
    from journey.principals import Principals

    open_store(database_url).close()
    Principals(database_url).close()
    with contextlib.suppress(ImportError):  # the children's data keys, made even with no key
        from journey.child_keys import metadata as keys

        engine = engine_for(database_url)
        try:
            keys.create_all(engine)
        finally:
            engine.dispose()
    made: list[str] = []
    for entry in entry_points(group="journey.schema"):
        maker: TableMaker = entry.load()
        made.extend(maker(database_url))
    return made


def init_roles(
    database_url: str,
    *,
    owner: str = OWNER_ROLE,
    app: str = APP_ROLE,
    app_password: str | None = None,
) -> RolesReport:
    """Make the owner and application roles, every table, and the grants (see the module's
    documentation). `database_url` is a superuser's (or a DBA's) connection."""
    parsed = urlparse(database_url)
    if parsed.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise RolesError("roles are PostgreSQL's: the database URL must be postgresql://…")
    for role in (owner, app):
        if not NAME.match(role):
            raise RolesError(
                f"role name {role!r}: lower-case letters, digits and _, not starting with a "
                "digit, at most 63 characters"
            )
    if owner == app:
        raise RolesError("the owner and the application role must be different roles")
    host = parsed.netloc.rsplit("@", 1)[-1]
    query = f"?{parsed.query}" if parsed.query else ""
    report = RolesReport(owner, app, f"postgresql://{app}@{host}{parsed.path}{query}")
    conninfo = "postgresql://" + database_url.split("://", 1)[1]
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (INIT_LOCK_KEY,))
        try:
            with conn.transaction():
                report.created = _make_roles(conn, owner, app, app_password)
                _give_schema(conn, owner, app)
                report.adopted = _adopt(conn, owner)  # so the owner may alter what exists
            read_side = set(create_tables(database_url))
            with conn.transaction():
                report.adopted += _adopt(conn, owner)
                report.grants = _grant(conn, owner, app, read_side)
                problems = _check(conn, app)
                if problems:
                    raise RolesError("; ".join(problems))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (INIT_LOCK_KEY,))
    log.info(
        "roles_initialised",
        database=redact_url(database_url),
        owner=owner,
        app=app,
        created=report.created,
        adopted=len(report.adopted),
        tables=len(report.grants),
    )
    return report


def _one(conn: psycopg.Connection[Any], query: str, *args: Any) -> Any:
    row = conn.execute(query, args).fetchone()
    return None if row is None else row[0]


def _make_roles(
    conn: psycopg.Connection[Any], owner: str, app: str, password: str | None
) -> list[str]:
    created = []
    found = {
        name: (superuser, login)
        for name, superuser, login in conn.execute(
            "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s)",
            ([owner, app],),
        )
    }
    if _one(conn, "SELECT current_user") == app:
        raise RolesError(f"run this as a superuser or DBA, not as the application role {app}")
    o, a = sql.Identifier(owner), sql.Identifier(app)
    secret: sql.Composable = sql.SQL("")
    if password:
        verifier = conn.pgconn.encrypt_password(password.encode(), app.encode())
        secret = sql.SQL(" PASSWORD {}").format(sql.Literal(verifier.decode()))
    for name, statement in (
        (owner, sql.SQL("CREATE ROLE {} NOLOGIN").format(o)),
        (app, sql.SQL("CREATE ROLE {} LOGIN{}").format(a, secret)),
    ):
        if name in found:
            continue
        # Role names are the cluster's: another init (another database) may make it first.
        with contextlib.suppress(psycopg.errors.DuplicateObject), conn.transaction():
            conn.execute(statement)
            created.append(name)
    if app in found:
        if found[app][0]:
            raise RolesError(
                f"{app} is a superuser, which may change any table: choose another "
                f"application role, or ALTER ROLE {app} NOSUPERUSER"
            )
        if password or not found[app][1]:
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN{}").format(a, secret))
    if _one(conn, "SELECT pg_has_role(%s, %s, 'MEMBER')", app, owner):
        raise RolesError(f"{app} is a member of {owner}, so it could alter every table")
    if not _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") and not (
        _one(conn, "SELECT pg_has_role(current_user, %s, 'USAGE')", owner)
    ):
        conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(o))  # to hand tables over
    return created


def _give_schema(conn: psycopg.Connection[Any], owner: str, app: str) -> None:
    s, o, a = sql.Identifier(SCHEMA), sql.Identifier(owner), sql.Identifier(app)
    database = sql.Identifier(_one(conn, "SELECT current_database()"))
    if _one(
        conn,
        "SELECT pg_has_role(%s, datdba, 'USAGE') FROM pg_database "
        "WHERE datname = current_database()",
        app,
    ):  # a database made by and for one login role: its owner may drop it
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, o))
    for statement in (
        "ALTER SCHEMA {s} OWNER TO {o}",
        "REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        "REVOKE ALL ON SCHEMA {s} FROM {a}",
        "GRANT USAGE ON SCHEMA {s} TO {a}",
        "REVOKE CREATE ON DATABASE {d} FROM {a}",
        "GRANT CONNECT ON DATABASE {d} TO {a}",
    ):
        conn.execute(sql.SQL(statement).format(s=s, o=o, a=a, d=database))


_ALTER = {
    "r": "TABLE",
    "p": "TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "f": "FOREIGN TABLE",
    "S": "SEQUENCE",
    "c": "TYPE",
}


def _adopt(conn: psycopg.Connection[Any], owner: str) -> list[str]:
    """Hand every object in the schema that the owner does not own to it. (Indexes and the
    sequences of serial columns follow their tables.)"""
    owner_oid = _one(conn, "SELECT oid FROM pg_roles WHERE rolname = %s", owner)
    schema_oid = _one(conn, "SELECT oid FROM pg_namespace WHERE nspname = %s", SCHEMA)
    o = sql.Identifier(owner)
    adopted = []
    relations = conn.execute(
        "SELECT c.relkind, c.relname FROM pg_class c WHERE c.relnamespace = %s "
        "AND c.relowner <> %s AND c.relkind = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') "
        "AND c.relkind = 'S') ORDER BY c.relname",
        (schema_oid, owner_oid, list(_ALTER)),
    ).fetchall()
    for kind, name in relations:
        conn.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(
                sql.SQL(_ALTER[kind]), sql.Identifier(SCHEMA, name), o
            )
        )
        adopted.append(name)
    for (routine,) in conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = %s "
        "AND p.proowner <> %s AND p.prokind IN ('f', 'p') ORDER BY 1",
        (schema_oid, owner_oid),
    ).fetchall():
        # The catalog's own text for the routine and its argument types, already quoted.
        conn.execute(sql.SQL("ALTER ROUTINE {} OWNER TO {}").format(sql.SQL(routine), o))
        adopted.append(routine)
    for kind, name in conn.execute(
        "SELECT t.typtype, t.typname FROM pg_type t WHERE t.typnamespace = %s "
        "AND t.typowner <> %s AND t.typtype IN ('e', 'd') ORDER BY t.typname",
        (schema_oid, owner_oid),
    ).fetchall():
        keyword = "DOMAIN" if kind == "d" else "TYPE"
        conn.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(
                sql.SQL(keyword), sql.Identifier(SCHEMA, name), o
            )
        )
        adopted.append(name)
    return adopted


def policy_for(table: str, read_side: set[str]) -> Policy:
    if table in LEDGER:
        return LEDGER[table]
    return READ_SIDE if table in read_side else OTHER


def _grant(
    conn: psycopg.Connection[Any], owner: str, app: str, read_side: set[str]
) -> list[tuple[str, Policy]]:
    s, o, a = sql.Identifier(SCHEMA), sql.Identifier(owner), sql.Identifier(app)
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            (SCHEMA,),
        ).fetchall()
    ]
    granted = []
    for name in tables:
        policy = policy_for(name, read_side)
        table = sql.Identifier(SCHEMA, name)
        conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM PUBLIC, {}").format(table, a))
        conn.execute(
            sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                sql.SQL(", ").join(map(sql.SQL, policy.privileges)), table, a
            )
        )
        if policy.update_columns:
            conn.execute(
                sql.SQL("GRANT UPDATE ({}) ON TABLE {} TO {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, policy.update_columns)), table, a
                )
            )
        granted.append((name, policy))
    if "child_keys" in tables:
        # Erasure VACUUMs the keys so that no old row version keeps a destroyed key; from
        # PostgreSQL 17 a role may without owning the table. Before, the VACUUM is skipped
        # with a warning: autovacuum is told to clear any dead row version of this table
        # at its next round (a minute by default), however few there are.
        keys = sql.Identifier(SCHEMA, "child_keys")
        conn.execute(
            sql.SQL(
                "ALTER TABLE {} SET (autovacuum_vacuum_threshold = 0, "
                "autovacuum_vacuum_scale_factor = 0)"
            ).format(keys)
        )
        if conn.info.server_version >= 170000:
            conn.execute(sql.SQL("GRANT MAINTAIN ON TABLE {} TO {}").format(keys, a))
    defaults = sql.SQL(", ").join(map(sql.SQL, DEFAULT_TABLE_PRIVILEGES))
    for statement in (
        # Sequences (none today: the ledger numbers its rows from the head row): nextval
        # and currval only, since setval needs UPDATE.
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {a}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}",
        # The append function runs with its caller's rights (SECURITY INVOKER): it can do
        # no more than the role may do itself.
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {a}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT {defaults} ON TABLES TO {a}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES "
        "TO {a}",
    ):
        conn.execute(sql.SQL(statement).format(s=s, o=o, a=a, defaults=defaults))
    return granted


def _check(conn: psycopg.Connection[Any], app: str) -> list[str]:
    """What would let the application role change the log, if anything (privileges it has
    through PUBLIC or another role count)."""
    problems = []
    if _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = %s", app):
        problems.append(f"{app} is a superuser")
    if _one(
        conn,
        "SELECT pg_has_role(%s, datdba, 'USAGE') FROM pg_database "
        "WHERE datname = current_database()",
        app,
    ):
        problems.append(f"{app} owns the database")
    if _one(conn, "SELECT has_schema_privilege(%s, %s, 'CREATE')", app, SCHEMA):
        problems.append(f"{app} may create objects in the schema {SCHEMA}")
    for table in APPEND_ONLY:
        qualified = f"{SCHEMA}.{table}"
        if _one(conn, "SELECT to_regclass(%s)", qualified) is None:
            problems.append(f"{qualified} was not created")
            continue
        changes = [
            privilege
            for privilege, test in (
                ("UPDATE", "has_any_column_privilege(%s, %s, 'UPDATE')"),
                ("DELETE", "has_table_privilege(%s, %s, 'DELETE')"),
                ("TRUNCATE", "has_table_privilege(%s, %s, 'TRUNCATE')"),
            )
            if _one(conn, f"SELECT {test}", app, qualified)
        ]
        owned = _one(
            conn,
            "SELECT pg_has_role(%s, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
            app,
            qualified,
        )
        if owned:
            changes.append("everything (it acts as the table's owner)")
        if changes:
            problems.append(
                f"{app} may still {', '.join(changes)} on {qualified}, through PUBLIC or a role "
                "it is a member of: revoke that grant"
            )
    return problems
