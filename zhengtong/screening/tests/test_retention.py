"""Retention of entries (the purge), overdue stays, the monthly partitions of the entries table on
PostgreSQL, and the schedules of these jobs. Dates are fixed; the jobs are given ``now``."""

import importlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from zhengtong.core import scheduling
from zhengtong.screening import jobs, partitions, services
from zhengtong.screening.models import Entry
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")

NOW = datetime(2020, 5, 15, 12, 0, tzinfo=UTC)  # with 28 days of retention, the cutoff is 2020-04-17 12:00 UTC


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ENTRY_RETENTION_DAYS = 28
    settings.MAX_STAY_HOURS = 8


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def held_person():
    """A person whose entries of 2020 an investigation holds (screening.services.entries_hold, as the
    outbreak app will call it for a case's trace)."""
    person = PersonFactory()
    services.entries_hold(person_ids=[person.pk], start=datetime(2020, 1, 1, tzinfo=UTC),
                          end=datetime(2021, 1, 1, tzinfo=UTC), holder="test:case-1", reason="trace")
    return person


def entry(site, person, at, **kw) -> Entry:
    return Entry.objects.create(client_uuid=uuid.uuid4(), site=site, person=person, entered_at=at,
                                temperature=Decimal("36.5"), decision=kw.pop("decision", "admit"),
                                reason=kw.pop("reason", "ok"), **kw)


def ids() -> set[int]:
    return set(Entry.objects.values_list("pk", flat=True))


def partition_of(e: Entry) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM screening_entry WHERE id = %s", [e.pk])
        return cursor.fetchone()[0]


def partition_names() -> set[str]:
    return {p.name for p in partitions.list_partitions()}


# The purge (both databases) ----------------------------------------------------------------------------


def test_the_purge_deletes_entries_older_than_the_retention_period_and_keeps_newer_ones(site):
    person = PersonFactory()
    a_whole_month_ago = entry(site, person, datetime(2020, 2, 10, 8, 0, tzinfo=UTC))
    just_expired = entry(site, person, NOW - timedelta(days=28, minutes=1))
    just_kept = entry(site, person, NOW - timedelta(days=27, hours=23, minutes=59))
    today = entry(site, person, NOW - timedelta(hours=1))

    summary = jobs.purge_entries(now=NOW)

    assert ids() == {just_kept.pk, today.pk}
    assert a_whole_month_ago.pk not in ids() and just_expired.pk not in ids()
    assert summary.startswith("entries before 2020-04-17 12:00 UTC:")


def test_the_purge_keeps_the_rows_a_case_holds(site, held_person):
    other = PersonFactory()
    held = entry(site, held_person, datetime(2020, 3, 5, 8, 0, tzinfo=UTC))
    held_in_a_month_with_other_rows = entry(site, held_person, datetime(2020, 4, 2, 8, 0, tzinfo=UTC))
    entry(site, other, datetime(2020, 3, 6, 8, 0, tzinfo=UTC))
    entry(site, other, datetime(2020, 4, 2, 9, 0, tzinfo=UTC))

    partitions.drop_expired_partitions(now=NOW)

    assert ids() == {held.pk, held_in_a_month_with_other_rows.pk}


def test_a_dry_run_changes_nothing(site):
    entry(site, PersonFactory(), datetime(2020, 2, 10, 8, 0, tzinfo=UTC))
    out = StringIO()
    call_command("purge_entries", "--dry-run", stdout=out)
    assert Entry.objects.count() == 1
    assert "would delete" in out.getvalue()
    result = partitions.drop_expired_partitions(now=NOW, dry_run=True)
    assert result.deleted + sum(result.dropped.values()) == 1 and Entry.objects.count() == 1


# Overdue stays (both databases) ------------------------------------------------------------------------


def test_stays_past_the_maximum_stay_are_closed_as_estimated_and_newer_ones_stay_open(site):
    person = PersonFactory()
    overdue = entry(site, person, NOW - timedelta(hours=9))
    recent = entry(site, person, NOW - timedelta(hours=7))
    left = entry(site, person, NOW - timedelta(hours=12), left_at=NOW - timedelta(hours=11))
    refused = entry(site, person, NOW - timedelta(hours=10), decision="refuse", reason="fever")

    assert jobs.close_overdue_stays(now=NOW) == "closed 1 overdue stay(s)"

    overdue.refresh_from_db()
    assert overdue.left_at == NOW - timedelta(hours=1) and overdue.left_estimated
    for unchanged in (recent, left, refused):
        before = (unchanged.left_at, unchanged.left_estimated)
        unchanged.refresh_from_db()
        assert (unchanged.left_at, unchanged.left_estimated) == before
    assert jobs.close_overdue_stays(now=NOW) == "closed 0 overdue stay(s)"


def test_the_close_overdue_stays_command(site):
    # The command runs at the real time: a stay that began 9 hours ago is overdue.
    began = timezone.now().replace(microsecond=0) - timedelta(hours=9)
    stay = entry(site, PersonFactory(), began)
    out = StringIO()
    call_command("close_overdue_stays", stdout=out)
    stay.refresh_from_db()
    assert stay.left_estimated and stay.left_at == began + timedelta(hours=8)
    assert out.getvalue().strip() == "closed 1 overdue stay(s)"


# Schedules (both databases) ----------------------------------------------------------------------------


def test_migrate_leaves_the_schedules_and_ensure_schedules_is_idempotent():
    names = [job.name for job in scheduling.all_jobs()]
    assert set(Schedule.objects.filter(name__in=names).values_list("name", flat=True)) == set(names)

    Schedule.objects.filter(name__in=names).delete()
    assert scheduling.ensure_schedules(now=NOW) == dict.fromkeys(names, "created")
    assert scheduling.ensure_schedules(now=NOW) == dict.fromkeys(names, "unchanged")
    rows = {s.name: s for s in Schedule.objects.filter(name__in=names)}
    assert len(rows) == 8  # screening's five, permits' and resumption's daily runs, core's expiry of exports
    assert rows["permits.daily"].next_run == datetime(2020, 5, 16, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    purge, maintain, close = (rows["screening.purge_entries"], rows["screening.maintain_partitions"],
                              rows["screening.close_overdue_stays"])
    assert (purge.func, purge.schedule_type, purge.repeats) == ("zhengtong.screening.jobs.purge_entries", "D", -1)
    # NOW is 20:00 in Shanghai: the purge runs next at 03:00 there (19:00 UTC), maintenance at 02:30.
    assert purge.next_run == datetime(2020, 5, 15, 19, 0, tzinfo=UTC)
    assert maintain.next_run == datetime(2020, 5, 15, 18, 30, tzinfo=UTC) and maintain.schedule_type == "D"
    assert close.next_run == datetime(2020, 5, 15, 13, 0, tzinfo=UTC) and close.schedule_type == "H"
    assert rows["screening.end_rotations"].next_run == datetime(2020, 5, 15, 16, 10, tzinfo=UTC)  # 00:10 there

    # An admin's change of timing is kept; the function and endless repeats are put back; a duplicate goes.
    purge.next_run, purge.func, purge.repeats = datetime(2020, 5, 15, 18, 0, tzinfo=UTC), "x.y", 0
    purge.save()
    Schedule.objects.create(name="screening.purge_entries", func="zhengtong.screening.jobs.purge_entries",
                            schedule_type="D")
    assert scheduling.ensure_schedules(now=NOW)["screening.purge_entries"] == "updated"
    purge = Schedule.objects.get(name="screening.purge_entries")
    assert purge.func == "zhengtong.screening.jobs.purge_entries" and purge.repeats == -1
    assert purge.next_run == datetime(2020, 5, 15, 18, 0, tzinfo=UTC)


# Partitions (PostgreSQL) -------------------------------------------------------------------------------


@postgresql_only
def test_the_entries_table_is_partitioned_by_month_and_an_entry_lands_in_its_month(site):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_partkeydef(p.partrelid), d.relname FROM pg_partitioned_table p "
            "LEFT JOIN pg_class d ON d.oid = p.partdefid WHERE p.partrelid = 'screening_entry'::regclass")
        assert cursor.fetchone() == ("RANGE (entered_at)", "screening_entry_default")
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'screening_entry'::regclass")
        assert cursor.fetchone()[0] > 12
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'screening_entry'::regclass AND contype = 'p'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, entered_at)"
    person = PersonFactory()
    march = entry(site, person, datetime(2020, 3, 10, 8, 0, tzinfo=UTC))
    # A month boundary is midnight UTC: 1 April 07:59 in Shanghai is still March.
    end_of_march = entry(site, person, datetime(2020, 3, 31, 23, 59, tzinfo=UTC))
    assert partition_of(march) == partition_of(end_of_march) == "screening_entry_p2020_03"
    assert partitions.is_partitioned()


@postgresql_only
def test_ensure_partitions_creates_the_next_months_and_moves_rows_out_of_default(site):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE screening_entry DETACH PARTITION screening_entry_p2020_05")
        cursor.execute("DROP TABLE screening_entry_p2020_05")
    stray = entry(site, PersonFactory(), datetime(2020, 5, 20, 8, 0, tzinfo=UTC))
    assert partition_of(stray) == "screening_entry_default"

    assert partitions.ensure_partitions(months_ahead=3, now=datetime(2020, 3, 10, tzinfo=UTC)) == {
        "screening_entry_p2020_05": 1}
    assert partition_of(stray) == "screening_entry_p2020_05"
    assert partitions.ensure_partitions(months_ahead=3, now=datetime(2020, 3, 10, tzinfo=UTC)) == {}

    # Past the last partition the migration made: this month and the next two.
    last = max(p.end for p in partitions.list_partitions() if p.end)
    created = partitions.ensure_partitions(months_ahead=2, now=last + timedelta(days=3))
    expected = [partitions.partition_name(partitions.add_months(last, k)) for k in range(3)]
    assert list(created) == expected and set(expected) <= partition_names()
    with connection.cursor() as cursor:  # primary key, unique constraint and the two indexes
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [expected[0]])
        assert cursor.fetchone()[0] == 4
    later = entry(site, PersonFactory(), last + timedelta(days=40))
    assert partition_of(later) == expected[1]


@postgresql_only
def test_drop_expired_partitions_drops_an_old_month_and_keeps_one_with_a_held_row(site, held_person):
    other = PersonFactory()
    entry(site, other, datetime(2020, 2, 10, 8, 0, tzinfo=UTC))
    held = entry(site, held_person, datetime(2020, 3, 5, 8, 0, tzinfo=UTC))
    entry(site, other, datetime(2020, 3, 6, 8, 0, tzinfo=UTC))
    entry(site, other, datetime(2020, 4, 10, 8, 0, tzinfo=UTC))
    kept = entry(site, other, datetime(2020, 5, 1, 8, 0, tzinfo=UTC))

    dry = partitions.drop_expired_partitions(now=NOW, dry_run=True)
    assert dry.dropped == {"screening_entry_p2020_01": 0, "screening_entry_p2020_02": 1} and dry.deleted == 2
    assert Entry.objects.count() == 5 and "screening_entry_p2020_02" in partition_names()

    result = partitions.drop_expired_partitions(now=NOW)

    assert result.dropped == {"screening_entry_p2020_01": 0, "screening_entry_p2020_02": 1}
    assert result.held == ["screening_entry_p2020_03"]
    assert result.deleted == 2  # the other row of March and the expired part of April, one by one
    names = partition_names()
    assert "screening_entry_p2020_02" not in names and {"screening_entry_p2020_03", "screening_entry_p2020_04"} <= names
    assert ids() == {held.pk, kept.pk}
    with connection.cursor() as cursor:  # detached and dropped, not left behind
        cursor.execute("SELECT to_regclass('screening_entry_p2020_02')")
        assert cursor.fetchone()[0] is None


@postgresql_only
def test_the_migration_goes_back_to_a_plain_table_and_forward_again_keeping_rows_and_ids(site):
    migration = importlib.import_module("zhengtong.screening.migrations.0002_partition_entries")
    first = entry(site, PersonFactory(), datetime(2020, 3, 10, 8, 0, tzinfo=UTC))

    def relkind():
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE oid = 'screening_entry'::regclass")
            return cursor.fetchone()[0]

    with connection.schema_editor() as editor:
        migration.unpartition(None, editor)
    assert relkind() == "r"
    second = entry(site, PersonFactory(), datetime(2020, 3, 11, 8, 0, tzinfo=UTC))
    with connection.schema_editor() as editor:
        migration.partition(None, editor)
    assert relkind() == "p"
    third = entry(site, PersonFactory(), datetime(2020, 3, 12, 8, 0, tzinfo=UTC))
    assert first.pk < second.pk < third.pk
    assert ids() == {first.pk, second.pk, third.pk}
    assert partition_of(first) == "screening_entry_p2020_03"
