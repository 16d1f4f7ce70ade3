"""Shared set-up for the benchmarks: a throwaway database (PostgreSQL by default, the one the
product runs on in production), migrated, with Django configured. Figures are printed with a
baseline measured in the same run; no benchmark asserts an absolute time."""

import fcntl
import hashlib
import logging
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


def reuse_database(url: str) -> None:
    """Point Django at a database a ``--keep`` run loaded (``--reuse URL``), loading nothing, so that
    two versions of the code are timed alternately on one load."""
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="zhengtong.settings_bench")
    import django

    django.setup()


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


# Pages against their bare pages (bench/lists.py, bench/resumption.py) ------------------------------


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def listing_statements(response) -> list[tuple[str, tuple]]:
    """The SQL of the rows a list page shows: its own queryset (scope, filters, order, annotations),
    sliced to the page (``listing``, or Django's ``page`` over the queryset)."""
    from django.core.exceptions import EmptyResultSet

    listing = response.context.get("listing")
    if listing is not None:
        page = listing.page
        qs = listing.rows[(page.number - 1) * page.size: page.number * page.size]
    elif getattr(response.context["page"], "source", None) is not None:  # core.listing.page_of
        page = response.context["page"]
        qs = page.source[(page.number - 1) * page.size: page.number * page.size]
    else:
        page = response.context["page"]
        qs = page.paginator.object_list[page.start_index() - 1: page.end_index()]
    try:
        return [qs.query.sql_with_params()]
    except EmptyResultSet:  # a scope that holds none of these rows: no query at all
        return []


def settle() -> None:
    """Put what the process holds so far out of the garbage collector's sight, as zhengtong/wsgi.py does
    after start-up (``gc.freeze()``): without it a full collection walks the whole benchmark's heap
    (its load, Django's start-up) and lands on one request in a few as 100-150 ms that the served
    process does not pay (the city's resumption overview: p50 108 ms, p95 215-231 ms before)."""
    import gc

    gc.collect()
    gc.freeze()


FRAME = "(frame: base.html alone)"


def time_pages(accounts, cases, *, repeat: int, statements,
               frame: bool = False) -> list[tuple[str, str, list[float], list[float]]]:
    """For each account (username) and each case (name, url): the page's server time in this process
    (Django's test client: middleware, view, queries, template; no network), ``repeat`` times, and in
    the same run the bare page: the same middleware and login, running ``statements(response, captured)``
    (the SQL of what the page shows) through a cursor and writing the rows out, without the ORM's
    objects or the templates. A page that is not one of the account's (403, 404, a redirect) is left
    out. Returns (account, case, page times, bare times), in milliseconds.

    With ``frame``, first for each account the product's frame alone (``FRAME``): a page that renders
    base.html with nothing in it (the navigation with its counts, the language switch, the CSRF token),
    against the bare page of no rows: what any page of the product costs before its own content, the
    floor of a list that shows none."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )
    from django.urls import clear_url_caches, path

    import zhengtong.urls as product_urls

    bare_sql: dict[str, list[tuple[str, tuple]]] = {}

    def bare(request, key):
        if not request.user.is_authenticated:
            return HttpResponse(status=403)
        body = []
        with connection.cursor() as cursor:
            for sql, params in bare_sql[key]:
                cursor.execute(sql, params)
                body += ["<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in cursor.fetchall()]
        return HttpResponse(f"<table>{''.join(body)}</table>")

    from django.template import engines

    frame_template = engines["django"].from_string('{% extends "base.html" %}{% block title %}—{% endblock %}')

    def frame_page(request):
        if not request.user.is_authenticated:
            return HttpResponse(status=403)
        return HttpResponse(frame_template.render({}, request))

    class Urls:
        urlpatterns = [path("bench/bare/<str:key>/", bare), path("bench/frame/", frame_page),
                       *product_urls.urlpatterns]

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s of pages not for an account
    settle()
    results = []
    with override_settings(ROOT_URLCONF=Urls, DEBUG=False, ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        clear_url_caches()
        for username in accounts:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            if frame:
                bare_sql[f"{username}-frame"] = []
                assert client.get("/bench/frame/", secure=True).status_code == 200
                results.append((username, FRAME, timed(lambda c=client: c.get("/bench/frame/", secure=True), repeat),
                                timed(lambda c=client, u=f"/bench/bare/{username}-frame/": c.get(u, secure=True),
                                      repeat)))
            for name, url in cases:
                setup_test_environment()  # the first answer keeps its context (the rows it shows)
                try:
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(url, secure=True)
                finally:
                    teardown_test_environment()
                if response.status_code in (302, 403, 404):  # not a page of this account
                    continue
                assert response.status_code == 200, (username, url, response.status_code)
                key = f"{username}-{len(bare_sql)}"
                bare_sql[key] = statements(response, captured)
                page_times = timed(lambda c=client, u=url: c.get(u, secure=True), repeat)
                bare_url = f"/bench/bare/{key}/"
                assert client.get(bare_url, secure=True).status_code == 200
                bare_times = timed(lambda c=client, u=bare_url: c.get(u, secure=True), repeat)
                results.append((username, name, page_times, bare_times))
        clear_url_caches()
    reset_queries()
    return results


def print_page_ratios(results, *, what: str = "page") -> None:
    """The table of p50 and p95 of each page and its bare page, the p95 ratio (goal: at most 3×)."""
    p = percentile
    print(f"\n{'account':<9} {what:<28} {'page p50':>9} {'p95':>8} {'bare p50':>9} {'p95':>8} {'p95 ratio':>9}")
    worst = 0.0
    for username, name, page_times, bare_times in results:
        ratio = p(page_times, 0.95) / p(bare_times, 0.95)
        if name != FRAME:
            worst = max(worst, ratio)
        flag = "" if ratio <= 3 else "  > 3x"
        print(f"{username:<9} {name:<28} {p(page_times, .5):8.1f}ms {p(page_times, .95):7.1f}ms "
              f"{p(bare_times, .5):8.1f}ms {p(bare_times, .95):7.1f}ms {ratio:8.1f}x{flag}")
    print(f"\nworst p95 ratio (page / bare): {worst:.1f}x (goal: at most 3x); "
          f"slowest page p95: {max(p(r[2], .95) for r in results if r[1] != FRAME):.0f} ms")
