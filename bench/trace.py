"""Contact tracing from the gate's entries (issue 18 step 7; goals: p95 within 3× of the bare SQL query
for the same contacts, measured in the same run; on a quiet machine the API's p95 under 15 ms).

Entries over the last 30 days across N sites and M people (full: 10 million entries, 5,000 sites,
1 million people on PostgreSQL; 1 million entries on SQLite, with as many entries per site and day and
per person), loaded by COPY on PostgreSQL (the entries table's indexes built after the load),
executemany on SQLite; stays of 5 minutes to 4 hours, a tenth of them without a recorded exit (ended
at the maximum stay, estimated, as the hourly job leaves them; open within the last hours). Then
cases (a suspected case of a person with stays in the window, onset yesterday), each traced by:

* ``service``: zhengtong.outbreak.tracing.case_trace, first degree, the default parameters
  (2 days of look-back, 15 minutes), as the API calls it: scope, window, stays, overlap, names;
* ``api``: GET /api/outbreak/cases/{id}/contacts through Django's test client (middleware, token
  authentication, the access record, the JSON body), as a county officer of the case's county;
* ``baseline``: one bare SQL statement giving the same contacts (person and minutes), written out:
  the case's stays in the window, each joined with the stays at its site that meet it, read from the
  (site, time) index between its start minus the maximum stay and its end, through Django's cursor
  (the values written into the text: PostgreSQL plans it on every run); on PostgreSQL also timed
  through ``core.prepared``'s cursor, prepared once per connection as the service's statements are
  (``DB_PREPARE_THRESHOLD=0``, the production command's, which bench's settings set unless the
  environment says otherwise), and the ratios printed against both.

The three are called in turn, case after case; p50 and p95 of each are printed, with the ratios. The
first trace of every case checks that the service and the bare query find the same people with the
same minutes. The generated sites record no areas, so the bare query's "same area" is the service's.

    .venv/bin/python bench/trace.py [--entries 10000000 --sites 5000 --people 1000000] [--sqlite]
                                    [--cases 20] [--repeat 10] [--small] [--keep]
    .venv/bin/python bench/trace.py --reuse DATABASE_URL [--repeat 10]

``--keep`` keeps the loaded database (PostgreSQL) or file (SQLite) and prints its URL; ``--reuse`` times
again on it, loading nothing: two versions of the code can then be timed alternately on one load.
"""

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import drop_database, reuse_database, settle, setup_database

DAYS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=None, help="default 10,000,000 (SQLite: 1,000,000)")
    parser.add_argument("--sites", type=int, default=None, help="default 5,000 (SQLite: 500)")
    parser.add_argument("--people", type=int, default=None, help="default 1,000,000 (SQLite: 100,000)")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10, help="traces of each case by each of the three")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    parser.add_argument("--keep", action="store_true", help="keep the database (PostgreSQL, or the SQLite file) for "
                                                            "EXPLAIN or --reuse")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="time again on a database a --keep run loaded (its cases), loading nothing")
    args = parser.parse_args()
    full = (1_000_000, 500, 100_000) if args.sqlite else (10_000_000, 5_000, 1_000_000)
    if args.small:
        full, args.cases, args.repeat = (20_000, 20, 2_000), 5, 4
    args.entries = args.entries or full[0]
    args.sites = args.sites or full[1]
    args.people = args.people or full[2]
    if args.reuse:
        reuse_database(args.reuse)
        run(args)
        return
    # SQLite: a file of this run's own (the suite's small run may go on beside a full one), removed after.
    url = setup_database(f"zt_bench_trace_{os.getpid()}" if args.sqlite else "zt_bench_trace", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        if args.keep:
            print(f"database kept: {url}")
        else:
            drop_database(url)
            if args.sqlite:
                for suffix in ("", "-wal", "-shm"):
                    Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def percentile(times: list[float], p: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(p * (len(times) - 1))))]


# Loading -----------------------------------------------------------------------------------


def load(args, now: datetime) -> tuple[list[int], list[int]]:
    """Sites and people through the ORM's bulk paths, entries by COPY (PostgreSQL) or executemany."""
    from django.db import connection

    from zhengtong.registry.models import Person, Site
    from zhengtong.tests_support.factories import SiteFactory

    first = SiteFactory.create(name="场所0")
    sites = [Site(unit_id=first.unit_id, county_id=first.county_id, kind=first.kind, name=f"场所{i}",
                  name_key=f"{i:08d}") for i in range(1, args.sites)]
    site_ids = [first.pk, *(s.pk for s in Site.objects.bulk_create(sites, batch_size=2000))]
    started = time.perf_counter()
    person_columns = ("name", "id_number_hash", "claimed_hash", "id_number_masked", "id_number_encrypted", "phone",
                      "unverified", "created_at")
    created = _time_text(connection.vendor)(now)
    people = ((f"人员{i}", f"{i:064x}", "", "430***********0000", "", "", False, created) for i in range(args.people))
    _bulk(Person._meta.db_table, person_columns, people)
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    print(f"{args.people:,} people in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    if postgres:  # the nightly job drops the empty months past retention that the migration made
        from zhengtong.screening.partitions import drop_expired_partitions

        drop_expired_partitions()
    dropped = _drop_entry_indexes() if postgres else []
    _bulk("screening_entry", ENTRY_COLUMNS, _entries(args, site_ids, person_ids, now))
    loaded = time.perf_counter() - started
    for sql in dropped:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if postgres else "ANALYZE screening_entry")
    print(f"{args.entries:,} entries over {DAYS} days at {args.sites:,} sites in {loaded:.0f} s"
          f"{f', indexes built in {time.perf_counter() - started - loaded:.0f} s' if postgres else ''}")
    return site_ids, person_ids


ENTRY_COLUMNS = ("client_uuid", "site_id", "area_id", "person_id", "entered_at", "left_at", "left_estimated",
                 "temperature", "decision", "reason", "source", "gate_decision", "disagreement", "visit_host",
                 "visit_purpose", "recorded_at")


def _time_text(vendor: str):
    """A time as the database keeps it in text: ISO 8601 for PostgreSQL; for SQLite as Django writes it
    (UTC, no zone, a space before the time), which its queries compare as text."""
    if vendor == "postgresql":
        return datetime.isoformat
    return lambda t: t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _entries(args, site_ids: list[int], person_ids: list[int], now: datetime):
    """Rows as tuples of text and numbers (times as _time_text)."""
    from django.conf import settings
    from django.db import connection

    text = _time_text(connection.vendor)

    rng = random.Random(18)
    longest = timedelta(hours=settings.MAX_STAY_HOURS)
    span = DAYS * 86400
    start = now - timedelta(days=DAYS)
    recorded = text(now)
    n_sites, n_people = len(site_ids), len(person_ids)
    rand, randrange = rng.random, rng.randrange
    for i in range(args.entries):
        entered = start + timedelta(seconds=rand() * span)
        if rand() < 0.1:  # no exit recorded
            left, estimated = (entered + longest, True) if entered + longest < now else (None, False)
        else:
            left, estimated = min(entered + timedelta(seconds=300 + rand() * 14100), now), False
        yield (f"{i:032x}", site_ids[randrange(n_sites)], None, person_ids[randrange(n_people)],
               text(entered), text(left) if left else None, estimated, "36.5", "admit", "ok", "api",
               "", False, "", "", recorded)


def _bulk(table: str, columns: tuple[str, ...], rows) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        chunk: list = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 50_000:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)
                chunk = []
        if chunk:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)


def _drop_entry_indexes() -> list[str]:
    """PostgreSQL: drop the entries table's indexes that are not constraints (the (site, time) and
    (person, time) ones, whose random keys make a load slow) for the load; return the statements that
    build them again (on the partitioned table: each partition's). The primary key and the unique
    client UUID stay: the load's ids and UUIDs ascend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                       "JOIN pg_class i ON i.oid = x.indexrelid "
                       "WHERE x.indrelid = 'screening_entry'::regclass AND NOT EXISTS "
                       "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)")
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    # "ON ONLY" would make the parent's index alone (invalid until each partition's is attached).
    return [definition.replace(" ON ONLY ", " ON ") for _name, definition in indexes]


# The bare query ----------------------------------------------------------------------------


BARE_POSTGRESQL = """
WITH mine AS (
  SELECT site_id, area_id, GREATEST(entered_at, %(start)s) AS s,
         LEAST(COALESCE(left_at, entered_at + %(longest)s), %(end)s) AS e
  FROM screening_entry
  WHERE person_id = %(person)s AND (decision = 'admit' OR gate_decision = 'admit')
    AND entered_at >= %(earliest)s AND entered_at < %(end)s
)
SELECT o.person_id, SUM(EXTRACT(EPOCH FROM LEAST(o.e, m.e) - GREATEST(o.s, m.s))) / 60 AS minutes
FROM mine m JOIN LATERAL (
  SELECT x.person_id, x.area_id, x.entered_at AS s, COALESCE(x.left_at, x.entered_at + %(longest)s) AS e
  FROM screening_entry x
  WHERE x.site_id = m.site_id AND x.entered_at >= m.s - %(longest)s AND x.entered_at < m.e
    AND (x.decision = 'admit' OR x.gate_decision = 'admit')
) o ON o.e > m.s AND o.area_id IS NOT DISTINCT FROM m.area_id AND o.person_id <> %(person)s
WHERE m.e > m.s
GROUP BY o.person_id
HAVING SUM(EXTRACT(EPOCH FROM LEAST(o.e, m.e) - GREATEST(o.s, m.s))) >= %(minimum)s * 60
ORDER BY minutes DESC, o.person_id
"""

# SQLite keeps times as text (YYYY-MM-DD HH:MM:SS[.ffffff], UTC): bounds are compared as text, lengths
# computed with julianday.
BARE_SQLITE = """
WITH mine AS (
  SELECT site_id, area_id, MAX(entered_at, %(start)s) AS s,
         MIN(COALESCE(left_at, datetime(entered_at, %(longest)s)), %(end)s) AS e
  FROM screening_entry
  WHERE person_id = %(person)s AND (decision = 'admit' OR gate_decision = 'admit')
    AND entered_at >= %(earliest)s AND entered_at < %(end)s
)
SELECT x.person_id,
       SUM(julianday(MIN(COALESCE(x.left_at, datetime(x.entered_at, %(longest)s)), m.e))
           - julianday(MAX(x.entered_at, m.s))) * 1440 AS minutes
FROM mine m JOIN screening_entry x
  ON x.site_id = m.site_id AND x.entered_at >= datetime(m.s, %(back)s) AND x.entered_at < m.e
 AND (x.decision = 'admit' OR x.gate_decision = 'admit') AND x.area_id IS m.area_id AND x.person_id <> %(person)s
 AND COALESCE(x.left_at, datetime(x.entered_at, %(longest)s)) > m.s
WHERE m.e > m.s
GROUP BY x.person_id
HAVING minutes >= %(minimum)s
ORDER BY minutes DESC, x.person_id
"""


def bare_contacts(person_id: int, start: datetime, end: datetime, minimum: int, *,
                  prepared: bool = False) -> list[tuple[int, float]]:
    """The bare statement's contacts, through Django's cursor (the values written into the text, planned
    on every run) or, with ``prepared``, through the cursor the service's statements use
    (``core.prepared``: bound on the server, planned once per connection where DB_PREPARE_THRESHOLD is
    set, as the production command and this benchmark set it)."""
    from django.conf import settings
    from django.db import connection

    from zhengtong.core.prepared import prepared_cursor

    longest = timedelta(hours=settings.MAX_STAY_HOURS)
    if connection.vendor == "postgresql":
        sql, params = BARE_POSTGRESQL, {"person": person_id, "start": start, "end": end, "earliest": start - longest,
                                        "longest": longest, "minimum": minimum}
    else:
        def text(t: datetime) -> str:
            return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

        hours = settings.MAX_STAY_HOURS
        sql, params = BARE_SQLITE, {"person": person_id, "start": text(start), "end": text(end),
                                    "earliest": text(start - longest), "longest": f"+{hours} hours",
                                    "back": f"-{hours} hours", "minimum": minimum}
    with (prepared_cursor() if prepared else connection.cursor()) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The run -----------------------------------------------------------------------------------


def run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from zhengtong.accounts.models import Role
    from zhengtong.outbreak import tracing
    from zhengtong.outbreak.models import Case, CaseStatus
    from zhengtong.registry.models import Person, Site
    from zhengtong.registry.refdata import load_reference_data
    from zhengtong.screening.models import Entry
    from zhengtong.tests_support.factories import UserFactory, token_for

    params = tracing.Params()
    if args.reuse:
        from django.contrib.auth import get_user_model

        officer = get_user_model().objects.get(username="bench_officer")
        cases = list(Case.objects.order_by("pk"))
        onset = cases[0].onset_date
        now = timezone.now()
        args.entries = Entry.objects.count()
        args.sites, args.people = Site.objects.count(), Person.objects.count()
    else:
        load_reference_data()
        now = timezone.now().replace(microsecond=0)
        site_ids, _person_ids = load(args, now)
        county = Site.objects.get(pk=site_ids[0]).county
        officer = UserFactory.create(username="bench_officer", role=Role.COUNTY_OFFICER, region=county)
        onset = timezone.localdate(now) - timedelta(days=1)
        rng = random.Random(7)
        window_start = now - timedelta(days=params.lookback_days + 1)
        recent = list(Entry.objects.filter(entered_at__gte=window_start).order_by()
                      .values_list("person_id", flat=True)[:50_000])
        chosen = rng.sample(sorted(set(recent)), min(args.cases, len(set(recent))))
        cases = [Case.objects.create(person_id=pid, county=county, status=CaseStatus.SUSPECTED, onset_date=onset,
                                     reported_by=officer) for pid in chosen]
    token = token_for(officer)
    print(f"{len(cases)} cases (onset {onset}, look-back {params.lookback_days} days, at least "
          f"{params.min_overlap_minutes} min), each traced {args.repeat} times by each path; "
          f"{connection.vendor}; load average before the runs {os.getloadavg()[0]:.1f}")

    times: dict[str, list[float]] = {"service": [], "api": [], "baseline": [], "prepared": [], "floor": []}
    contacts = []
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    query = (f"?min_overlap_minutes={params.min_overlap_minutes}&lookback_days={params.lookback_days}"
             "&degree=1")
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False):
        for case in cases:  # once each, unmeasured: the same contacts by the service, the API and the bare query
            result = tracing.case_trace(user=officer, case=case, params=params, now=now)
            found = {c.person_id: c.overlap_minutes for c in result.contacts}
            bare = {pid: int(minutes) for pid, minutes in bare_contacts(case.person_id, result.start, result.end,
                                                                         params.min_overlap_minutes)}
            # The same people with the same whole minutes; SQLite's julianday may round a minute either way.
            assert set(found) ^ set(bare) <= {pid for pid, m in {**found, **bare}.items()
                                              if abs(m - params.min_overlap_minutes) <= 1}, (case.pk, found, bare)
            assert all(abs(found[pid] - bare[pid]) <= 1 for pid in set(found) & set(bare)), (case.pk, found, bare)
            response = client.get(f"/api/outbreak/cases/{case.pk}/contacts{query}", secure=True)
            assert response.status_code == 200, response.content[:500]
            contacts.append(len(found))
        settle()  # as the served process after start-up (zhengtong/wsgi.py)
        for _ in range(args.repeat):
            for case in cases:
                t = time.perf_counter()
                result = tracing.case_trace(user=officer, case=case, params=params, now=now)
                times["service"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                response = client.get(f"/api/outbreak/cases/{case.pk}/contacts{query}", secure=True)
                times["api"].append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
                t = time.perf_counter()
                bare_contacts(case.person_id, result.start, result.end, params.min_overlap_minutes)
                times["baseline"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                bare_contacts(case.person_id, result.start, result.end, params.min_overlap_minutes, prepared=True)
                times["prepared"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()  # for context: any API answer's own cost (token, roles, JSON)
                assert client.get("/api/me", secure=True).status_code == 200
                times["floor"].append((time.perf_counter() - t) * 1000)

    print(f"{args.entries:,} entries, {args.sites:,} sites, {args.people:,} people; contacts per case: median "
          f"{statistics.median(contacts):g}, most {max(contacts)}; maximum stay {settings.MAX_STAY_HOURS:g} h")
    p95 = {}
    prepared = (connection.vendor == "postgresql"
                and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None)
    for name, label in (("baseline", "baseline (bare SQL, same contacts)"),
                        ("prepared", "the bare SQL prepared" if prepared else ""),
                        ("service", "tracing.case_trace"), ("api", "GET /api/outbreak/…/contacts"),
                        ("floor", "GET /api/me (no trace: the floor)")):
        if not label:  # SQLite, or preparing turned off: the same cursor as the baseline's
            continue
        values = times[name]
        p95[name] = percentile(values, 0.95)
        print(f"  {label:38} p50 {percentile(values, 0.5):7.2f} ms   p95 {p95[name]:7.2f} ms   (n={len(values)})")
    for name in ("service", "api"):
        ratio = p95[name] / p95["baseline"]
        print(f"  p95 ratio {name} / baseline: {ratio:.1f}× (goal ≤ 3×: {'met' if ratio <= 3 else 'NOT met'})")
        if prepared:  # the stricter reading: the bare statement spared its planning as the service's are
            ratio = p95[name] / p95["prepared"]
            print(f"  p95 ratio {name} / the bare SQL prepared: {ratio:.1f}× "
                  f"({'within' if ratio <= 3 else 'NOT within'} 3×)")
    print(f"  API p95 {p95['api']:.1f} ms (goal < 15 ms on a quiet machine: "
          f"{'met' if p95['api'] < 15 else 'NOT met'}; load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
