"""SQL for the gate's hot path: every check-in reads its device, site and person in one statement
and writes its entry in another, thousands of times a minute at a busy city.

Two costs dominate such short statements, and both are cut here without leaving the ORM's meaning:

* building a queryset costs more than running its query (about 0.3 ms of Python for a join of four
  tables): the statements are written once, and each row is turned into model instances with the
  same converters the ORM applies on this database (``Columns``);
* PostgreSQL plans the join afresh for every statement Django sends (client-side binding, no prepared
  statements): the statements run through ``core.prepared`` (``fetchone``), which has PostgreSQL
  prepare each once per connection (0.26 ms -> 0.09 ms for the join, measured here) where
  ``DB_PREPARE_THRESHOLD`` turns it on.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

from zhengtong.core.prepared import database, fetchall, fetchone, native_times, prepared_cursor

__all__ = ["Columns", "database", "fetchall", "fetchone", "native_times", "prepared_cursor", "qn", "table"]


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return qn(model._meta.db_table)


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
