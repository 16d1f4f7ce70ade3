"""The daily count of people admitted per site (``AdmittedDaily``): the aggregate of the entries that
outlives their retention period, so that a unit's measured workforce (issue 19: "measured, not only
declared") can be read for any day. No personal data: a site, a day, how many.

A day is the local day (``TIME_ZONE``). The job ``screening.count_admitted`` (daily, before the purge)
counts yesterday and recounts the days before it within ``ZT_ADMITTED_RECOUNT_DAYS`` (entries an offline
gate syncs late), every day since the latest one counted (a stopped worker), and, on its first run, every
day still whole within the retention period (the backfill). Counting a day again writes the same rows.

The purge never deletes a day that is not counted: before it deletes entries it counts each site-day of
those entries that has no row (``count_before``), from the day's entries as they still are (the purge
only ever deletes before its cutoff, and each run counts first, so a day is whole when it is counted).
A day is never recounted once the purge may have begun on it: the job counts only days that lie wholly
after the retention cutoff.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhengtong.screening.models import AdmittedDaily, Entry


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=_zone())


def first_whole_day(now: datetime) -> date:
    """The first day none of whose entries the purge may have deleted by ``now``."""
    cutoff = now - timedelta(days=settings.ENTRY_RETENTION_DAYS)
    return timezone.localdate(cutoff, _zone()) + timedelta(days=1)


def _tallies(entries, *, first: date, last: date, site_ids: Iterable[int] | None = None) -> list[dict]:
    """(site, day, people, admitted, refused) of the entries of the days ``first``..``last``, one statement."""
    qs = entries.filter(entered_at__gte=day_start(first), entered_at__lt=day_start(last + timedelta(days=1)))
    if site_ids is not None:
        qs = qs.filter(site_id__in=list(site_ids))
    stay = Entry.stay_q()
    return list(qs.annotate(day=TruncDate("entered_at", tzinfo=_zone())).values("site_id", "day").annotate(
        people=Count("person_id", distinct=True, filter=stay), admitted=Count("pk", filter=stay),
        refused=Count("pk", filter=~stay)).order_by())


def _write(rows: list[dict], now: datetime) -> int:
    AdmittedDaily.objects.bulk_create(
        [AdmittedDaily(site_id=r["site_id"], day=r["day"], people=r["people"], admitted=r["admitted"],
                       refused=r["refused"], counted_at=now) for r in rows],
        batch_size=2000, update_conflicts=True, unique_fields=["site", "day"],
        update_fields=["people", "admitted", "refused", "counted_at"])
    return len(rows)


@transaction.atomic
def admitted_count(*, first: date, last: date, now: datetime | None = None) -> int:
    """Count (again) the days ``first`` through ``last`` at every site: one row per site-day with an
    entry. Returns the number of rows written. Refuses a day the purge may have begun on."""
    now = now or timezone.now()
    if first < first_whole_day(now):
        raise ValueError(f"{first} is older than the retention period: its entries may be purged in part.")
    if last < first:
        return 0
    return _write(_tallies(Entry.objects.all(), first=first, last=last), now)


def days_to_count(*, now: datetime) -> tuple[date, date] | None:
    """The span the daily job counts at ``now``, through yesterday: from the start of the recount window,
    or the day after the latest day counted if that is earlier (the worker was stopped), or, when nothing
    is counted yet, the first whole day (the first run's backfill); never before the first whole day."""
    last = timezone.localdate(now, _zone()) - timedelta(days=1)
    oldest = first_whole_day(now)
    if last < oldest:
        return None
    latest = AdmittedDaily.objects.filter(day__gte=oldest, day__lte=last).aggregate(latest=Max("day"))["latest"]
    first = last - timedelta(days=settings.ADMITTED_RECOUNT_DAYS - 1)
    first = oldest if latest is None else min(first, latest + timedelta(days=1))
    return (max(first, oldest), last)


def count_before(cutoff: datetime, *, held: Q | None = None, now: datetime | None = None) -> int:
    """The purge's guard: each site-day with entries before ``cutoff`` that the purge would delete (not
    held) and that has no row is counted now, from that day's entries. Returns the rows written."""
    now = now or timezone.now()
    doomed = Entry.objects.filter(entered_at__lt=cutoff)
    if held is not None:
        doomed = doomed.exclude(held)
    pairs = {(r["site_id"], r["day"]) for r in doomed.annotate(day=TruncDate("entered_at", tzinfo=_zone()))
             .values("site_id", "day").distinct().order_by()}
    if not pairs:
        return 0
    days = {day for _site, day in pairs}
    counted = set(AdmittedDaily.objects.filter(day__in=days).values_list("site_id", "day"))
    missing = pairs - counted
    if not missing:
        return 0
    sites = {site for site, _day in missing}
    rows = [r for r in _tallies(Entry.objects.all(), first=min(d for _s, d in missing),
                                last=max(d for _s, d in missing), site_ids=sites)
            if (r["site_id"], r["day"]) in missing]
    with transaction.atomic():
        return _write(rows, now)
