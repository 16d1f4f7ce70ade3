"""Shared set-up for the benchmarks: a throwaway database (PostgreSQL by default, the one the
product runs on in production), migrated, with Django configured. Figures are printed with a
baseline measured in the same run; no benchmark asserts an absolute time."""

import fcntl
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.getenv("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def cloned_database(db: str) -> None:
    """A PostgreSQL database named ``db``, cloned from the migrated template (for a run of its own)."""
    key = _migrations_key()
    with open(f"/tmp/{TEMPLATE_PREFIX}{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _psql(f'CREATE DATABASE "{db}" TEMPLATE "{_template(key, sqlite=False)}"')


def setup_database(name: str, *, sqlite: bool = False) -> str:
    """Create a fresh database, migrated, and point Django at it; return its URL. The database is a
    copy of a migrated template (``_template``), made once per state of the migrations and kept on the
    machine: a benchmark does not pay for running every migration again."""
    key = _migrations_key()
    with open(f"/tmp/{TEMPLATE_PREFIX}{key}.lock", "w") as lock:  # the suite runs benchmarks side by side
        fcntl.flock(lock, fcntl.LOCK_EX)
        template = _template(key, sqlite=sqlite)
        if sqlite:
            path = Path("/tmp") / f"{name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(template, path)
            url = f"sqlite:///{path}"
        else:
            db = f"{name}_{uuid.uuid4().hex[:6]}"
            _psql(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
            url = f"{PG_ADMIN_URL}/{db}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings_bench"  # production's, with keys of its own
    import django

    django.setup()
    return url


TEMPLATE_PREFIX = "zt_bench_template_"


def _migrations_key() -> str:
    """A digest of Django's version and of every file a migration reads (the migrations, the reference
    data they load) or its signal writes from (the jobs' schedules): any change makes a new template."""
    import django

    digest = hashlib.sha256(django.get_version().encode())
    files = [*ROOT.glob("zhengtong/*/migrations/*.py"), *ROOT.glob("zhengtong/*/data/**/*"),
             *ROOT.glob("zhengtong/*/jobs.py"), ROOT / "zhengtong/core/scheduling.py"]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _template(key: str, *, sqlite: bool) -> str:
    """The migrated template of this state of the migrations (a PostgreSQL database's name, or an
    SQLite file's path), made when missing (the caller holds the lock) by ``migrate`` in a process of
    its own; the templates of other states are dropped then."""
    name = f"{TEMPLATE_PREFIX}{key}"
    if sqlite:
        path = Path("/tmp") / f"{name}.sqlite3"
        if not path.exists():
            building = path.with_suffix(".building")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            building.rename(path)
            for old in Path("/tmp").glob(f"{TEMPLATE_PREFIX}*.sqlite3"):
                if old != path:
                    old.unlink(missing_ok=True)
        return str(path)
    exists = subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-tAc",
                             f"SELECT datname FROM pg_database WHERE datname LIKE '{TEMPLATE_PREFIX}%'"],
                            check=True, capture_output=True, text=True).stdout.split()
    if name not in exists:
        for old in exists:
            _psql(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        _psql(f'CREATE DATABASE "{name}_building"')
        try:
            _migrate(f"{PG_ADMIN_URL}/{name}_building")
        except BaseException:
            _psql(f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
            raise
        _psql(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
    return name


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "zhengtong.settings_bench"}
    subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.core.management import "
                    "call_command; call_command('migrate', verbosity=0)"], env=env, cwd=ROOT, check=True)


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-qc", sql], check=True)


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    if url.startswith("postgres"):
        db = url.rsplit("/", 1)[1]
        subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'],
                       check=False)
    elif url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


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
