"""Chains of transmission (issue 18, step 6): links between cases from kept traces and from isolation
orders made for a case, pointing from the earlier case to the later; scoped as the case list, with
linked cases outside the scope masked; drawn as server-side SVG in layers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import chains, isolation, services, tracing
from zhengtong.outbreak.models import Case, Trace, TraceContact
from zhengtong.outbreak.tests.test_tracing import at, stay
from zhengtong.tests_support.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
D = timezone.localdate() - timedelta(days=3)


def day(offset: int) -> str:
    return (D + timedelta(days=offset)).isoformat()


@pytest.fixture
def outbreak(world):
    """A (张一, onset D) traced from the entries: 张二 and 张四 were its contacts, 张二 became case B
    (D+1), 张四 case X, later excluded. B's contact 外县人 (only at a site of another county) was isolated
    for B and became case C (D+2). A kept second-degree trace of A found 张五, case F (D+3). 张六's case
    E has no link."""
    officer, admin = world.users[Role.COUNTY_OFFICER], world.users[Role.CITY_ADMIN]
    people = {n: PersonFactory(site=world.site_a, name=n) for n in ("张一", "张二", "张四", "张五", "张六")}
    outsider = PersonFactory(site=world.site_b, name="外县人")
    stay(people["张一"], world.site_a, at(0, 8), at(0, 12))
    stay(people["张二"], world.site_a, at(0, 9), at(0, 11))
    stay(people["张四"], world.site_a, at(0, 10), at(0, 12))

    def report(name, onset, person=None, site=world.site_a, by=officer):
        return services.case_report(user=by, person=person or people[name], data={"site": site.pk, "onset_date": onset})

    a = report("张一", day(0))
    tracing.trace_keep(user=officer, result=tracing.case_trace(user=officer, case=a, params=tracing.Params()))
    b = report("张二", day(1))
    x = report("张四", day(1))
    services.case_move(user=officer, case=x, action="exclude", reason="核酸阴性")
    isolation.isolation_order(user=admin, person=outsider, data={
        "reason": "close_contact", "place": "home", "place_note": "家中", "case": b.pk,
        "county": world.site_b.county_id})
    c = report("", day(2), person=outsider, site=world.site_b, by=admin)
    trace = Trace.objects.create(case=a, lookback_days=2, min_overlap_minutes=15, degree=2, window_start=at(-2, 0),
                                 window_end=at(1, 0), contacts=1, traced_by=officer)
    TraceContact.objects.create(trace=trace, person=people["张五"], degree=2, minutes=40, via=people["张二"])
    f = report("张五", day(3))
    e = report("张六", day(0))
    return world, {"A": a, "B": b, "C": c, "F": f, "E": e, "X": x}


def named(links, cases):
    by_id = {c.pk: k for k, c in cases.items()}
    return {(by_id[s], by_id[t]): v for (s, t), v in links.items()}


def test_links_come_from_kept_traces_and_orders_and_point_forward(outbreak):
    _world, cases = outbreak
    assert named(chains.case_links(), cases) == {
        ("A", "B"): ("trace", 120), ("B", "C"): ("isolation", None), ("A", "F"): ("second_degree", 40)}


def test_a_later_cases_trace_still_points_from_the_earlier_case(outbreak):
    world, cases = outbreak
    officer = world.users[Role.COUNTY_OFFICER]
    b = cases["B"]
    tracing.trace_keep(user=officer, result=tracing.case_trace(user=officer, case=b, params=tracing.Params()))
    links = named(chains.case_links(), cases)
    assert links[("A", "B")] == ("trace", 120) and ("B", "A") not in links


def test_the_county_officer_sees_the_countys_cases_and_the_rest_masked(outbreak):
    world, cases = outbreak
    graph = chains.chain_graph(user=world.users[Role.COUNTY_OFFICER])
    shown = {n.case_id for n in graph.nodes}
    assert shown == {cases[k].pk for k in "ABF"} | {None}  # C masked, E unlinked, X excluded
    assert graph.masked == 1 and graph.unlinked == 1
    masked = next(n for n in graph.nodes if not n.visible)
    assert masked.case == cases["C"]
    assert {(li.source.case_id, li.target.case_id, li.evidence) for li in graph.links} == {
        (cases["A"].pk, cases["B"].pk, "trace"), (cases["B"].pk, None, "isolation"),
        (cases["A"].pk, cases["F"].pk, "second_degree")}

    other = UserFactory.create(username="hengyang", role=Role.COUNTY_OFFICER, region=world.site_b.county)
    graph = chains.chain_graph(user=other)
    assert {n.case_id for n in graph.nodes} == {cases["C"].pk, None}  # B masked; A and F not linked to C
    assert graph.unlinked == 0

    graph = chains.chain_graph(user=world.users[Role.CITY_ADMIN])
    assert graph.masked == 0 and len(graph.nodes) == 4 and graph.unlinked == 1


def test_the_layout_points_every_link_right_and_overlaps_nothing(outbreak):
    world, _cases = outbreak
    graph = chains.chain_graph(user=world.users[Role.CITY_ADMIN])
    assert all(li.target.x > li.source.x for li in graph.links)
    boxes = {(n.x, n.y) for n in graph.nodes}
    assert len(boxes) == len(graph.nodes)
    assert all(0 <= n.x and n.x + chains.NODE_W <= graph.width and n.y + chains.NODE_H <= graph.height
               for n in graph.nodes)
    layers = {n.case.person.name: n.layer for n in graph.nodes}
    assert layers == {"张一": 0, "张二": 1, "外县人": 2, "张五": 1}


def test_the_page_draws_svg_masks_and_records_the_view(outbreak, client):
    world, cases = outbreak
    client.force_login(world.users[Role.COUNTY_OFFICER])
    r = client.get("/outbreak/cases/chains/")
    html = r.content.decode()
    main = html[html.index("<main"):]
    assert r.status_code == 200 and '<svg class="chains"' in main and "<script" not in main and " style=" not in main
    assert f'data-link="{cases["A"].pk}-{cases["B"].pk}"' in html and f'data-link="{cases["B"].pk}-masked"' in html
    assert "张二" in html and "外县人" not in html and f'data-node="{cases["C"].pk}"' not in html
    assert "辖区外病例" in html
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject_type, record.subject) == ("case", "list", "传播链")
    assert b"/outbreak/cases/chains/" in client.get("/outbreak/cases/").content

    for role in (Role.GATEKEEPER, Role.DEPARTMENT_OFFICER, Role.ENTERPRISE_CLERK):
        client.force_login(world.users[role])
        assert client.get("/outbreak/cases/chains/").status_code == 404


def test_no_links_no_graph_and_no_record(world, client):
    services.case_report(user=world.users[Role.COUNTY_OFFICER], person=world.person_a,
                         data={"site": world.site_a.pk, "onset_date": day(0)})
    client.force_login(world.users[Role.SITE_MANAGER])
    r = client.get("/outbreak/cases/chains/")
    assert r.status_code == 200 and b"chains-empty" in r.content and b"<svg class" not in r.content
    assert r.context["graph"].unlinked == 1 and not AccessRecord.objects.exists()
    assert Case.objects.count() == 1
