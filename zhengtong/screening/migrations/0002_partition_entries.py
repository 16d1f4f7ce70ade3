"""On PostgreSQL, screening_entry becomes a table RANGE-partitioned by month of ``entered_at``.

Layout after this migration (PostgreSQL only; on SQLite it does nothing):

- ``screening_entry``: the partitioned parent, ``PARTITION BY RANGE (entered_at)``. Its primary key is
  ``(id, entered_at)`` (a unique key of a partitioned table must include the partition key); ``id``
  stays an identity column on the same sequence ``screening_entry_id_seq``, restarted after the
  highest id, so Django keeps using ``id`` alone as the pk and ids stay unique.
- ``screening_entry_pYYYY_MM``: one partition per calendar month in UTC, ``[YYYY-MM-01 00:00 UTC,
  next month)``, from 2020-01 to three months after the month the migration runs in; afterwards
  ``screening.partitions.ensure_partitions`` (the nightly job) keeps months ahead.
- ``screening_entry_default``: the DEFAULT partition, so that no insert ever fails for want of a
  partition (it should stay empty; ensure_partitions moves rows out of it when it creates their month).
- Every other constraint and index of the plain table is carried over under its own name (read from
  the catalogue): the unique constraint ``entry_unique_client_uuid (client_uuid, entered_at)``, the
  indexes ``entry_site_time``, ``entry_person_time`` and the one on ``client_uuid`` (now partitioned
  indexes), and the five foreign keys. Rows are copied over.

Only RunPython, with no state operations: Django's migration state is untouched and still matches
the model, so ``makemigrations --check`` stays clean.

Existing rows are copied inside the migration's transaction, which holds the table locked meanwhile:
about 15 s per million rows on a 2-core machine (measured with 0.6 million), so a large existing table
needs a maintenance window.

Reversible: going back recreates a plain table with the primary key ``(id)`` and the same constraints,
indexes and sequence, and copies every row back (those of the DEFAULT partition included).

A later migration on Entry must respect the partitioning on PostgreSQL: a unique constraint must include
``entered_at``, and nothing can reference Entry by ``id`` alone with a foreign key (reference
``(id, entered_at)`` or store the id without a database constraint).
"""

from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone

TABLE = "screening_entry"
DEFAULT_PARTITION = f"{TABLE}_default"
FIRST_MONTH = datetime(2020, 1, 1, tzinfo=UTC)
MONTHS_AHEAD = 3


def _add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


def _months(first: datetime, last: datetime):
    month = first
    while month <= last:
        yield month, _add_months(month, 1)
        month = _add_months(month, 1)


def _relkind(cursor) -> str | None:
    cursor.execute("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return row[0] if row else None


def _describe(cursor) -> dict:
    """What the table carries besides its columns and its primary key, read from the catalogue."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname", [TABLE])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid"
        ") ORDER BY i.relname", [TABLE])
    # On a partitioned parent the definition reads "ON ONLY table": the index is created on the new
    # table with its partitions.
    indexes = [row[0].replace(" ON ONLY ", " ON ") for row in cursor.fetchall()]
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum", [TABLE])
    columns = ", ".join(f'"{row[0]}"' for row in cursor.fetchall())
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    last_value, is_called = cursor.fetchone()
    cursor.execute(f'SELECT max(id) FROM "{TABLE}"')
    highest = cursor.fetchone()[0] or 0
    next_id = max(last_value + 1 if is_called else last_value, highest + 1)
    return {"constraints": constraints, "indexes": indexes, "columns": columns,
            "sequence": sequence.split(".")[-1], "next_id": next_id}


def _rebuild(cursor, *, partitioned: bool) -> None:
    """Replace the table by a partitioned (or plain) copy of itself: same columns, rows, sequence,
    constraints and indexes."""
    info = _describe(cursor)
    old = f"{TABLE}_{'plain' if partitioned else 'partitioned'}"
    cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{old}"')
    cursor.execute(
        f'CREATE TABLE "{TABLE}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE '
        f"INCLUDING COMMENTS){' PARTITION BY RANGE (entered_at)' if partitioned else ''}")
    if partitioned:
        last = _add_months(timezone.now().astimezone(UTC).replace(day=1, hour=0, minute=0, second=0,
                                                                   microsecond=0), MONTHS_AHEAD)
        for start, end in _months(FIRST_MONTH, last):
            cursor.execute(
                f'CREATE TABLE "{TABLE}_p{start:%Y_%m}" PARTITION OF "{TABLE}" '
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
        cursor.execute(f'CREATE TABLE "{DEFAULT_PARTITION}" PARTITION OF "{TABLE}" DEFAULT')
    columns = info["columns"]
    cursor.execute(f'INSERT INTO "{TABLE}" ({columns}) SELECT {columns} FROM "{old}"')
    cursor.execute(f'DROP TABLE "{old}"')  # with its partitions, identity sequence, indexes and constraints
    cursor.execute(
        f'ALTER TABLE "{TABLE}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY '
        f'(SEQUENCE NAME "{info["sequence"]}" START WITH {int(info["next_id"])})')
    key = "id, entered_at" if partitioned else "id"
    cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY ({key})')
    for name, kind, definition in info["constraints"]:
        if kind == "f":
            continue
        if partitioned and "entered_at" not in definition:
            raise RuntimeError(f"{name} ({definition}) must include entered_at on the partitioned table")
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
    for definition in info["indexes"]:
        cursor.execute(definition)
    for name, kind, definition in info["constraints"]:
        if kind == "f":
            cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f'ANALYZE "{TABLE}"')


def _convert(schema_editor, *, partitioned: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if _relkind(cursor) == ("r" if partitioned else "p"):
            # Fire deferred foreign-key checks now: a table with pending trigger events cannot be dropped.
            connection.check_constraints()
            _rebuild(cursor, partitioned=partitioned)


def partition(apps, schema_editor):
    _convert(schema_editor, partitioned=True)


def unpartition(apps, schema_editor):
    _convert(schema_editor, partitioned=False)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
