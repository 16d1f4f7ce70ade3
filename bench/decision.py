"""The decision for one person with a long history, without the network (goal: under 2 ms).

Measures, in one process against a real database: the facts and the decision alone
(screening.services.facts_for + rules.decide), and the whole entry_screen (decision plus the
recorded row and its idempotency check), each against a baseline of one primary-key read of the
same person measured in the same run.

    .venv/bin/python bench/decision.py [--history 20000] [--repeat 2000] [--sqlite]
"""

import argparse
import uuid
from datetime import timedelta
from decimal import Decimal

from common import drop_database, setup_database, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=int, default=20000, help="entries already recorded for the person")
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.small:
        args.history, args.repeat = 500, 50
    url = setup_database("zt_bench_decision", sqlite=args.sqlite)
    try:
        run(args)
    finally:
        drop_database(url)


def run(args) -> None:
    from django.utils import timezone

    from zhengtong.registry.models import Person
    from zhengtong.registry.refdata import load_reference_data
    from zhengtong.screening import rules, services
    from zhengtong.screening.models import Entry, GateDevice
    from zhengtong.tests_support.factories import PersonFactory, SiteFactory

    load_reference_data()
    site = SiteFactory()
    person = PersonFactory(site=site, relation="worker")
    now = timezone.now()
    Entry.objects.bulk_create([
        Entry(client_uuid=uuid.uuid4(), site=site, person=person, entered_at=now - timedelta(hours=i + 1),
              left_at=now - timedelta(hours=i), temperature=Decimal("36.5"), decision="admit", reason="ok")
        for i in range(args.history)
    ], batch_size=5000)
    device, _key = GateDevice.issue(site=site, name="bench")
    actor = services.Actor(device=device)

    def baseline():
        Person.objects.get(pk=person.pk)

    def decision():
        rules.decide(services.facts_for(site=site, person=person, temperature=Decimal("36.5"), at=timezone.now()))

    def screen():
        services.entry_screen(actor=actor, site=site, person=person, temperature="36.5", client_uuid=uuid.uuid4(),
                              at=timezone.now())

    for fn in (baseline, decision, screen):  # warm up connections and caches
        timed(fn, 20)
    base, dec, full = timed(baseline, args.repeat), timed(decision, args.repeat), timed(screen, args.repeat)
    print(f"person with {args.history:,} earlier entries, database {'SQLite' if args.sqlite else 'PostgreSQL'}")
    print(f"  baseline (one primary-key read) {summary(base)}")
    print(f"  decision (facts + rules)        {summary(dec)}")
    print(f"  entry_screen (decision + row)   {summary(full)}")
    med = sorted(dec)[len(dec) // 2]
    print(f"  decision / baseline: {med / sorted(base)[len(base) // 2]:.1f}x; goal: decision under 2 ms "
          f"{'met' if med < 2 else 'NOT met'} (median {med:.3f} ms)")


if __name__ == "__main__":
    main()
