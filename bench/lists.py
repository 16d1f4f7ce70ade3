"""Every list page and search, per demo account, against a bare query of the same rows (issue 16 §8).

Loads the demo city ten times over (``zhengtong demo --units 50000 --sites 3000``, and 40,000 people:
the demo's pool of invented ID numbers runs out before 60,000),
then, for each demo account and each list (units, sites, people, departments, applications,
permits, campaign progress, the screening overview) and each search (a short one and a 1,000-
character one on units, sites and people), times the page's server time in this process (Django's
test client: middleware, view, queries, template; no network) and, in the same run, a bare page of
the same rows: a view behind the same middleware and login that runs the page's own SQL for the rows
it shows (the same scope, filter, order and LIMIT) through a cursor and writes them out, without the
count, the ORM's objects or the templates. Prints p50 and p95 of each, and the ratio of the p95s
(the goal: at most 3×; the absolute times should be well under 300 ms on a quiet machine). For each
account first, for context, the product's frame alone (base.html with nothing in it: navigation and
its counts, language switch, CSRF token) against the bare page of no rows: the floor of a list that
shows none. Then the cost of a unit with thousands of other-industry codes against one with a few
(refused at the limit).

    .venv/bin/python bench/lists.py [--scale 10] [--repeat 30] [--sqlite] [--small] [--keep]
    .venv/bin/python bench/lists.py --reuse DATABASE_URL [--repeat 30]

``--keep`` keeps the loaded city and prints its URL; ``--reuse`` times again on it, loading nothing (the
city at ten times takes minutes to load).
"""

import argparse
import random
import statistics
import sys
import time

from common import drop_database, listing_statements, print_page_ratios, reuse_database, setup_database, time_pages
from common import percentile as p

PAGES = [
    ("units", "registry:unit_list", ""),
    ("sites", "registry:site_list", ""),
    ("people", "registry:person_list", ""),
    ("departments", "registry:department_list", ""),
    ("applications", "permits:applications", "status="),
    ("permits", "permits:permits", ""),
    ("campaign", "permits:campaign", ""),
    ("screening", "screening:site_list", ""),
    ("units sorted", "registry:unit_list", "sort=-county"),
    ("sites sorted", "registry:site_list", "sort=-capacity"),
    ("people sorted", "registry:person_list", "sort=-created"),
]
SEARCHES = ["registry:unit_list", "registry:site_list", "registry:person_list"]
SHORT = "衡阳"
PEOPLE_POOL = 40_000


def long_query(rng: random.Random) -> str:
    """1,000 characters of two- and three-character words, as a paste into a search box gives."""
    chars = "衡阳南岳耒常宁祁东蒸湘珠晖雁峰石鼓县区市镇乡村厂公司场所车间监区"
    words = []
    while sum(len(w) + 1 for w in words) < 1000:
        words.append("".join(rng.choice(chars) for _ in range(rng.choice((2, 3)))))
    return " ".join(words)[:1000]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=10.0, help="times the default demo city (default 10)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="the suite's size: a tiny city, a few requests")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="time again on a database a --keep run loaded, loading nothing")
    args = parser.parse_args()
    args.accounts = None
    if args.reuse:
        reuse_database(args.reuse)
        run(args)
        return
    if args.small:  # the suite's run: three accounts, one timed request each
        args.scale, args.repeat, args.accounts = 0.004, 1, ("admin", "county", "clerk")

    url = setup_database("bench_lists", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        if not args.keep:
            drop_database(url)
        else:
            print(f"database kept: {url}")


def load(args) -> None:
    from datetime import date

    from django.db import connection

    from zhengtong.registry import demo

    units = max(20, round(demo.DEFAULT_UNITS * args.scale))
    sites = max(3, round(demo.DEFAULT_SITES * args.scale))
    # The demo's pool of invented ID numbers (its birth years and suffixes) runs out before 60,000
    # people: ten times the units and sites, and as many people as the pool gives.
    people = max(60, min(PEOPLE_POOL, round(demo.DEFAULT_PEOPLE * args.scale)))
    started = time.perf_counter()
    try:
        demo.load_demo(units=units, sites=sites, people=people, today=date.today())
    except demo.DemoError as e:  # the ID number pool: load the demo's own number of people
        print(f"{e} ({people:,}): loading {demo.DEFAULT_PEOPLE:,}")
        people = min(people, demo.DEFAULT_PEOPLE)
        demo.load_demo(units=units, sites=sites, people=people, today=date.today())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # statistics, and the visibility map of index-only scans
            cursor.execute("VACUUM ANALYZE")  # (autovacuum is off on this machine)
    print(f"demo city: {units:,} units, {sites:,} sites, {people:,} people "
          f"({connection.vendor}, loaded in {time.perf_counter() - started:.0f} s)")


def run(args) -> None:
    from django.conf import settings
    from django.urls import reverse

    from zhengtong.registry import demo

    if not args.reuse:
        load(args)
    rng = random.Random(16)
    long = long_query(rng)
    cases = [(name, reverse(route), query) for name, route, query in PAGES]
    cases += [(f"search {reverse(route).strip('/').split('/')[-1]} short", reverse(route), f"q={SHORT}")
              for route in SEARCHES]
    cases += [(f"search {reverse(route).strip('/').split('/')[-1]} 1000 chars", reverse(route), f"q={long}")
              for route in SEARCHES]
    results = time_pages(args.accounts or demo.DEMO_USERNAMES,
                         [(name, f"{url}?{query}" if query else url) for name, url, query in cases],
                         repeat=args.repeat, statements=lambda response, _captured: listing_statements(response),
                         frame=True)
    print_page_ratios(results, what="list")
    for username in ("admin", "county"):
        for route in SEARCHES:
            label = reverse(route).strip("/").split("/")[-1]
            short = next(r for r in results if r[0] == username and r[1] == f"search {label} short")
            longer = next(r for r in results if r[0] == username and r[1] == f"search {label} 1000 chars")
            print(f"search {label:<7} as {username:<7}: 1,000 characters p95 {p(longer[2], .95):.1f} ms, "
                  f"short p95 {p(short[2], .95):.1f} ms ({p(longer[2], .95) / p(short[2], .95):.2f}x)")
    other_industries(args)
    print("baseline: a bare page of the same rows, measured in the same run")
    settings.DEBUG = False


def other_industries(args) -> None:
    """A unit with thousands of other-industry codes is refused at the limit, at once; one with a few is
    created. Times of each."""
    from django.contrib.auth import get_user_model

    from zhengtong.core.errors import DomainError
    from zhengtong.registry import services
    from zhengtong.registry.models import Industry, Unit
    from zhengtong.tests_support.codes import make_uscc

    admin = get_user_model().objects.get(username="admin")
    codes = list(Industry.objects.filter(level=Industry.Level.CLASS).values_list("code", flat=True))

    def fresh_uscc() -> str:  # a code no unit holds (a --reuse run's database holds the last run's)
        code = make_uscc("430422")
        while Unit.objects.filter(uscc=code).exists():
            code = make_uscc("430422")
        return code

    def create(others: list[str]) -> tuple[float, str]:
        data = {"uscc": fresh_uscc(), "name": f"测试单位{random.random()}", "kind": "enterprise",
                "county": "430422", "industry": "3011", "other_industries": ", ".join(others)}
        start = time.perf_counter()
        try:
            services.unit_create(user=admin, data=data)
            outcome = "created"
        except DomainError as e:
            outcome = f"refused: {e.errors}"
        return (time.perf_counter() - start) * 1000, outcome

    few = [create(codes[:3]) for _ in range(max(3, args.repeat // 5))]
    many = [create(codes) for _ in range(max(3, args.repeat // 5))]
    print(f"\nunit with 3 other industries: median {statistics.median(t for t, _ in few):.1f} ms ({few[0][1]}); "
          f"with {len(codes):,}: median {statistics.median(t for t, _ in many):.1f} ms ({many[0][1][:120]})")


if __name__ == "__main__":
    sys.exit(main())
