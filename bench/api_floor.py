"""The fixed cost of a token-authenticated API request, counted without a clock (issue 18's API goal:
a trace's answer within 3× of its bare SQL; what is left above the trace is the cost any API answer
pays). For ``GET /api/me`` (the floor: the token, the roles, a small body) and ``GET
/api/outbreak/cases/{id}/contacts`` (a trace) with ``Authorization: Bearer …``, through Django's test
client as bench/trace.py calls them:

* the Python function calls of one request (cProfile's count, builtins included), which the load of
  the machine does not change;
* its SQL statements, each shown;
* where the calls go: for each function, the calls made inside it (itself included: an inclusive
  count, from a profile hook), the largest first, and the calls by package.

    .venv/bin/python bench/api_floor.py [--sqlite] [--top 40]
    .venv/bin/python bench/api_floor.py --reuse DATABASE_URL    # a database bench/trace.py --keep loaded

Without ``--reuse`` a small trace database is loaded first (bench/trace.py's loader: 20,000 entries, 20
sites, 2,000 people) and dropped after.
"""

import argparse
import cProfile
import os
import pstats
import sys
from collections import Counter, defaultdict
from pathlib import Path

from common import drop_database, reuse_database, setup_database


def counter_main(doc: str, name: str, loaded_by: str, load, run) -> None:
    """The command line of a call counter (this one and bench/page_floor.py): ``--reuse URL`` counts on
    a database ``loaded_by``'s ``--keep`` run loaded; otherwise ``load()`` fills a fresh one, dropped after."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help=f"a database {loaded_by} --keep loaded")
    parser.add_argument("--top", type=int, default=40, help="functions shown by inclusive calls")
    parser.add_argument("--quiet", action="store_true", help="the counts only")
    parser.add_argument("--small", action="store_true", help="the suite's run: the same small database (this "
                                                              "benchmark counts calls; its size is small already)")
    args = parser.parse_args()
    if args.reuse:
        reuse_database(args.reuse)
        run(args)
        return
    url = setup_database(f"zt_bench_{name}_{os.getpid()}" if args.sqlite else f"zt_bench_{name}", sqlite=args.sqlite)
    try:
        load()
        run(args)
    finally:
        drop_database(url)


def main() -> None:
    counter_main(__doc__, "api_floor", "bench/trace.py", _load_small, run)


def _load_small() -> None:
    """bench/trace.py's small load (its module is named like the standard library's trace: read by path)."""
    import importlib.util
    from types import SimpleNamespace

    from django.utils import timezone

    from zhengtong.accounts.models import Role
    from zhengtong.outbreak.models import Case, CaseStatus
    from zhengtong.registry.models import Site
    from zhengtong.registry.refdata import load_reference_data
    from zhengtong.screening.models import Entry
    from zhengtong.tests_support.factories import UserFactory

    spec = importlib.util.spec_from_file_location("bench_trace", Path(__file__).with_name("trace.py"))
    assert spec is not None and spec.loader is not None
    bench_trace = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_trace)
    load_reference_data()
    now = timezone.now().replace(microsecond=0)
    site_ids, _people = bench_trace.load(SimpleNamespace(entries=20_000, sites=20, people=2_000), now)
    county = Site.objects.get(pk=site_ids[0]).county
    officer = UserFactory.create(username="bench_officer", role=Role.COUNTY_OFFICER, region=county)
    person_id = Entry.objects.filter(entered_at__gte=now - timezone.timedelta(days=2)).values_list(
        "person_id", flat=True).first()
    Case.objects.create(person_id=person_id, county=county, status=CaseStatus.SUSPECTED,
                        onset_date=timezone.localdate(now) - timezone.timedelta(days=1), reported_by=officer)


class Inclusive:
    """A profile hook counting, for every function, the calls made while it runs (its own included),
    Python and C alike, as cProfile counts them."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.own: Counter = Counter()
        self.stack: list = []
        self.on_stack: Counter = Counter()

    @staticmethod
    def key(frame, event: str, arg) -> str:
        if event.startswith("c_"):
            module = getattr(arg, "__module__", None) or type(getattr(arg, "__self__", None)).__name__
            return f"<{module}>.{getattr(arg, '__qualname__', repr(arg))}"
        code = frame.f_code
        return f"{_short(code.co_filename)}:{code.co_firstlineno}({code.co_qualname})"

    def __call__(self, frame, event: str, arg) -> None:
        if event in ("call", "c_call"):
            key = self.key(frame, event, arg)
            self.own[key] += 1
            self.stack.append(key)
            self.on_stack[key] += 1
            for k in self.on_stack:  # keys still on the stack (a count of 0 is removed below)
                self.calls[k] += 1
        elif event in ("return", "c_return", "c_exception") and self.stack:
            key = self.stack.pop()
            self.on_stack[key] -= 1
            if not self.on_stack[key]:
                del self.on_stack[key]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/lib/python3.11/", str(Path(__file__).resolve().parent.parent) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _package(key: str) -> str:
    """The package a function's calls are counted under: zhengtong's module, a library's subpackage."""
    if key.startswith("<"):
        return "builtins (C)"
    path = key.split(":", 1)[0].removesuffix(".py").split("/")
    depth = 3 if path[0] in ("zhengtong", "django") else 2
    return ".".join(path[:depth])


def measure(client, url: str, args, label: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm: the first calls build caches (url resolvers, schemas, the token's touch)
        assert client.get(url, secure=True).status_code == 200
    profile = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profile.enable()
        response = client.get(url, secure=True)
        profile.disable()
    assert response.status_code == 200, response.content[:300]
    total = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    print(f"\n{label}: {total:,} Python function calls (cProfile), {len(queries.captured_queries)} statements, "
          f"{len(response.content):,} bytes")
    for q in queries.captured_queries:
        print(f"    SQL {q['sql'][:150]}")
    if args.quiet:
        return total
    hook = Inclusive()
    sys.setprofile(hook)
    try:
        client.get(url, secure=True)
    finally:
        sys.setprofile(None)
    print(f"  by function, calls made inside it (inclusive), the largest {args.top}:")
    for key, n in hook.calls.most_common(args.top):
        print(f"    {n:7,}  {key}")
    packages: dict[str, int] = defaultdict(int)
    for key, n in hook.own.items():
        packages[_package(key)] += n
    print("  by package (each call counted once, where it is made):")
    for name, n in sorted(packages.items(), key=lambda item: -item[1])[:25]:
        print(f"    {n:7,}  {name}")
    return total


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from zhengtong.outbreak.models import Case
    from zhengtong.tests_support.factories import token_for

    officer = get_user_model().objects.get(username="bench_officer")
    case = Case.objects.order_by("pk").first()
    assert case is not None
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(officer, name='api_floor')}")
    print(f"{connection.vendor}; one request each after three unmeasured ones")
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False):
        me = measure(client, "/api/me", args, "GET /api/me")
        trace = measure(client, f"/api/outbreak/cases/{case.pk}/contacts?min_overlap_minutes=15&lookback_days=2"
                                "&degree=1", args, f"GET /api/outbreak/cases/{case.pk}/contacts")
    print(f"\ncalls: /api/me {me:,}; trace {trace:,}")


if __name__ == "__main__":
    main()
