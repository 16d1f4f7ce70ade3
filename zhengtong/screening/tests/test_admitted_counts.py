"""The daily count of people admitted per site (issue 19 step 7: AdmittedDaily, screening.counts): the job
counts distinct people whose entry began a stay, by local day, again and again with the same result; its
first run fills the days still whole within retention; the purge keeps the counts and counts a day
before it deletes it; the selectors sum the sites. Dates are fixed; the jobs are given ``now``."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from zhengtong.registry.models import Unit
from zhengtong.screening import counts, jobs, selectors, services
from zhengtong.screening.models import AdmittedDaily, Entry
from zhengtong.tests_support.factories import PersonFactory, SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db

# 20:00 in Shanghai on 15 May 2020. With 28 days of retention the cutoff is 17 April 20:00 there, so the
# first whole day is 18 April; the job counts through yesterday, 14 May.
NOW = datetime(2020, 5, 15, 12, 0, tzinfo=UTC)
YESTERDAY = date(2020, 5, 14)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ENTRY_RETENTION_DAYS = 28
    settings.ADMITTED_RECOUNT_DAYS = 3


@pytest.fixture
def site():
    return SiteFactory()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Shanghai on ``day`` (UTC+8)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def entry(site, person, at, **kw) -> Entry:
    return Entry.objects.create(client_uuid=uuid.uuid4(), site=site, person=person, entered_at=at,
                                temperature=Decimal(kw.pop("temperature", "36.5")),
                                decision=kw.pop("decision", "admit"), reason=kw.pop("reason", "ok"), **kw)


def rows() -> dict[tuple[int, date], tuple[int, int, int]]:
    return {(r.site_id, r.day): (r.people, r.admitted, r.refused) for r in AdmittedDaily.objects.all()}


def test_the_job_counts_distinct_people_admitted_per_site_and_local_day(site):
    a, b, c, d = PersonFactory.create_batch(4)
    entry(site, a, local(YESTERDAY, 7, 30))
    entry(site, a, local(YESTERDAY, 13, 0))  # back from lunch: one person, two admitted entries
    entry(site, b, local(YESTERDAY, 23, 50))  # late in the evening: still yesterday in Shanghai
    entry(site, c, local(YESTERDAY, 8, 0), temperature="37.8", decision="refuse", reason="fever")
    # Refused by the rules now, admitted by an offline gate then: the person went in (Entry.stay_q).
    entry(site, d, local(YESTERDAY, 9, 0), decision="refuse", reason="closed", gate_decision="admit",
          disagreement=True)
    entry(site, c, local(YESTERDAY + timedelta(days=1), 0, 10))  # today, after midnight there: not yet

    summary = jobs.count_admitted(now=NOW)

    assert rows() == {(site.pk, YESTERDAY): (3, 4, 1)}
    assert summary.startswith("counted 2020-04-18–2020-05-14:")  # the first run fills the whole days


def test_counting_again_writes_the_same_rows_and_a_late_entry_is_counted_within_the_recount_days(site):
    a, b = PersonFactory.create_batch(2)
    entry(site, a, local(YESTERDAY - timedelta(days=1), 8))
    entry(site, a, local(YESTERDAY, 8))
    jobs.count_admitted(now=NOW)
    first = rows()
    assert first == {(site.pk, YESTERDAY - timedelta(days=1)): (1, 1, 0), (site.pk, YESTERDAY): (1, 1, 0)}

    jobs.count_admitted(now=NOW)
    assert rows() == first and AdmittedDaily.objects.count() == 2

    # An offline gate syncs the day before yesterday's entry of b the next morning.
    entry(site, b, local(YESTERDAY - timedelta(days=1), 9), source="sync")
    jobs.count_admitted(now=NOW + timedelta(days=1))
    assert rows()[(site.pk, YESTERDAY - timedelta(days=1))] == (2, 2, 0)


def test_the_first_run_fills_only_the_days_still_whole_within_retention(site):
    person = PersonFactory()
    entry(site, person, local(date(2020, 4, 17), 21))  # after the cutoff, but its morning may be purged
    entry(site, person, local(date(2020, 4, 18), 8))  # the first whole day
    entry(site, person, local(date(2020, 5, 1), 8))

    jobs.count_admitted(now=NOW)

    assert set(rows()) == {(site.pk, date(2020, 4, 18)), (site.pk, date(2020, 5, 1))}
    # Later runs count the recount days, or from the day after the latest counted if that is earlier.
    assert counts.days_to_count(now=NOW) == (date(2020, 5, 2), YESTERDAY)


def test_a_day_older_than_the_retention_period_is_not_counted_again():
    with pytest.raises(ValueError, match="older than the retention period"):
        counts.admitted_count(first=date(2020, 4, 17), last=YESTERDAY, now=NOW)
    assert counts.days_to_count(now=datetime(2020, 1, 1, 0, 0, tzinfo=UTC)) == (date(2019, 12, 5),
                                                                                date(2019, 12, 31))


def test_the_job_runs_before_the_purge():
    names = [job.name for job in jobs.JOBS]
    at = {job.name: job.at for job in jobs.JOBS}
    assert names.index("screening.count_admitted") < names.index("screening.purge_entries")  # in the demo too
    assert at["screening.count_admitted"] < at["screening.purge_entries"]


def test_the_purge_keeps_the_counts(site):
    person = PersonFactory()
    old_day = date(2020, 4, 20)
    entry(site, person, local(old_day, 8))
    jobs.count_admitted(now=datetime(2020, 4, 21, 12, 0, tzinfo=UTC))
    assert rows() == {(site.pk, old_day): (1, 1, 0)}

    jobs.purge_entries(now=datetime(2020, 6, 1, tzinfo=UTC))

    assert not Entry.objects.exists()
    assert rows() == {(site.pk, old_day): (1, 1, 0)}


def test_the_purge_counts_a_day_nobody_counted_before_deleting_it(site):
    a, b = PersonFactory.create_batch(2)
    day = date(2020, 4, 20)
    entry(site, a, local(day, 1))  # before the cutoff below
    entry(site, b, local(day, 8))  # after it: kept by this purge, but counted with its day
    entry(site, b, local(day, 7), decision="refuse", reason="fever", temperature="38.0")
    other = SiteFactory()
    entry(other, a, local(day - timedelta(days=1), 9))
    assert not AdmittedDaily.objects.exists()  # the job never ran

    cutoff = local(day, 6)
    jobs.purge_entries(now=cutoff + timedelta(days=28))

    assert rows() == {(site.pk, day): (2, 2, 1), (other.pk, day - timedelta(days=1)): (1, 1, 0)}
    assert Entry.objects.filter(entered_at__lt=cutoff).count() == 0 and Entry.objects.count() == 2


def test_the_purge_leaves_a_counted_day_as_it_was_counted(site):
    a, b = PersonFactory.create_batch(2)
    day = date(2020, 4, 20)
    entry(site, a, local(day, 1))
    entry(site, b, local(day, 8))
    jobs.count_admitted(now=datetime(2020, 4, 21, 12, 0, tzinfo=UTC))
    services.entries_purge(now=local(day, 6) + timedelta(days=28))  # deletes a's entry only
    services.entries_purge(now=local(day, 6) + timedelta(days=28))
    assert rows() == {(site.pk, day): (2, 2, 0)}  # not recounted from what is left of the day


def test_the_selectors_sum_a_units_sites_per_day_and_its_peak_for_a_list_of_units():
    unit, other_unit, idle_unit = UnitFactory.create_batch(3)
    north, south = SiteFactory(unit=unit), SiteFactory(unit=unit)
    elsewhere = SiteFactory(unit=other_unit)
    at = datetime(2020, 5, 15, tzinfo=UTC)
    AdmittedDaily.objects.bulk_create([
        AdmittedDaily(site=north, day=date(2020, 5, 12), people=40, admitted=41, refused=0, counted_at=at),
        AdmittedDaily(site=south, day=date(2020, 5, 12), people=25, admitted=25, refused=1, counted_at=at),
        AdmittedDaily(site=north, day=date(2020, 5, 13), people=50, admitted=50, refused=0, counted_at=at),
        AdmittedDaily(site=north, day=date(2020, 5, 1), people=99, admitted=99, refused=0, counted_at=at),
        AdmittedDaily(site=elsewhere, day=date(2020, 5, 13), people=7, admitted=7, refused=0, counted_at=at),
    ])
    start, end = date(2020, 5, 10), date(2020, 5, 14)

    assert selectors.unit_admitted_daily(unit_id=unit.pk, start=start, end=end) == {
        date(2020, 5, 12): 65, date(2020, 5, 13): 50}
    assert selectors.admitted_daily(site_ids=[south.pk, elsewhere.pk], start=start, end=end) == {
        date(2020, 5, 12): 25, date(2020, 5, 13): 7}
    peaks = dict(Unit.objects.filter(pk__in=[unit.pk, other_unit.pk, idle_unit.pk])
                 .annotate(peak=selectors.unit_admitted_peak(start=start, end=end)).values_list("pk", "peak"))
    assert peaks == {unit.pk: 65, other_unit.pk: 7, idle_unit.pk: None}  # None: not measured


def test_a_whole_month_dropped_by_the_purge_is_counted_first(site):
    # On PostgreSQL February's partition is dropped whole (screening.partitions); on SQLite its rows are
    # deleted one by one. Either way, nobody counted February before: the purge does.
    a, b = PersonFactory.create_batch(2)
    entry(site, a, local(date(2020, 2, 10), 8))
    entry(site, b, local(date(2020, 2, 10), 9))
    entry(site, a, local(date(2020, 2, 11), 8))

    jobs.purge_entries(now=NOW)

    assert not Entry.objects.exists()
    assert rows() == {(site.pk, date(2020, 2, 10)): (2, 2, 0), (site.pk, date(2020, 2, 11)): (1, 1, 0)}
