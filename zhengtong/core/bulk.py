"""Writing many new rows at once: PostgreSQL's COPY where the database is PostgreSQL (psycopg's
``cursor.copy``: the rows stream in one statement, with no SQL text to build or parse and no model
instances), Django's ``bulk_create`` elsewhere. Rows are tuples of Python values for the named fields;
a value goes through its field's conversion to the database (``get_db_prep_save``) where the field
needs one (JSON, decimals, …), as ``bulk_create``'s would; plain text, numbers, dates, times and keys
are written as they are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

# Fields whose Python value psycopg writes as the column wants: no conversion per value (date-times
# included: callers give aware ones, as USE_TZ wants).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DateField,
          models.ForeignKey)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
                batch_size: int = 5_000) -> int:
    """Insert ``rows`` (each a tuple of values for ``fields``, by attribute name: ``unit_id`` for a key)
    as new rows of ``model``, in the caller's transaction; returns how many. Fields not named take no
    value from here: give every field without a database default."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows],
                                           batch_size=batch_size)
        return len(rows)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    converters: list[Callable[[Any], Any] | None] = [_converter(f, connection) for f in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    with (connection.cursor() as cursor, connection.wrap_database_errors,  # Django's errors, as for any query
          cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy):
        if not any(converters):
            for row in rows:
                copy.write_row(row)
        else:
            for row in rows:
                copy.write_row([v if c is None else c(v) for v, c in zip(row, converters, strict=True)])
    return len(rows)



def _converter(field: models.Field, connection) -> Callable[[Any], Any] | None:
    if isinstance(field, _AS_IS):
        return None
    if isinstance(field, models.JSONField):  # what get_db_prep_save comes to, without its steps
        return lambda v: None if v is None else connection.ops.adapt_json_value(v, field.encoder)
    return lambda v: field.get_db_prep_save(v, connection)
