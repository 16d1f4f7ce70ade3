"""The monthly partitions of the entries table on PostgreSQL, and the retention purge that drops them.

The layout is set up by migration 0002: ``screening_entry`` is RANGE-partitioned by ``entered_at``, one
partition per calendar month in UTC (``screening_entry_pYYYY_MM``), plus a DEFAULT partition
(``screening_entry_default``) that catches rows of months without a partition, so an insert never fails.

- ``ensure_partitions`` (nightly) creates the partitions of this month and the next few; rows of those
  months that landed in DEFAULT are moved into the new partition before it is attached.
- ``drop_expired_partitions`` (nightly) drops each partition whose whole month is older than the retention
  period (``ENTRY_RETENTION_DAYS``) and holds no row a case needs: dropping a partition costs the same
  whatever its size, which is how the purge keeps up with millions of rows a day. What remains older than
  the retention period (the older part of the month in progress, partitions with held rows, DEFAULT) is
  deleted row by row by ``services.entries_purge``.

On SQLite there are no partitions: ``ensure_partitions`` does nothing and ``drop_expired_partitions``
is ``services.entries_purge``.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhengtong.screening import counts, services
from zhengtong.screening.models import Entry

TABLE = Entry._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
# DDL on the entries table waits at most this long for a lock, so that it never queues the gates'
# inserts behind a long query; a partition that could not be handled is tried again the next night.
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None for DEFAULT (or a bound that is not a timestamp)
    end: datetime | None

    @property
    def is_default(self) -> bool:
        return self.start is None and self.end is None


@dataclass
class PurgeResult:
    cutoff: datetime
    dropped: dict[str, int] = field(default_factory=dict)  # partition name -> rows it held
    held: list[str] = field(default_factory=list)  # expired partitions kept because a case needs rows in them
    busy: list[str] = field(default_factory=list)  # expired partitions that could not be locked in time
    deleted: int = 0  # rows deleted one by one
    dry_run: bool = False

    def summary(self) -> str:
        verb = ("would drop", "would delete") if self.dry_run else ("dropped", "deleted")
        parts = [f"entries before {self.cutoff:%Y-%m-%d %H:%M} UTC:"]
        if self.dropped:
            names = [f"{name} ({rows} rows)" for name, rows in self.dropped.items()]
            if len(names) > 4:
                names = [*names[:2], f"… {len(names) - 4} more …", *names[-2:]]
            parts.append(f"{verb[0]} {len(self.dropped)} partition(s) holding {sum(self.dropped.values())} row(s): "
                         f"{', '.join(names)};")
        parts.append(f"{verb[1]} {self.deleted} row(s) one by one")
        if self.held:
            parts.append(f"; kept partition(s) with rows held by a case: {', '.join(self.held)}")
        if self.busy:
            parts.append(f"; could not lock {', '.join(self.busy)} (tried again next time)")
        return " ".join(parts)


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        return cursor.fetchone() is not None


def month_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


def partition_name(start: datetime) -> str:
    return f"{TABLE}_p{start:%Y_%m}"


def list_partitions() -> list[Partition]:
    """The partitions attached to the entries table, with their bounds, oldest first, DEFAULT last."""
    with connection.cursor() as cursor:
        cursor.execute(
            r"""
            SELECT c.relname, b.m[1]::timestamptz, b.m[2]::timestamptz
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            CROSS JOIN LATERAL (
                SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                    'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS m
            ) b
            WHERE i.inhparent = %s::regclass
            """,
            [TABLE],
        )
        rows = cursor.fetchall()
    partitions = [Partition(name, start, end) for name, start, end in rows]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(partitions, key=lambda p: (p.start or far, p.name))


def _columns(cursor) -> str:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum", [TABLE])
    return ", ".join(f'"{row[0]}"' for row in cursor.fetchall())


def _create_partition(start: datetime, end: datetime, *, has_default: bool) -> int:
    """Create and attach the partition [start, end); returns the number of rows moved out of DEFAULT."""
    name = partition_name(start)
    bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    moved = 0
    with transaction.atomic(), connection.cursor() as cursor:
        connection.check_constraints()  # no pending trigger events on the tables altered below
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        # Lock order parent, then DEFAULT (the order inserts take them): ATTACH takes SHARE UPDATE
        # EXCLUSIVE on the parent (inserts and queries go on) and ACCESS EXCLUSIVE on DEFAULT, which we take
        # first so that no row of this month can land in DEFAULT between the move and the ATTACH.
        cursor.execute(f'LOCK TABLE ONLY "{TABLE}" IN SHARE UPDATE EXCLUSIVE MODE')
        if has_default:
            cursor.execute(f'LOCK TABLE "{DEFAULT_PARTITION}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(
            f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)')
        if has_default:
            columns = _columns(cursor)
            cursor.execute(
                f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE entered_at >= %s AND entered_at < %s '
                f'RETURNING {columns}) INSERT INTO "{name}" ({columns}) SELECT {columns} FROM moved',
                [start, end])
            moved = cursor.rowcount
        # ATTACH builds the partition's indexes, primary key, unique constraint and foreign keys.
        cursor.execute(f'ALTER TABLE "{TABLE}" ATTACH PARTITION "{name}" FOR VALUES {bounds}')
    return moved


def ensure_partitions(*, months_ahead: int = 3, now: datetime | None = None) -> dict[str, int]:
    """Create the missing partitions of this month and the ``months_ahead`` next ones (UTC months).
    Returns {created partition: rows moved into it from DEFAULT}; empty on SQLite."""
    if not is_partitioned():
        return {}
    first = month_start(now or timezone.now())
    partitions = list_partitions()
    existing = [p for p in partitions if not p.is_default]
    has_default = any(p.name == DEFAULT_PARTITION for p in partitions)
    created = {}
    for k in range(months_ahead + 1):
        start, end = add_months(first, k), add_months(first, k + 1)
        if any(p.start is not None and p.end is not None and p.start < end and start < p.end for p in existing):
            continue
        created[partition_name(start)] = _create_partition(start, end, has_default=has_default)
    return created


def _count(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        return cursor.fetchone()[0]


def _is_held(partition: Partition, held: Q | None) -> bool:
    if held is None:
        return False
    return Entry.objects.filter(entered_at__gte=partition.start, entered_at__lt=partition.end).filter(held).exists()


def _drop(partition: Partition, held: Q | None) -> str:
    """DETACH and DROP one partition; 'held' or 'busy' when it must stay, 'dropped' otherwise."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Checked again in the transaction that drops it, right before the lock is taken.
            if _is_held(partition, held):
                return "held"
            # Fire deferred foreign-key checks first: a table with pending trigger events cannot be dropped
            # (only when rows were written earlier in this transaction, as in a test).
            connection.check_constraints()
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{partition.name}"')
            cursor.execute(f'DROP TABLE "{partition.name}"')
    except OperationalError as e:
        if getattr(getattr(e, "__cause__", None), "sqlstate", None) == "55P03":  # lock_not_available
            return "busy"
        raise
    return "dropped"


def drop_expired_partitions(*, now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """The retention purge: drop the partitions whose whole month is older than the retention period and
    hold no row a case needs, then delete the remaining expired rows one by one (services.entries_purge),
    which keeps the rows a case holds. On SQLite, only the latter. ``dry_run`` changes nothing and counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ENTRY_RETENTION_DAYS)
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    held = services.held_entries_q()
    if not dry_run:  # a partition is dropped only once its days are counted (screening.counts)
        counts.count_before(cutoff, held=held, now=now)
    remaining = Entry.objects.filter(entered_at__lt=cutoff)
    if held is not None:
        remaining = remaining.exclude(held)
    if is_partitioned():
        for partition in list_partitions():
            if partition.start is None or partition.end is None or partition.end > cutoff:
                continue
            rows = _count(partition.name)
            outcome = "held" if _is_held(partition, held) else ("dropped" if dry_run else _drop(partition, held))
            if outcome == "dropped":
                result.dropped[partition.name] = rows
                remaining = remaining.exclude(entered_at__gte=partition.start, entered_at__lt=partition.end)
            else:
                getattr(result, outcome).append(partition.name)
    result.deleted = remaining.count() if dry_run else services.entries_purge(now=now)
    return result
