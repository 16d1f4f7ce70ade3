"""Single check-ins through the gate API with every rule, from 8 concurrent gates, against a bare
Django endpoint that only inserts the same row, measured in the same run (goals: at least 1,000
check-ins/s, p99 under 20 ms, and at least 65% of the bare endpoint's rate).

The server (gunicorn, the production set-up in the README) and the load generator (8 asyncio
connections with keep-alive, one per gate) share this machine. Each endpoint is run in several rounds
taken alternately (the keep-alive connections fall on the two workers differently in each), and the
best round of each is reported, with every round's rate.

The entries table is as in production after the first nightly job: the migration makes a monthly
partition for every month since 2020 (the demo city's), and the job drops the empty ones past the
retention period (--all-partitions keeps them, as right after the migration; a check-in's look-up of
its client UUID then costs more, since a prepared statement over the partitioned table locks every
partition).

    .venv/bin/python bench/gate_api.py [--seconds 10] [--gates 8] [--workers 4] [--threads 2] [--rounds 3]
                                       [--prefill 10000000] [--all-partitions] [--sqlite]
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, drop_database, prefill_entries, setup_database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def gate(port: int, path: str, headers: str, make_body, stop_at: float, latencies: list[float], errors: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            body = json.dumps(make_body()).encode()
            request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       f"{headers}Content-Length: {len(body)}\r\n\r\n").encode() + body
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            payload = await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            status = int(status_line.split()[1])
            if status not in (200, 201):
                errors.append((status, payload[:200]))
                if len(errors) > 20:
                    return
            if b"close" in status_line.lower():
                return
    finally:
        writer.close()


def run_load(port: int, path: str, headers: str, make_body, seconds: float, gates: int) -> dict:
    latencies: list[float] = []
    errors: list = []

    async def main():
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(gate(port, path, headers, make_body, stop_at, latencies, errors) for _ in range(gates)))

    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {
        "n": n, "rate": n / elapsed, "errors": errors,
        "p50": latencies[n // 2] if n else 0, "p99": latencies[min(n - 1, int(n * 0.99))] if n else 0,
    }


def start_server(port: int, url: str, workers: int, threads: int) -> subprocess.Popen:
    env = {"DB_PREPARE_THRESHOLD": "0", **os.environ, "DATABASE_URL": url, "ZT_BENCH_ENDPOINTS": "1", "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "zhengtong.settings_bench", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "zhengtong.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--keep-alive", "30",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--gates", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of each endpoint; which worker each keep-alive connection lands on varies "
                             "from round to round, and with it the rate")
    parser.add_argument("--all-partitions", action="store_true",
                        help="keep the empty partitions the migration made (PostgreSQL), as before the nightly job")
    parser.add_argument("--prefill", type=int, default=0,
                        help="check-ins already in the entries table before the run (PostgreSQL), e.g. 10000000")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.small:
        args.seconds, args.people, args.rounds, args.prefill = 1, 50, 2, 2000
    url = setup_database("zt_bench_gate", sqlite=args.sqlite)
    server = None
    try:
        from django.db import connections
        from django.utils import timezone

        from zhengtong.registry.refdata import load_reference_data
        from zhengtong.screening.models import GateDevice
        from zhengtong.tests_support.factories import PersonFactory, SiteFactory

        load_reference_data()
        site = SiteFactory()
        people = [PersonFactory(site=site, relation="worker").pk for _ in range(args.people)]
        _device, key = GateDevice.issue(site=site, name="bench")
        if args.prefill and not args.sqlite:
            took = prefill_entries(args.prefill, site_id=site.pk, person_ids=people)
            print(f"{args.prefill:,} earlier check-ins written in {took:.0f} s")
        if not args.sqlite and not args.all_partitions:
            from zhengtong.screening.partitions import drop_expired_partitions, list_partitions

            dropped = drop_expired_partitions().dropped
            print(f"{len(dropped)} empty partitions past the retention period dropped, as the nightly job does; "
                  f"{len(list_partitions())} left")
        connections.close_all()
        port = free_port()
        server = start_server(port, url, args.workers, args.threads)
        counter = iter(range(10**9))

        def api_body():
            i = next(counter)
            return {"client_uuid": str(uuid.uuid4()), "person_id": people[i % len(people)],
                    "temperature": "36.5", "at": timezone.now().isoformat()}

        def bare_body():
            i = next(counter)
            return {"client_uuid": str(uuid.uuid4()), "person_id": people[i % len(people)], "site_id": site.pk,
                    "temperature": "36.5", "at": timezone.now().isoformat()}

        api = ("/api/gate/entries", f"Authorization: Bearer {key}\r\n", api_body)
        bare = ("/bench/bare-insert", "", bare_body)
        run_load(port, *api[:2], api[2], min(1, args.seconds), args.gates)  # warm up both
        run_load(port, *bare[:2], bare[2], min(1, args.seconds), args.gates)
        results = {"api": [], "bare": []}
        for _round in range(args.rounds):
            results["bare"].append(run_load(port, *bare[:2], bare[2], args.seconds, args.gates))
            results["api"].append(run_load(port, *api[:2], api[2], args.seconds, args.gates))
        best = {k: max(v, key=lambda r: r["rate"]) for k, v in results.items()}
        db = "SQLite" if args.sqlite else "PostgreSQL"
        print(f"{args.gates} gates, gunicorn {args.workers} workers x {args.threads} threads, {db}, "
              f"{args.seconds:g} s per round, best of {args.rounds} rounds taken alternately"
              + (f", {args.prefill:,} check-ins in the table before" if args.prefill and not args.sqlite else ""))
        for label, key_ in (("baseline (bare insert)", "bare"), ("check-ins with every rule", "api")):
            r = best[key_]
            rounds = ", ".join(f"{x['rate']:.0f}" for x in results[key_])
            print(f"  {label:27} {r['rate']:8.0f}/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  "
                  f"(n={r['n']}, errors={len(r['errors'])}; every round: {rounds}/s)")
            for status, body in r["errors"][:3]:
                print(f"    error {status}: {body!r}")
        ratio = best["api"]["rate"] / best["bare"]["rate"] if best["bare"]["rate"] else 0
        print(f"  ratio check-ins / baseline: {ratio:.0%} (goal ≥ 65%); rate goal ≥ 1,000/s: "
              f"{'met' if best['api']['rate'] >= 1000 else 'NOT met'}; p99 goal < 20 ms: "
              f"{'met' if best['api']['p99'] < 20 else 'NOT met'}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        drop_database(url)


if __name__ == "__main__":
    main()
