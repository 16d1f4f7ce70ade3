"""Contact tracing (issue 18, step 3): a hand-made scenario whose contacts are known — stays that
touch but do not overlap, stays across midnight, a stay without exit, the same pair at two sites, a
contact below the minimum overlap, a stay before the window, areas, and second-degree contacts."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.outbreak import services, tracing
from zhengtong.outbreak.models import IsolationOrder, Trace
from zhengtong.screening.models import Area, Entry, EntryHold
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db
D = timezone.localdate() - timedelta(days=3)  # the case's onset


def at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(D + timedelta(days=day_offset), time(hh, mm)))


def stay(person, site, start, end=None, area=None):
    Entry.objects.create(client_uuid=uuid.uuid4(), site=site, area=area, person=person, entered_at=start,
                         left_at=end, temperature="36.5", decision="admit", reason="ok")


@pytest.fixture
def scenario(world):
    s1 = world.site_a
    s2, s3 = SiteFactory(unit=world.unit_a, name="二号车间"), SiteFactory(unit=world.unit_a, name="食堂")
    s4 = SiteFactory(unit=world.unit_a, name="宿舍楼")
    x, y = Area.objects.create(site=s4, name="一层"), Area.objects.create(site=s4, name="二层")
    p = {name: PersonFactory(site=s1, name=name) for name in "CABEFGHKLM"}
    stay(p["C"], s1, at(0, 8), at(0, 12))
    stay(p["A"], s1, at(0, 12), at(0, 13))            # touches C's stay: no overlap with C
    stay(p["B"], s1, at(0, 11), at(0, 14))            # 60 min with C
    stay(p["C"], s1, at(0, 22), at(1, 2))             # across midnight
    stay(p["E"], s1, at(1, 1), at(1, 3))              # 60 min with C, after midnight
    stay(p["F"], s1, at(0, 9))                        # no exit: ends at 17:00 (8 h), 180 min, estimated
    stay(p["C"], s2, at(-1, 10), at(-1, 11))
    stay(p["B"], s2, at(-1, 10, 30), at(-1, 12))      # the same pair at a second site: 30 more min
    stay(p["G"], s1, at(0, 11, 50), at(0, 12, 30))    # 10 min with C: below the minimum
    stay(p["C"], s1, at(-5, 8), at(-5, 10))           # before the window (2 days before onset)
    stay(p["H"], s1, at(-5, 8), at(-5, 10))
    stay(p["B"], s3, at(1, 9), at(1, 10))
    stay(p["K"], s3, at(1, 9), at(1, 9, 45))          # 45 min with B: second degree
    stay(p["C"], s4, at(0, 15), at(0, 16), area=x)
    stay(p["L"], s4, at(0, 15), at(0, 16), area=y)    # another area: no contact
    stay(p["M"], s4, at(0, 15, 30), at(0, 16, 30), area=x)  # 30 min in the same area
    case = services.case_report(user=world.users[Role.COUNTY_OFFICER], person=p["C"],
                                data={"site": s1.pk, "onset_date": D.isoformat()})
    return world, case, p, {"s1": s1, "s2": s2, "s3": s3, "s4": s4}


def found(result, names):
    by_id = {v.pk: k for k, v in names.items()}
    return {by_id[c.person_id]: (c.degree, c.overlap_minutes, c.estimated,
                                 by_id.get(c.via_person_id) if c.via_person_id else None) for c in result.contacts}


def test_first_degree_contacts_are_the_known_ones(scenario):
    world, case, p, _sites = scenario
    result = tracing.case_trace(user=world.users[Role.COUNTY_OFFICER], case=case, params=tracing.Params())
    assert found(result, p) == {"F": (1, 180, True, None), "B": (1, 90, False, None),
                                "E": (1, 60, False, None), "M": (1, 30, False, None)}
    assert [c.person_id for c in result.contacts] == [p[n].pk for n in "FBEM"]  # ranked by minutes
    b = next(c for c in result.contacts if c.person_id == p["B"].pk)
    assert sorted(round(pl.minutes) for pl in b.places.values()) == [30, 60]


def test_second_degree_from_each_contacts_first_exposure(scenario):
    world, case, p, _sites = scenario
    result = tracing.case_trace(user=world.users[Role.COUNTY_OFFICER], case=case, params=tracing.Params(degree=2))
    second = {k: v for k, v in found(result, p).items() if v[0] == 2}
    # A touched C but shared an hour with F; G was below the minimum with C but 40 min with F
    assert second == {"A": (2, 60, True, "F"), "G": (2, 40, True, "F"), "K": (2, 45, False, "B")}


def test_the_minimum_overlap_and_the_lookback_are_parameters(scenario):
    world, case, p, _sites = scenario
    user = world.users[Role.COUNTY_OFFICER]
    assert "G" in found(tracing.case_trace(user=user, case=case, params=tracing.Params(min_overlap_minutes=5)), p)
    assert "H" not in found(tracing.case_trace(user=user, case=case, params=tracing.Params(lookback_days=4)), p)
    # 0 days before onset: the day before (the second site) is outside the window
    assert found(tracing.case_trace(user=user, case=case, params=tracing.Params(lookback_days=0)), p)["B"][1] == 60


def test_the_window_ends_at_the_cases_isolation(scenario):
    world, case, p, sites = scenario
    IsolationOrder.objects.create(person=p["C"], county=case.county, reason="fever", place="home",
                                  place_note="家中", start=at(0, 20), planned_end=D + timedelta(days=14))
    result = tracing.case_trace(user=world.users[Role.COUNTY_OFFICER], case=case, params=tracing.Params())
    assert "E" not in found(result, p)  # after midnight: C was already isolated


def test_bad_parameters_and_a_window_past_retention(scenario, settings):
    world, case, _p, _sites = scenario
    for data, name in (({"degree": "3"}, "degree"), ({"lookback_days": "-1"}, "lookback_days"),
                       ({"min_overlap_minutes": "x"}, "min_overlap_minutes")):
        with pytest.raises(DomainError) as e:
            tracing.params_read(data)
        assert name in e.value.errors
    settings.ENTRY_RETENTION_DAYS = 4
    with pytest.raises(DomainError) as e:
        tracing.case_trace(user=world.users[Role.COUNTY_OFFICER], case=case, params=tracing.Params(lookback_days=2))
    assert "lookback_days" in e.value.errors


def test_only_the_countys_officers_trace(scenario):
    world, case, _p, _sites = scenario
    for role in (Role.SITE_MANAGER, Role.GATEKEEPER, Role.DEPARTMENT_OFFICER):
        with pytest.raises(PermissionDenied):
            tracing.case_trace(user=world.users[role], case=case, params=tracing.Params())


def test_a_kept_trace_records_its_parameters_and_holds_the_entries(scenario):
    world, case, _p, _sites = scenario
    user = world.users[Role.COUNTY_OFFICER]
    result = tracing.case_trace(user=user, case=case, params=tracing.Params(lookback_days=2, degree=2))
    trace = tracing.trace_keep(user=user, result=result)
    assert (trace.lookback_days, trace.min_overlap_minutes, trace.degree, trace.contacts) == (2, 15, 2, 7)
    assert EntryHold.objects.filter(holder=f"case {case.pk}").count() == 8 and Trace.objects.count() == 1


def test_a_contact_with_no_exposure_has_no_second_degree(world):
    person = PersonFactory(site=world.site_a)
    assert tracing.contacts_of(person.pk, at(-1, 0), at(2, 0), degree=2) == {}


def test_the_trace_page_isolates_the_selected_contacts(scenario, client):
    from zhengtong.core.models import AccessRecord

    world, case, p, _sites = scenario
    client.force_login(world.users[Role.COUNTY_OFFICER])
    r = client.get(f"/outbreak/cases/{case.pk}/trace/?degree=2")
    assert r.status_code == 200 and len(r.context["result"].contacts) == 7
    assert AccessRecord.objects.filter(kind="trace", subject_id=case.pk).count() == 1
    assert client.get(f"/outbreak/cases/{case.pk}/trace/?degree=9").status_code == 400
    r = client.post(f"/outbreak/cases/{case.pk}/trace/", {
        "lookback_days": 2, "min_overlap_minutes": 15, "degree": 1, "person": [p["B"].pk, p["F"].pk],
        "reason": "close_contact", "place": "hotel", "place_note": "雁城宾馆"})
    assert r.status_code == 302
    orders = IsolationOrder.objects.filter(case=case)
    assert sorted(o.person_id for o in orders) == sorted([p["B"].pk, p["F"].pk])
    assert Trace.objects.get().contacts == 4
    r = client.post(f"/outbreak/cases/{case.pk}/trace/", {"lookback_days": 2, "reason": "close_contact",
                                                          "place": "hotel", "place_note": "x"})
    assert r.status_code == 400  # nobody chosen
    client.force_login(world.users[Role.SITE_MANAGER])
    assert client.get(f"/outbreak/cases/{case.pk}/trace/").status_code == 403
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.get(f"/outbreak/cases/{case.pk}/trace/").status_code == 404


def test_each_place_of_a_contact_is_named(scenario):
    world, case, p, sites = scenario
    result = tracing.case_trace(user=world.users[Role.COUNTY_OFFICER], case=case, params=tracing.Params())
    places = {(pl.site, pl.area) for c in result.contacts for pl in c.places.values()}
    assert places == {(sites["s1"].name, ""), (sites["s2"].name, ""), (sites["s4"].name, "一层")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's partitioned table")
def test_the_trace_reads_one_slice_of_the_site_time_index_per_stay(scenario):
    """The maximum stay bounds the entries a trace reads: each of the case's stays probes its site's
    (site, time) index between its start minus the maximum stay and its end, never a whole partition."""
    from zhengtong.screening import selectors as screening
    from zhengtong.tests_support.factories import fill_entries

    world, case, p, sites = scenario
    fill_entries(30000, site_id=sites["s1"].pk, person_ids=[p["H"].pk, p["K"].pk], days=20)
    start, end = tracing.window(case, tracing.Params())
    sql, params = screening._stays_met_sql(p["C"].pk, start, end)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The months that hold rows are probed by the (site, time) index, from the stay's start minus the
    # maximum stay (empty months may show a scan of nothing, which run-time pruning drops).
    months = {f"screening_entry_p{t:%Y_%m}" for t in (start, end)}
    assert not [line for line in plan.splitlines() if "Seq Scan" in line and any(m in line for m in months)], plan
    assert "Index Cond: ((site_id = m" in plan and "(entered_at >= (GREATEST(m" in plan, plan
    assert "'08:00:00'::interval" in plan, plan
