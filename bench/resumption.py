"""Resumption at the city's size (issue 19): 50,000 declarations and 100,000 difficulties.

Loads the demo city small (its accounts, counties and departments), then writes, in bulk, 55,000
generated enterprises across the counties, a declaration for 50,000 of them (stages for most: the
construction, partial and full resumption, capacity and dates spread over the last weeks) and 100,000
difficulties routed over the demo's departments in every state (the department officer's own department
gets its share: its inbox). Then, for the county officer, the city administrator and the department
officer, times each resumption page's (the department's inbox among them) server time in this process
(Django's test client: middleware, view, queries, template; no network) and, in the same run, a bare
page of the same rows behind the same middleware and login: for a list, the page's own SQL for the rows
it shows (scope, filter, order and LIMIT); for the overview, the page's own aggregate statements (the
rates by county and by industry division with their trend). Prints p50 and p95 of each and the ratio of
the p95s (the goal: at most 3×; on a quiet machine each page under 200 ms).

    .venv/bin/python bench/resumption.py [--declarations 50000] [--difficulties 100000] [--repeat 20]
                                         [--sqlite] [--small] [--keep]
    .venv/bin/python bench/resumption.py --reuse DATABASE_URL [--repeat 20]

``--keep`` keeps the loaded database and prints its URL; ``--reuse`` times again on it, loading nothing: two
versions of the code can then be timed alternately on one load (the load's dates are the day it was loaded).
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta

from common import drop_database, listing_statements, print_page_ratios, reuse_database, setup_database, time_pages

PAGES = [  # (name, route, query)
    ("overview (rates)", "resumption:overview", ""),
    ("units (county overview)", "resumption:units", ""),
    ("units behind plan", "resumption:units", "show=behind"),
    ("difficulties", "resumption:difficulty_list", ""),
    ("difficulties overdue", "resumption:difficulty_list", "status=overdue"),
    ("inbox", "resumption:inbox", ""),
]
ACCOUNTS = ("county", "admin", "dept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--declarations", type=int, default=50_000)
    parser.add_argument("--difficulties", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="the suite's size: a few hundred rows, one request")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="time again on a database a --keep run loaded, loading nothing")
    args = parser.parse_args()
    if args.reuse:
        reuse_database(args.reuse)
        run(args)
        return
    if args.small:
        args.declarations, args.difficulties, args.repeat = 300, 600, 1
    url = setup_database("bench_resumption", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        if args.keep:
            print(f"database kept: {url}")
        else:
            drop_database(url)


def load(args, today: date) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from zhengtong.core.natsort import natural_key
    from zhengtong.registry import demo
    from zhengtong.registry.models import Department, Industry, Region, Unit
    from zhengtong.resumption.clocks import due_after
    from zhengtong.resumption.models import (
        DeclarationStatus,
        Difficulty,
        DifficultyCategory,
        DifficultyEvent,
        DifficultyStatus,
        ResumptionDeclaration,
        ResumptionStage,
        Stage,
    )
    from zhengtong.tests_support.codes import make_uscc

    started = time.perf_counter()
    demo.load_demo(units=60, sites=5, people=200, today=today)
    rng = random.Random(19)
    counties = list(Region.objects.filter(code__startswith="4304", level__in=Region.COUNTY_LEVELS))
    industries = list(Industry.objects.filter(level=Industry.Level.CLASS, code__regex=r"^(1[3-9]|[23]\d|4[0-3])"))
    n_units = args.declarations + args.declarations // 10  # a tenth more than declared: the undeclared
    units = [Unit(uscc=make_uscc(rng.choice(counties).code, n=None), name=f"衡阳生成企业{i:06d}有限公司",
                  name_key=natural_key(f"衡阳生成企业{i:06d}有限公司"), kind=Unit.Kind.ENTERPRISE,
                  county=rng.choice(counties), industry=rng.choice(industries)) for i in range(n_units)]
    Unit.objects.bulk_create(units, batch_size=5000)
    units = list(Unit.objects.filter(name__startswith="衡阳生成企业").order_by("pk"))
    clerk = get_user_model().objects.get(username="clerk")
    departments = list(Department.objects.filter(is_active=True))

    def at(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))

    declarations, stages = [], []
    answer_days = settings.RESUMPTION_ANSWER_DAYS
    for unit in units[: args.declarations]:
        declared = today - timedelta(days=rng.randint(1, 30))
        total = rng.randint(10, 800)
        returned = rng.randint(0, total)
        outside = rng.randint(0, returned)
        answered = rng.random() < 0.7
        declarations.append(ResumptionDeclaration(
            unit=unit, planned_date=declared + timedelta(days=rng.randint(0, 20)), workforce_total=total,
            workforce_returned=returned, returned_from_outside=outside, outside_isolated=rng.randint(0, outside),
            temperature_checks=True, masks=True, declared_on=declared, declared_at=at(declared), declared_by=clerk,
            lead_department=rng.choice(departments), answer_due=due_after(declared, answer_days).due,
            status=DeclarationStatus.ACKNOWLEDGED if answered else DeclarationStatus.FILED,
            answered_on=declared + timedelta(days=1) if answered else None,
            answered_at=at(declared + timedelta(days=1)) if answered else None))
    ResumptionDeclaration.objects.bulk_create(declarations, batch_size=5000)
    for declaration in declarations:
        day = declaration.planned_date
        for stage, pct in ((Stage.CONSTRUCTION, 30), (Stage.PARTLY, 60), (Stage.FULLY, 100)):
            if rng.random() < 0.6 and day <= today:
                stages.append(ResumptionStage(unit=declaration.unit, declaration=declaration, stage=stage,
                                              reached_on=day, capacity_pct=pct, reported_at=at(day),
                                              reported_by=clerk))
                day += timedelta(days=rng.randint(1, 7))
            else:
                break
    ResumptionStage.objects.bulk_create(stages, batch_size=5000)

    statuses = list(DifficultyStatus.values)
    categories = list(DifficultyCategory.values)
    difficulties = []
    for i in range(args.difficulties):
        reported = today - timedelta(days=rng.randint(0, 40))
        status = rng.choice(statuses)
        d = Difficulty(unit=units[i % len(units)], category=rng.choice(categories), title=f"困难{i}",
                       details="生成的困难和问题", department=rng.choice(departments), status=status,
                       reported_on=reported, reported_at=at(reported), reported_by=clerk, clock_started=reported,
                       accept_due=reported + timedelta(days=3), resolve_due=reported + timedelta(days=7))
        if status != DifficultyStatus.REPORTED:
            d.accepted_on = reported + timedelta(days=1)
        if status in (DifficultyStatus.RESOLVED, DifficultyStatus.CLOSED):
            d.resolved_on = reported + timedelta(days=rng.randint(1, 10))
        if status == DifficultyStatus.CLOSED:
            d.closed_on, d.rating = d.resolved_on, rng.randint(1, 5)
        difficulties.append(d)
    Difficulty.objects.bulk_create(difficulties, batch_size=5000)
    DifficultyEvent.objects.bulk_create([
        DifficultyEvent(difficulty=d, kind=DifficultyEvent.Kind.REPORT, to_status=DifficultyStatus.REPORTED,
                        department=d.department, text=d.details, at=d.reported_at, by=clerk)
        for d in difficulties], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum leaves a table that has grown (it is off on
            cursor.execute("VACUUM ANALYZE")  # this machine): statistics, and the visibility map of index-only scans
    print(f"{n_units:,} enterprises, {len(declarations):,} declarations, {len(stages):,} stages, "
          f"{len(difficulties):,} difficulties over {len(departments)} departments "
          f"({connection.vendor}, loaded in {time.perf_counter() - started:.0f} s)")


def run(args) -> None:
    from django.urls import reverse

    today = date.today()
    if not args.reuse:
        load(args, today)
    cases = [(name, f"{reverse(route)}?{query}" if query else reverse(route)) for name, route, query in PAGES]
    results = time_pages(ACCOUNTS, cases, repeat=args.repeat, statements=bare_statements)
    print_page_ratios(results)
    print("baseline: a bare page of the same rows (or the same aggregates), measured in the same run")


def bare_statements(response, captured) -> list[tuple[str, tuple]]:
    """A list page: its own queryset sliced to the page. The overview: its aggregate statements
    (GROUP BY), as run, without parameters (they are inlined in the captured SQL)."""
    if response.context and response.context.get("listing") is not None:
        return listing_statements(response)
    return [(q["sql"].replace("%", "%%"), ()) for q in captured.captured_queries if "GROUP BY" in q["sql"]]


if __name__ == "__main__":
    sys.exit(main())
