"""`zhengtong demo`: load the demo city (Hengyang, 27 February 2020, shown as --today); the generator is
registry/demo.py, the anchor core/demo_clock.py."""

import argparse
import re
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from zhengtong.registry import demo


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _day(value: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # e.g. 2020-02-30
            pass
    raise argparse.ArgumentTypeError(f"“{value}” is not a date: give it as YYYY-MM-DD, e.g. 2020-02-27")


class Command(BaseCommand):
    help = (
        "Load the demo city: the departments and units of shared/SCENARIO.md, generated units, sites and "
        "people, and one demo account per role (password “zhengtong-demo”). Refuses a database that "
        "already holds units or people unless --if-empty (skip) or --force (replace)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="Do nothing (but list the demo accounts) when the database already holds units or people.",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Delete every registry unit, site, person and department (with their history) and the demo "
                 "users first, then load.",
        )
        parser.add_argument("--units", type=_count, default=demo.DEFAULT_UNITS,
                            help="Generated units besides the five named ones (default %(default)s).")
        parser.add_argument("--sites", type=_count, default=demo.DEFAULT_SITES,
                            help="Generated sites besides the named units' sites (default %(default)s).")
        parser.add_argument("--people", type=_count, default=demo.DEFAULT_PEOPLE,
                            help="People in all, the named sites' people included (default %(default)s).")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED,
                            help="Random seed; the same seed gives the same data (default %(default)s).")
        parser.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD",
                            help="The anchor day: the newspaper's day (2020-02-27) is shown as this day and "
                                 "the story's dates move with it; the 2019 catalogue, the law and the "
                                 "permits of 2017–2019 do not (default: the real day).")

    def handle(self, *args, **options):
        counts = demo.registry_counts()
        loaded = counts["units"] or counts["people"]
        if loaded and options["if_empty"]:
            self.stdout.write(
                f"The database already holds {counts['units']:,} units and {counts['people']:,} people: "
                "nothing loaded."
            )
        elif loaded and not options["force"]:
            raise CommandError(
                f"The database already holds {counts['units']:,} units, {counts['sites']:,} sites and "
                f"{counts['people']:,} people. Run `zhengtong demo --force` to delete them (with every "
                "department and the demo users) and load the demo again, or `--if-empty` to leave them."
            )
        else:
            try:
                with transaction.atomic():  # --force keeps the old data if the new load fails
                    if loaded:
                        started = time.perf_counter()
                        removed = demo.wipe_demo()
                        self.stdout.write(
                            f"Deleted {removed['units']:,} units, {removed['sites']:,} sites, "
                            f"{removed['people']:,} people and {removed['departments']:,} departments "
                            f"({time.perf_counter() - started:.1f} s)."
                        )
                    today = options["today"] or timezone.localdate()
                    self.stdout.write(
                        f"Loading the demo city (units {options['units']:,}, sites {options['sites']:,}, "
                        f"people {options['people']:,}, seed {options['seed']}, today {today.isoformat()}):"
                    )
                    result = demo.load_demo(
                        units=options["units"], sites=options["sites"], people=options["people"],
                        seed=options["seed"], today=today, stdout=self.stdout,
                    )
            except demo.DemoError as e:
                raise CommandError(str(e)) from None
            self.stdout.write(self.style.SUCCESS(
                f"Loaded {result['units']:,} units, {result['sites']:,} sites, {result['people']:,} people "
                f"and {result['relations']:,} relations to sites in {result['seconds']:.1f} s."
            ))
        self._accounts()

    def _accounts(self) -> None:
        rows = demo.account_rows()
        if not rows:
            self.stdout.write("This database has no demo accounts.")
        else:
            self.stdout.write("\nDemo accounts:\n")
            self.stdout.write(demo.format_table(("username", "password", "role", "scope"), rows))
        self.stdout.write(f"\nOpen {demo.address()}")
