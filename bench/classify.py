"""Classifying a whole registry under the 2019 catalogue (goals: the engine, 100,000 units under 2
seconds; the whole "classify all" action's first run, which writes every result, within 2× of reading
the units plus the engine, issue 17 §4).

Builds N synthetic units whose industries are drawn from every catalogue row (and from classes no
row names, which fall to row 108), each with random declared facts (2% of them left out, so
that some results are "undetermined"). Measures, in one run:

- the engine alone: ``permits.services.classification_results`` over the N units (the goal);
- the baseline: reading the same units' industries and facts from the database, the work any
  classification of the registry has to do anyway;
- the whole "classify all" action (read, classify, write every result) as a user runs it.

    .venv/bin/python bench/classify.py [--units 100000] [--repeat 3] [--sqlite]
"""

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from common import drop_database, setup_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternated (medians shown)")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.small:
        args.units, args.repeat = 2_000, 1
    url = setup_database("zt_bench_classify", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        drop_database(url)


MISSING = 0.02  # share of facts a unit leaves out (the demo city has 3% of units undetermined)
AS_OF = date(2026, 12, 4)  # the classification day the generated start dates and years are drawn around


def random_facts(rng: random.Random, catalogue, codes: list[str] | None = None) -> dict:
    """Random values for the facts the unit's rows ask about (all facts when ``codes`` is None),
    as a unit declares them on its form."""
    facts = {}
    keys = catalogue.facts if codes is None else _asked(catalogue, codes)
    for key in keys:
        fact = catalogue.facts[key]
        if rng.random() < MISSING:
            continue
        if fact.type == "bool":
            facts[key] = rng.random() < 0.3
        elif fact.type == "date":  # the start of operation (note 2): from 15 years back to a year ahead
            facts[key] = (AS_OF - timedelta(days=rng.randrange(-365, 15 * 365))).isoformat()
        elif fact.type == "number" and fact.note2 and rng.random() < 0.5:  # by year (note 2), half the units
            years = {str(y): round(rng.lognormvariate(2, 2), 1) for y in range(AS_OF.year - 3, AS_OF.year)
                     if rng.random() >= MISSING}
            facts[key] = {"years": years, "eia": round(rng.lognormvariate(2, 2), 1)}
        elif fact.type == "number" and fact.pairs and rng.random() < 0.3:  # a boiler output in MW
            facts[key] = {"value": round(rng.lognormvariate(2, 1.5), 2), "unit": "MW"}
        elif fact.type == "number":
            facts[key] = round(rng.lognormvariate(3, 3), 1)
        else:
            facts[key] = [c[0] for c in fact.choices if rng.random() < 0.3]
    return facts


def _asked(catalogue, codes: list[str]) -> list[str]:
    from zhengtong.permits.catalogue import GENERAL_PROCESS_ROWS, OTHER_INDUSTRIES_ROW

    rows = [n for c in codes for n in (catalogue.rows_for(c) or (OTHER_INDUSTRIES_ROW,))]
    rows += list(GENERAL_PROCESS_ROWS)
    return list(dict.fromkeys(k for n in rows for k in catalogue.rows[n].facts))


def make_units(n: int, rng: random.Random) -> list[tuple[str, list[str], dict]]:
    from zhengtong.permits.catalogue import load_catalogue
    from zhengtong.registry.models import Industry

    catalogue = load_catalogue()
    classes = list(Industry.objects.filter(level="class").values_list("code", flat=True))
    named = [c for c in classes if catalogue.rows_for(c)]
    units = []
    for i in range(n):
        pool = named if rng.random() < 0.7 else classes
        codes = [rng.choice(pool) for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3))]
        codes = list(dict.fromkeys(codes))
        units.append((f"bench{i:07d}", codes, random_facts(rng, catalogue, codes)))
    return units


def store(units) -> None:
    from zhengtong.permits.models import UnitFacts
    from zhengtong.registry.models import Industry, Region, Unit

    county = Region.objects.get(code="430422")
    industry = {i.code: i.pk for i in Industry.objects.filter(level="class")}
    Unit.objects.bulk_create([
        Unit(uscc=f"91430422{i:09d}X"[:18], name=name, county=county, industry_id=industry[codes[0]])
        for i, (name, codes, _facts) in enumerate(units)
    ], batch_size=5000)
    ids = dict(Unit.objects.values_list("name", "pk"))
    through = Unit.other_industries.through
    through.objects.bulk_create([
        through(unit_id=ids[name], industry_id=industry[c]) for name, codes, _f in units for c in codes[1:]
    ], batch_size=5000)
    from zhengtong.permits.services import facts_by_line

    declared = [(ids[name], *facts_by_line(c, f)) for name, c, f in units]  # as units declare them: per line
    UnitFacts.objects.bulk_create([UnitFacts(unit_id=pk, facts=whole, lines=lines) for pk, whole, lines in declared],
                                  batch_size=5000)


def run(args) -> None:
    from django.contrib.auth import get_user_model

    from zhengtong.permits import services
    from zhengtong.permits.models import Classification
    from zhengtong.registry.refdata import load_reference_data

    load_reference_data()
    rng = random.Random(20200220)
    units = make_units(args.units, rng)
    store(units)
    admin = get_user_model().objects.create_superuser("bench", password="x")

    reads, engines, actions, agains = [], [], [], []
    for _ in range(args.repeat):  # alternated, so that a burst of load on the machine falls on both sides
        Classification.objects.all().delete()
        start = time.perf_counter()
        rows = services._registry_rows(None)
        reads.append(time.perf_counter() - start)

        start = time.perf_counter()
        counts: dict[str, int] = {}
        for _unit_id, result in services.classification_results(rows, None, AS_OF):
            counts[result.management_class] = counts.get(result.management_class, 0) + 1
        engines.append(time.perf_counter() - start)

        start = time.perf_counter()
        services.units_classify(user=admin)
        actions.append(time.perf_counter() - start)
        start = time.perf_counter()
        services.units_classify(user=admin)  # again: nothing changed, nothing is written
        agains.append(time.perf_counter() - start)
    read_s, engine_s, action_s, again_s = (statistics.median(t) for t in (reads, engines, actions, agains))

    n = len(rows)
    print(f"medians of {args.repeat} runs")
    print(f"units: {n:,}; by class: {dict(sorted(counts.items()))}")
    print(f"engine (classify {n:,} units): {engine_s:.2f} s, {engine_s / n * 1e6:.1f} µs per unit "
          f"-> {engine_s * 100_000 / n:.2f} s per 100,000 units (goal < 2 s)")
    print(f"baseline (read the same units' industries and facts): {read_s:.2f} s; "
          f"engine / baseline = {engine_s / read_s:.2f}")
    print(f"whole action, first run (read, classify, write every result): {action_s:.2f} s "
          f"-> {action_s * 100_000 / n:.2f} s per 100,000 units; "
          f"first run / (baseline + engine) = {action_s / (read_s + engine_s):.2f} (goal: at most 2)")
    print(f"whole action, run again with nothing changed: {again_s:.2f} s "
          f"-> {again_s * 100_000 / n:.2f} s per 100,000 units")


if __name__ == "__main__":
    main()
