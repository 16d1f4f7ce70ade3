"""Shared set-up for the benchmarks: a throwaway database (PostgreSQL by default, the one the
product runs on in production), migrated, with Django configured. Figures are printed with a
baseline measured in the same run; no benchmark asserts an absolute time."""

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.getenv("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def setup_database(name: str, *, sqlite: bool = False) -> str:
    """Create a fresh database, point Django at it, migrate; return its URL."""
    if sqlite:
        path = Path("/tmp") / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        db = f"{name}_{uuid.uuid4().hex[:6]}"
        subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-qc", f'CREATE DATABASE "{db}"'], check=True)
        url = f"{PG_ADMIN_URL}/{db}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings_bench"  # production's, with keys of its own
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    if url.startswith("postgres"):
        db = url.rsplit("/", 1)[1]
        subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'],
                       check=False)


def timed(fn, repeat: int) -> list[float]:
    """Wall times of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"median {statistics.median(times):.3f} ms, p99 {p99:.3f} ms (n={len(times)})"


def prefill_entries(n: int, *, site_id: int, person_ids: list[int], days: int = 20) -> float:
    """Put ``n`` earlier check-ins of the site's people in the entries table (spread over the last
    ``days`` days, so within the retention period and across monthly partitions), then ANALYZE it, as
    a table that has grown would be (zhengtong.tests_support.factories.fill_entries); returns the seconds it took."""
    from zhengtong.tests_support.factories import fill_entries

    start = time.perf_counter()
    fill_entries(n, site_id=site_id, person_ids=person_ids, days=days)
    return time.perf_counter() - start
