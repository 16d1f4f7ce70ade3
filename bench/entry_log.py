"""The entry log's pages at many rows (issue 16 §3): a keyset page stays as fast deep in the log as
at its start, against a bare query of the same 50 rows measured in the same run (and, for contrast,
an OFFSET page as deep).

Measures, in one process against a real database with ``--rows`` entries at one site:
- baseline: the bare query of the newest 50 entries of the site with their people and areas (no
  scope, no filter, no cells);
- the keyset query alone half-way down the log (screening.logs.log_list for a site manager and
  core.keyset.keyset_page);
- the first page, and a page half-way down, as the page reads them: the query and each row's cells
  (labels translated, times in local time, the ID number as the manager sees it, decrypted);
- the same page filtered by a person (name search);
- the "more than N" count (core.keyset.count_capped, cap LOG_COUNT_CAP);
- an OFFSET page as deep as the keyset one (what the log does not do).

    .venv/bin/python bench/entry_log.py [--rows 1000000] [--repeat 50] [--sqlite]
"""

import argparse
import uuid
from datetime import timedelta
from decimal import Decimal

from common import drop_database, setup_database, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="entries at the site")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.small:
        args.rows, args.repeat = 5000, 10
    url = setup_database("zt_bench_entry_log", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        drop_database(url)


def fill(n: int, *, site, people, sqlite: bool) -> None:
    from django.utils import timezone

    from zhengtong.screening.models import Entry
    from zhengtong.tests_support.factories import fill_entries

    if not sqlite:
        fill_entries(n, site_id=site.pk, person_ids=[p.pk for p in people], days=20)
        return
    now = timezone.now()
    step = timedelta(days=20) / n
    for first in range(0, n, 20000):
        Entry.objects.bulk_create([
            Entry(client_uuid=uuid.uuid4(), site=site, person=people[i % len(people)],
                  entered_at=now - timedelta(hours=1) - step * i, temperature=Decimal("36.5"), decision="admit",
                  reason="ok", source="api")
            for i in range(first, min(n, first + 20000))
        ], batch_size=5000)


def run(args) -> None:
    import time

    from django.conf import settings
    from django.db import connection

    from zhengtong.accounts.models import Role
    from zhengtong.core.keyset import count_capped, encode_cursor, keyset_page
    from zhengtong.registry.refdata import load_reference_data
    from zhengtong.screening import logs
    from zhengtong.screening.models import Entry
    from zhengtong.tests_support.factories import PersonFactory, SiteFactory, UserFactory

    load_reference_data()
    site = SiteFactory()
    people = [PersonFactory(site=site, relation="worker") for _ in range(50)]
    manager = UserFactory(role=Role.SITE_MANAGER, site=site)
    start = time.perf_counter()
    fill(args.rows, site=site, people=people, sqlite=args.sqlite)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    filled = time.perf_counter() - start

    base_qs = Entry.objects.filter(site_id=site.pk).order_by("-entered_at", "-id")
    middle = base_qs.values_list("entered_at", "id")[args.rows // 2]
    deep_cursor = encode_cursor(middle[0], middle[1])
    size = settings.PAGE_SIZE

    def baseline():
        list(base_qs.select_related("person", "area")[:size])

    def page(cursor=None, filters=None):
        viewer = logs.Viewer(manager)
        qs = logs.log_list(user=manager, log=logs.ENTRIES, site=site, filters=filters or {})
        rows = keyset_page(qs, time_field="entered_at", cursor=cursor, size=size)
        [logs.ENTRIES.values(row, viewer) for row in rows]

    def first():
        page()

    def deep():
        page(deep_cursor)

    def deep_query():
        qs = logs.log_list(user=manager, log=logs.ENTRIES, site=site, filters={})
        keyset_page(qs, time_field="entered_at", cursor=deep_cursor, size=size)

    def by_person():
        page(filters={"q": people[7].name})

    def count():
        count_capped(logs.log_list(user=manager, log=logs.ENTRIES, site=site), settings.LOG_COUNT_CAP)

    def offset():
        list(base_qs.select_related("person", "area")[args.rows // 2:args.rows // 2 + size])

    measured = (baseline, deep_query, first, deep, by_person, count)
    for fn in (*measured, offset):  # warm up connections and caches
        timed(fn, 3)
    results = {fn.__name__: timed(fn, args.repeat) for fn in measured}
    results["offset"] = timed(offset, max(3, args.repeat // 5))
    print(f"{args.rows:,} entries at one site (filled in {filled:.1f} s), page of {size}, "
          f"database {'SQLite' if args.sqlite else 'PostgreSQL'}")
    labels = {
        "baseline": "baseline (bare query, newest 50)",
        "deep_query": "keyset query half-way down",
        "first": "page with its cells, first",
        "deep": "page with its cells, half-way",
        "by_person": "page with its cells, one person",
        "count": f"'more than {settings.LOG_COUNT_CAP:,}' count",
        "offset": "OFFSET page half-way (not used)",
    }
    for key, label in labels.items():
        print(f"  {label:<34} {summary(results[key])}")
    base = sorted(results["baseline"])[len(results["baseline"]) // 2]
    for key in ("deep_query", "first", "deep", "by_person"):
        med = sorted(results[key])[len(results[key]) // 2]
        print(f"  {key} / baseline: {med / base:.1f}x")


if __name__ == "__main__":
    main()
