"""Statements PostgreSQL prepares once per connection.

PostgreSQL plans a statement afresh each time Django sends it (client-side binding: the values are
written into the text, so no two texts are alike). For a short statement the plan costs as much as the
run: 0.26 ms -> 0.09 ms for the gate's four-table join, 0.68 -> ~0.1 ms for an API token's read with
its roles, measured here. ``prepared_cursor`` binds the values on the server and has psycopg prepare
each statement text once per connection. It is turned on by ``DB_PREPARE_THRESHOLD`` (README; the
production command and the test suite set it), off by default as Django's own preparing is, for
connection poolers that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).

Used by the statements a project's hot paths compile once (``core.compiled``: a session, a user, a
token, a case, the navigation's counts), the gate's hot path (``screening.hotpath``), the contact
trace's statement and the access record's insert."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections


def database(alias: str = DEFAULT_DB_ALIAS):
    """A database's connection wrapper of this thread (``django.db.connection`` is a proxy that looks
    it up again at every attribute: a few microseconds each, in a loop over fields)."""
    return connections[alias]


@contextmanager
def prepared_cursor(alias: str = DEFAULT_DB_ALIAS) -> Iterator:
    """A cursor of the database whose statements PostgreSQL prepares (see the module's docstring), with
    errors wrapped as by ``connection.cursor()``. Elsewhere, with preparing turned off, or while queries
    are logged (DEBUG, tests that count queries: Django cannot show a statement bound on the server),
    Django's own cursor."""
    db = connections[alias]
    if db.vendor != "postgresql" or db.queries_logged or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.make_cursor(ServerBindingCursor(db.connection)) as cursor:
        yield cursor


def fetchall(sql: str, params: Sequence, alias: str = DEFAULT_DB_ALIAS, *, times: bool = False) -> list[tuple]:
    """Run one statement through ``prepared_cursor`` and return its rows (``times``: loaded by
    ``native_times``). A statement prepared before a migration changed the type of a column it returns
    fails ("cached plan must not change result type") on that connection until it closes: outside a
    transaction the connection is then closed and the statement run once more on a new one."""
    try:
        with prepared_cursor(alias) as cursor:
            if times:
                native_times(cursor, alias)
            cursor.execute(sql, params)
            return cursor.fetchall()
    except NotSupportedError:
        db = connections[alias]
        if db.in_atomic_block:
            raise
        db.close()
    with prepared_cursor(alias) as cursor:
        if times:
            native_times(cursor, alias)
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetchone(sql: str, params: Sequence, alias: str = DEFAULT_DB_ALIAS) -> tuple | None:
    """``fetchall``'s first row, or None."""
    found = fetchall(sql, params, alias)
    return found[0] if found else None


def native_times(cursor, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Have psycopg load the timestamptz columns of this cursor (a cursor of ``alias``) with its own
    loader, compiled with psycopg's binary package, rather than Django's subclass of it, which costs
    about eight Python calls a value (a trace reads two times a row). The values are the same: aware
    datetimes in the session's time zone, which Django sets to the connection's (``USE_TZ``). Elsewhere
    (SQLite, psycopg2, ``USE_TZ`` off: Django's loader drops the zone) nothing changes."""
    if connections[alias].vendor != "postgresql" or not settings.USE_TZ:
        return
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return
    from psycopg.types.datetime import TimestamptzLoader

    cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
