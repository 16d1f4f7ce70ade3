"""Exports of the outbreak app (issue 18, step 6): a trace, the case list and the isolation list as
.xlsx, the rows the page shows, masked as the page masks them, each export in the access log."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhengtong.accounts.models import Role
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import isolation, services
from zhengtong.outbreak.models import Case
from zhengtong.outbreak.tests.test_tracing import at, scenario, stay  # noqa: F401  (the fixture)
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def cells(rows: list[list]) -> set:
    return {v for row in rows for v in row if v is not None}


@pytest.fixture
def outsider(scenario):  # noqa: F811
    """A contact of the case whose only site is in another county: the county officer sees them masked."""
    world, case, p, sites = scenario
    person = PersonFactory(site=world.site_b, name="外县人")
    stay(person, sites["s1"], at(0, 10), at(0, 11, 30))  # 90 min with C (C is there 8–12)
    return person


def test_the_trace_export_is_the_pages_rows(scenario, outsider, client):  # noqa: F811
    world, case, p, _sites = scenario
    client.force_login(world.users[Role.COUNTY_OFFICER])
    page = client.get(f"/outbreak/cases/{case.pk}/trace/?degree=2&min_overlap_minutes=15&lookback_days=2")
    shown = page.context["result"].contacts
    rows = sheet(client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx?degree=2&min_overlap_minutes=15"
                            "&lookback_days=2"))
    header, body = rows[0], rows[1:]
    assert header == ["接触者", "身份证号", "层级", "经由", "重叠分钟数", "估算", "场所和区域（分钟）", "首次接触",
                      "在本人辖区内"]
    assert [r[0] for r in body] == [c.name for c in shown]  # the page's order
    by_name = {r[0]: r for r in body}
    b = by_name[p["B"].name]
    assert (b[2], b[3], b[4], b[5]) == (1, None, 90, False)
    assert sorted(b[6].split("; ")) == ["一号车间 (60)", "二号车间 (30)"]
    assert by_name[p["F"].name][5] is True  # a stay without exit: estimated
    k = by_name[p["K"].name]
    assert (k[2], k[3], k[4]) == (2, p["B"].name, 45)  # second degree, via B


def test_the_trace_export_masks_contacts_outside_the_scope_as_the_page(scenario, outsider, client):  # noqa: F811
    world, case, _p, _sites = scenario
    client.force_login(world.users[Role.COUNTY_OFFICER])
    masked = next(c for c in client.get(f"/outbreak/cases/{case.pk}/trace/").context["result"].contacts
                  if c.person_id == outsider.pk)
    assert masked.name == "（其他县区）" and not masked.in_scope
    rows = sheet(client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx"))
    row = next(r for r in rows if r[0] == "（其他县区）")
    assert (row[1], row[4], row[-1]) == (outsider.id_number_masked, 90, False)
    assert "外县人" not in cells(rows)

    client.force_login(world.users[Role.CITY_ADMIN])  # the city sees everyone
    assert "外县人" in cells(sheet(client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx")))


def test_a_trace_export_is_in_the_access_log_and_refused_as_the_page(scenario, client):  # noqa: F811
    world, case, _p, _sites = scenario
    client.force_login(world.users[Role.COUNTY_OFFICER])
    sheet(client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx?lookback_days=3&degree=2"))
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject_type, record.subject_id) == ("trace", "case", case.pk)
    assert record.detail == "export; lookback_days=3; degree=2"
    r = client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx?degree=9")
    assert r.status_code == 302 and "/trace/?degree=9" in r["Location"]
    assert AccessRecord.objects.count() == 1  # nothing shown, nothing recorded
    client.force_login(world.users[Role.SITE_MANAGER])
    assert client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx").status_code == 403
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.get(f"/outbreak/cases/{case.pk}/trace/export.xlsx").status_code == 404
    assert AccessRecord.objects.count() == 1


def test_the_case_export_is_the_filtered_list_in_scope(world, client):
    officer, admin = world.users[Role.COUNTY_OFFICER], world.users[Role.CITY_ADMIN]
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    mine = services.case_report(user=officer, person=world.person_a,
                                data={"site": world.site_a.pk, "onset_date": day, "symptoms": "=HYPERLINK(1)"})
    other = services.case_report(user=admin, person=world.person_b, data={"site": world.site_b.pk, "sample_date": day})
    client.force_login(officer)
    rows = sheet(client.get("/outbreak/cases/export.xlsx"))
    assert [r[0] for r in rows[1:]] == [mine.pk]  # the other county's case is not the officer's
    assert rows[1][1:4] == [world.person_a.name, world.person_a.id_number_masked, "疑似"]
    assert rows[1][8] == "'=HYPERLINK(1)"  # text, never a formula
    assert world.id_number_a not in cells(rows)
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject_type, record.detail) == ("case", "list", "export")

    client.force_login(admin)
    assert [r[0] for r in sheet(client.get("/outbreak/cases/export.xlsx"))[1:]] == [other.pk, mine.pk]
    rows = sheet(client.get(f"/outbreak/cases/export.xlsx?status=suspected&county={world.site_b.county_id}"))
    assert [r[0] for r in rows[1:]] == [other.pk]
    assert AccessRecord.objects.filter(detail=f"export; status=suspected; county={world.site_b.county_id}").exists()
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.get("/outbreak/cases/export.xlsx").status_code == 404


def test_the_isolation_export_is_the_filtered_list_in_scope(world, client):
    officer, admin = world.users[Role.COUNTY_OFFICER], world.users[Role.CITY_ADMIN]
    mine = isolation.isolation_order(user=officer, person=world.person_a,
                                     data={"reason": "arrival", "place": "hotel", "place_note": "雁城宾馆",
                                           "county": world.site_a.county_id})
    other = isolation.isolation_order(user=admin, person=world.person_b,
                                      data={"reason": "fever", "place": "site", "site": world.site_b.pk})
    client.force_login(officer)
    rows = sheet(client.get("/outbreak/isolation/export.xlsx"))
    assert [r[0] for r in rows[1:]] == [mine.pk]
    assert rows[1][1:6] == [world.person_a.name, world.person_a.id_number_masked, "外地来（返）人员",
                            "指定酒店 · 雁城宾馆", world.site_a.county.name]
    assert rows[1][8:] == [mine.planned_end.isoformat(), "隔离中", None]
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject_type, record.detail) == ("isolation", "list", "export")

    client.force_login(admin)
    assert {r[0] for r in sheet(client.get("/outbreak/isolation/export.xlsx"))[1:]} == {mine.pk, other.pk}
    assert [r[0] for r in sheet(client.get("/outbreak/isolation/export.xlsx?reason=fever"))[1:]] == [other.pk]
    assert sheet(client.get("/outbreak/isolation/export.xlsx?status=released"))[1:] == []
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    assert client.get("/outbreak/isolation/export.xlsx").status_code == 404


def test_the_list_pages_link_their_exports_with_their_filters(world, client):
    services.case_report(user=world.users[Role.COUNTY_OFFICER], person=world.person_a,
                         data={"site": world.site_a.pk, "onset_date": timezone.localdate().isoformat()})
    client.force_login(world.users[Role.COUNTY_OFFICER])
    assert b'href="/outbreak/cases/export.xlsx?status=suspected' in client.get("/outbreak/cases/?status=suspected"
                                                                                 "&page=1").content
    assert b'href="/outbreak/isolation/export.xlsx?reason=fever' in client.get("/outbreak/isolation/?reason=fever"
                                                                                 ).content
    case = Case.objects.get()
    AccessRecord.objects.all().delete()
    client.get("/outbreak/isolation/")  # an empty list shows no one: no record
    assert not AccessRecord.objects.exists()
    client.get(f"/outbreak/cases/{case.pk}/")
    client.get("/outbreak/cases/")
    assert sorted(AccessRecord.objects.values_list("subject_type", flat=True)) == ["case", "list"]


def test_the_trace_page_marks_the_contacts_in_isolation(scenario, client):  # noqa: F811
    world, case, p, _sites = scenario
    client.force_login(world.users[Role.COUNTY_OFFICER])
    r = client.post(f"/outbreak/cases/{case.pk}/trace/", {
        "lookback_days": 2, "min_overlap_minutes": 15, "degree": 1, "person": [p["B"].pk],
        "reason": "close_contact", "place": "hotel", "place_note": "雁城宾馆"})
    assert r.status_code == 302
    rows = client.get(r["Location"]).context["rows"]
    marked = {c.person_id: order for c, order in rows}
    assert marked[p["B"].pk] == case.isolation_orders.get().pk
    assert [pid for pid, order in marked.items() if order] == [p["B"].pk]
