"""SQL for the gate's hot path: every check-in reads its device, site and person in one statement
and writes its entry in another, thousands of times a minute at a busy city.

Two costs dominate such short statements, and both are cut here without leaving the ORM's meaning:

* building a queryset costs more than running its query (about 0.3 ms of Python for a join of four
  tables): the statements are written once, and each row is turned into model instances with the
  same converters the ORM applies on this database (``Columns``);
* PostgreSQL plans the join afresh for every statement Django sends (client-side binding, no prepared
  statements): ``prepared_cursor`` binds parameters on the server and has each statement prepared
  once per connection (0.26 ms -> 0.09 ms for the join, measured here). It is turned on by
  ``DB_PREPARE_THRESHOLD`` (README; the production command sets it), off by default as Django's own
  preparing is, for connection poolers that cannot keep prepared statements.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connection, connections
from django.db.models import Model


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return qn(model._meta.db_table)


@contextmanager
def prepared_cursor() -> Iterator:
    """A cursor of the default database whose statements PostgreSQL prepares (see the module's
    docstring), with errors wrapped as by ``connection.cursor()``. Elsewhere, with preparing turned
    off, or while queries are logged (DEBUG, tests that count queries: Django cannot show a statement
    bound on the server), Django's own cursor."""
    db = database()
    if db.vendor != "postgresql" or db.queries_logged or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.make_cursor(ServerBindingCursor(db.connection)) as cursor:
        yield cursor


def native_times(cursor) -> None:
    """Have psycopg load the timestamptz columns of this cursor (a cursor of ``database()``) with its own
    loader, compiled with psycopg's binary package, rather than Django's subclass of it, which costs
    about eight Python calls a value (a trace reads two times a row). The values are the same: aware
    datetimes in the session's time zone, which Django sets to the connection's (``USE_TZ``). Elsewhere
    (SQLite, psycopg2, ``USE_TZ`` off: Django's loader drops the zone) nothing changes."""
    if database().vendor != "postgresql" or not settings.USE_TZ:
        return
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return
    from psycopg.types.datetime import TimestamptzLoader

    cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


def fetchone(sql: str, params: Sequence) -> tuple | None:
    """Run one statement through ``prepared_cursor`` and return its first row. A statement prepared
    before a migration changed the type of a column it returns fails ("cached plan must not change
    result type") on that connection until it closes: outside a transaction the connection is then
    closed and the statement run once more on a new one."""
    try:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except NotSupportedError:
        db = database()
        if db.in_atomic_block:
            raise
        db.close()
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def database():
    """The default database's connection wrapper of this thread (``django.db.connection`` is a proxy
    that looks it up again at every attribute: a few microseconds each, in a loop over fields)."""
    return connections[DEFAULT_DB_ALIAS]


class Columns:
    """Columns of several models in one SELECT, read back as partial instances of those models:
    ``Columns(("s", Site, None), ("d", GateDevice, ("id", "name")))`` selects every field of the
    table aliased ``s`` and two of ``d``; ``instances(row)`` gives one instance per model (None when
    its primary key is NULL, as after a LEFT JOIN that found nothing). Fields left out are deferred,
    so that saving such an instance writes only what was read."""

    def __init__(self, *groups: tuple[str, type[Model], Sequence[str] | None]):
        self.groups = []
        columns = []
        for alias, model, names in groups:
            fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
            if not fields or not fields[0].primary_key:
                raise ValueError(f"{model.__name__}: read its primary key first")
            converters = []
            for field in fields:
                col = field.get_col(alias)
                converters.append((col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]))
                columns.append(f"{alias}.{qn(field.column)}")
            self.groups.append((model, [f.attname for f in fields], converters))
        self.sql = ", ".join(columns)

    def instances(self, row: Sequence) -> list[Model | None]:
        db = database()
        out: list[Model | None] = []
        position = 0
        for model, names, converters in self.groups:
            values = []
            for value, (col, functions) in zip(row[position:position + len(names)], converters, strict=True):
                for function in functions:
                    value = function(value, col, db)
                values.append(value)
            position += len(names)
            out.append(None if values[0] is None else model.from_db(db.alias, names, values))
        return out
