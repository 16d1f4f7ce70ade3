"""Batch sync of offline gates into the database (goals: at least 100,000 check-ins/s into
PostgreSQL, and at least a third of the rate of raw psycopg COPY of the same rows).

Measured in one process, without the network: screening.sync.entries_sync (every item checked,
the rules applied again, duplicates looked up, rows stored, disagreements alerted) against a raw
psycopg COPY of the same rows into the same table, in the same run, alternately.

    .venv/bin/python bench/sync_batch.py [--batches 20] [--batch 5000] [--prefill 10000000] [--sqlite]
"""

import argparse
import time
import uuid
from datetime import timedelta

from common import drop_database, prefill_entries, setup_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--prefill", type=int, default=0,
                        help="check-ins already in the entries table before the run (PostgreSQL), e.g. 10000000")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.small:
        args.batches, args.batch, args.people, args.prefill = 2, 200, 50, 2000
    url = setup_database("zt_bench_sync", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        drop_database(url)


def run(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from zhengtong.registry.refdata import load_reference_data
    from zhengtong.screening.models import Entry, GateDevice
    from zhengtong.screening.sync import entries_sync
    from zhengtong.tests_support.factories import PersonFactory, SiteFactory

    load_reference_data()
    site = SiteFactory()
    people = [PersonFactory(site=site, relation="worker").pk for _ in range(args.people)]
    device, _key = GateDevice.issue(site=site, name="bench")
    if args.prefill and connection.vendor == "postgresql":
        took = prefill_entries(args.prefill, site_id=site.pk, person_ids=people)
        print(f"{args.prefill:,} earlier check-ins written in {took:.0f} s")
    start_at = timezone.now() - timedelta(hours=6)

    def items(n: int, offset: int) -> list[dict]:
        return [{"client_uuid": str(uuid.uuid4()), "person_id": people[(offset + i) % len(people)],
                 "temperature": "36.5", "at": (start_at + timedelta(milliseconds=offset + i)).isoformat(),
                 "gate_decision": "admit"} for i in range(n)]

    columns = ["client_uuid", "site_id", "person_id", "entered_at", "temperature", "decision", "reason", "source",
               "gate_decision", "disagreement", "left_estimated", "visit_host", "visit_purpose", "recorded_at"]

    def copy_rows(batch: list[dict]) -> None:
        now = timezone.now()
        rows = [(b["client_uuid"], site.pk, b["person_id"], b["at"], "36.5", "admit", "ok", "sync", "admit", False,
                 False, "", "", now) for b in batch]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY screening_entry ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO screening_entry ({', '.join(columns)}) VALUES ({marks})", rows)

    sync_time = copy_time = 0.0
    offset = 0
    entries_sync(device=device, items=items(100, 10**8))  # warm up
    for _ in range(args.batches):
        a, b = items(args.batch, offset), items(args.batch, offset + args.batch)
        offset += 2 * args.batch
        t = time.perf_counter()
        results = entries_sync(device=device, items=a)
        sync_time += time.perf_counter() - t
        assert all(r.status == "created" for r in results), results[:3]
        t = time.perf_counter()
        from django.db import transaction

        with transaction.atomic():
            copy_rows(b)
        copy_time += time.perf_counter() - t
    n = args.batches * args.batch
    assert Entry.objects.count() >= 2 * n
    db = connection.vendor
    sync_rate, copy_rate = n / sync_time, n / copy_time
    print(f"{args.batches} batches of {args.batch:,} check-ins into {db}, {len(people):,} people")
    print(f"  baseline (raw COPY of the same rows)   {copy_rate:10,.0f}/s")
    print(f"  entries_sync (checks, rules, alerts)   {sync_rate:10,.0f}/s")
    print(f"  ratio sync / baseline: {sync_rate / copy_rate:.0%} (goal ≥ 33%); rate goal ≥ 100,000/s: "
          f"{'met' if sync_rate >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
