"""Issue 16 §3, the entry log (出入登记台账) and its kin: a site's entries, health checks, alerts and
disinfections, and a person's entries across the viewer's sites; listed a keyset page at a time,
filtered, exported (in the request, or as a job past EXPORT_MAX_ROWS_INLINE), each view and export
one access record; seen only by those the scopes allow, with ID numbers masked as the role requires."""

import io
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core import exportjobs
from zhengtong.core.models import AccessRecord, ExportFile
from zhengtong.screening.models import Alert, Area, Disinfection, Entry, HealthCheck
from zhengtong.tests_support.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, MANAGER, GATE, CLERK, DEPT, REVIEWER = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER, Role.ENTERPRISE_CLERK,
    Role.DEPARTMENT_OFFICER, Role.PERMIT_REVIEWER)
ZONE = timezone.get_default_timezone()


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def entry(site, person, when, **kw) -> Entry:
    kw.setdefault("decision", "admit")
    kw.setdefault("reason", "ok")
    return Entry.objects.create(client_uuid=uuid.uuid4(), site=site, person=person, entered_at=when, **kw)


@pytest.fixture
def log(world):
    """Entries at world.site_a: person_a on three days (one refused with a fever, one with an
    estimated exit, from a device), a visitor with a formula for a name, and one at site_b."""
    north = Area.objects.create(site=world.site_a, name="北门")
    south = Area.objects.create(site=world.site_a, name="=HYPERLINK(\"http://x\")")
    visitor = PersonFactory(name="=cmd|' /C calc'!A0")
    rows = {
        "a1": entry(world.site_a, world.person_a, at(1), area=north, temperature=Decimal("36.5"),
                    left_at=at(1, 17), source="page"),
        "a2": entry(world.site_a, world.person_a, at(2), area=south, temperature=Decimal("38.2"),
                    decision="refuse", reason="fever", source="api"),
        "a3": entry(world.site_a, world.person_a, at(3), area=north, temperature=Decimal("36.6"),
                    left_at=at(3, 17), left_estimated=True, source="sync"),
        "v": entry(world.site_a, visitor, at(2, 10), decision="refuse", reason="closed"),
        "b": entry(world.site_b, world.person_a, at(2, 11)),
    }
    return {"north": north, "south": south, "visitor": visitor, **rows}


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def site_log_url(site, name="entries"):
    return reverse("screening:site_log", args=[site.pk, name])


def shown(response) -> list[int]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return [row.obj.pk for row in response.context["rows"]]


# Scopes and masking ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [ADMIN, COUNTY, MANAGER, GATE])
def test_those_who_see_the_site_read_its_entry_log(client, world, log, role):
    response = get(client, world.users[role], site_log_url(world.site_a))
    assert shown(response) == [log[k].pk for k in ("a3", "v", "a2", "a1")]


@pytest.mark.parametrize("role", [CLERK, DEPT, REVIEWER, "none"])
def test_everyone_else_gets_a_404(client, world, log, role):
    for name in ("entries", "health", "alerts", "disinfections"):
        assert get(client, world.users[role], site_log_url(world.site_a, name)).status_code == 404
        url = reverse("screening:site_log_export", args=[world.site_a.pk, name])
        assert get(client, world.users[role], url).status_code == 404
    assert AccessRecord.objects.count() == 0


@pytest.mark.parametrize("role", [COUNTY, MANAGER, GATE])
def test_another_countys_site_is_a_404(client, world, log, role):
    assert get(client, world.users[role], site_log_url(world.site_b)).status_code == 404


def test_a_gatekeeper_sees_entries_and_disinfections_but_no_health_checks_or_alerts(client, world, log):
    gate = world.users[GATE]
    assert get(client, gate, site_log_url(world.site_a, "disinfections")).status_code == 200
    assert get(client, gate, site_log_url(world.site_a, "health")).status_code == 404
    assert get(client, gate, site_log_url(world.site_a, "alerts")).status_code == 404
    assert get(client, world.users[MANAGER], site_log_url(world.site_a, "health")).status_code == 200
    assert get(client, world.users[COUNTY], site_log_url(world.site_a, "alerts")).status_code == 200


def test_an_unknown_log_is_a_404(client, world):
    assert get(client, world.users[ADMIN], site_log_url(world.site_a, "nothing")).status_code == 404


@pytest.mark.parametrize(("role", "whole"), [(ADMIN, True), (COUNTY, True), (MANAGER, True), (GATE, False)])
def test_id_numbers_are_masked_as_the_role_requires(client, world, log, role, whole):
    response = get(client, world.users[role], site_log_url(world.site_a), q=world.person_a.name)
    body = response.content.decode()
    assert (world.id_number_a in body) is whole
    assert world.person_a.id_number_masked in body or whole


def test_the_columns_say_time_person_decision_reason_temperature_area_source_and_exit(client, world, log):
    from zhengtong.screening.logs import ENTRIES

    response = get(client, world.users[MANAGER], site_log_url(world.site_a))
    keys = [c.key for c in ENTRIES.columns]
    rows = {row.obj.pk: dict(zip(keys, [value for _label, value in row.cells], strict=True))
            for row in response.context["rows"]}
    a1, a2, a3 = rows[log["a1"].pk], rows[log["a2"].pk], rows[log["a3"].pk]
    assert (a2["person"], a2["id_number"], a2["decision"], a2["reason"], a2["temperature"], a2["area"],
            a2["source"], a2["exit"], a2["estimated"]) == (
        "张三", world.id_number_a, "已拒绝", "发热", Decimal("38.2"), log["south"].name, "门岗设备", None, "")
    assert (a1["source"], a1["exit"], a1["estimated"]) == ("门岗登记页面", at(1, 17), "否")
    assert (a3["source"], a3["estimated"]) == ("离线同步", "是")
    html = response.content.decode()
    assert 'class="stack"' in html and 'data-label="体温（°C）"' in html
    assert "2026-11-01 17:00:00" in html


# Filters ---------------------------------------------------------------------------------


def test_filters_by_day_span_decision_area_and_person(client, world, log):
    user, url = world.users[MANAGER], site_log_url(world.site_a)
    assert shown(get(client, user, url, day_from="2026-11-02", day_to="2026-11-02")) == [log["v"].pk, log["a2"].pk]
    assert shown(get(client, user, url, day_from="2026-11-02")) == [log["a3"].pk, log["v"].pk, log["a2"].pk]
    assert shown(get(client, user, url, day_to="2026-11-01")) == [log["a1"].pk]
    assert shown(get(client, user, url, status="refuse")) == [log["v"].pk, log["a2"].pk]
    assert shown(get(client, user, url, area=log["north"].pk)) == [log["a3"].pk, log["a1"].pk]
    assert shown(get(client, user, url, q="张")) == [log["a3"].pk, log["a2"].pk, log["a1"].pk]
    assert shown(get(client, user, url, q=world.id_number_a)) == [log["a3"].pk, log["a2"].pk, log["a1"].pk]
    assert shown(get(client, user, url, q=world.id_number_a, status="refuse", area=log["south"].pk)) == [log["a2"].pk]


@pytest.mark.parametrize(("params", "field"), [
    ({"day_from": "2026-13-01"}, "day_from"), ({"day_from": "2026-11-03", "day_to": "2026-11-01"}, "day_to"),
    ({"status": "maybe"}, "status"), ({"area": "999999"}, "area"), ({"q": "x" * 101}, "q"),
])
def test_bad_filters_are_refused_naming_the_field(client, world, log, params, field):
    response = get(client, world.users[MANAGER], site_log_url(world.site_a), **params)
    assert response.status_code == 400
    assert field in response.context["filters"].errors
    assert response.context["rows"] == []
    assert AccessRecord.objects.count() == 0


def test_another_sites_area_is_refused(client, world, log):
    other = Area.objects.create(site=world.site_b, name="B")
    response = get(client, world.users[ADMIN], site_log_url(world.site_a), area=other.pk)
    assert response.status_code == 400 and "area" in response.context["filters"].errors


def test_a_bad_cursor_is_a_clear_error(client, world, log):
    response = get(client, world.users[MANAGER], site_log_url(world.site_a), cursor="garbage")
    assert response.status_code == 400
    assert "此页的链接无效：请从第一页重新开始。" in response.content.decode()


def test_pages_follow_one_another_with_more_than_n(client, world, log, settings):
    settings.PAGE_SIZE, settings.LOG_COUNT_CAP = 2, 3
    user, url = world.users[MANAGER], site_log_url(world.site_a)
    first = get(client, user, url)
    assert shown(first) == [log["a3"].pk, log["v"].pk]
    assert first.context["count"].more and first.context["count"].n == 3
    second = get(client, user, url, cursor=first.context["page"].older)
    assert shown(second) == [log["a2"].pk, log["a1"].pk]
    assert second.context["page"].older is None
    back = get(client, user, url, cursor=second.context["page"].newer)
    assert shown(back) == [log["a3"].pk, log["v"].pk]


# Health checks, alerts, disinfections -------------------------------------------------------


def test_health_checks_alerts_and_disinfections_are_listed_and_filtered(client, world, log):
    manager = world.users[MANAGER]
    hot = HealthCheck.objects.create(site=world.site_a, person=world.person_a, checked_on=at(2).date(),
                                     checked_at=at(2), temperature=Decimal("38.0"), is_fever=True)
    cool = HealthCheck.objects.create(site=world.site_a, person=log["visitor"], checked_on=at(3).date(),
                                      checked_at=at(3), temperature=Decimal("36.4"))
    HealthCheck.objects.create(site=world.site_b, person=world.person_b, checked_on=at(3).date(),
                               checked_at=at(3), temperature=Decimal("36.4"))
    url = site_log_url(world.site_a, "health")
    assert shown(get(client, manager, url)) == [cool.pk, hot.pk]
    assert shown(get(client, manager, url, status="fever")) == [hot.pk]
    assert shown(get(client, manager, url, q="张三")) == [hot.pk]
    assert shown(get(client, manager, url, day_from="2026-11-03")) == [cool.pk]

    alert = Alert.objects.create(recipient=manager, kind="fever", site=world.site_a, person=world.person_a,
                                 message="张三 发热")
    done = Alert.objects.create(recipient=world.users[COUNTY], kind="fever", site=world.site_a,
                                person=world.person_a, message="张三 发热", acknowledged_at=timezone.now())
    url = site_log_url(world.site_a, "alerts")
    assert shown(get(client, manager, url)) == [done.pk, alert.pk]
    assert shown(get(client, manager, url, status="open")) == [alert.pk]
    assert shown(get(client, manager, url, status="acknowledged")) == [done.pk]

    d1 = Disinfection.objects.create(site=world.site_a, area=log["north"], agent="84", done_at=at(1),
                                     operator="王五")
    d2 = Disinfection.objects.create(site=world.site_a, area=log["south"], agent="75%酒精", done_at=at(2),
                                     operator="=1+2")
    url = site_log_url(world.site_a, "disinfections")
    assert shown(get(client, world.users[GATE], url)) == [d2.pk, d1.pk]
    assert shown(get(client, manager, url, area=log["north"].pk)) == [d1.pk]
    assert shown(get(client, manager, url, day_from="2026-11-02", day_to="2026-11-02")) == [d2.pk]


# Exports ---------------------------------------------------------------------------------


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_filtered_log_exports_with_its_columns_and_neutralised_cells(client, world, log):
    from zhengtong.screening.logs import ENTRIES

    client.force_login(world.users[MANAGER])
    url = reverse("screening:site_log_export", args=[world.site_a.pk, "entries"])
    response = client.get(url, {"day_from": "2026-11-02", "day_to": "2026-11-02"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="entries-')
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == [str(c.label) for c in ENTRIES.columns] and len(rows[0]) == 10
    assert len(rows) == 3
    visitor, fever = rows[1], rows[2]
    assert visitor[1] == "'=cmd|' /C calc'!A0"  # a formula-like name stays text
    assert fever[2] == world.id_number_a and fever[5] == 38.2
    assert fever[6] == "'=HYPERLINK(\"http://x\")"
    assert fever[0] == "2026-11-02 09:00:00"
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject_type, record.subject_id) == ("entries", "site", world.site_a.pk)
    assert record.detail.startswith("export") and "day_from=2026-11-02" in record.detail


def test_a_gatekeepers_export_masks_the_id_numbers(client, world, log):
    client.force_login(world.users[GATE])
    url = reverse("screening:site_log_export", args=[world.site_a.pk, "entries"])
    rows = read_xlsx(b"".join(client.get(url, {"q": "张三"}).streaming_content))
    assert {row[2] for row in rows[1:]} == {world.person_a.id_number_masked}
    assert world.id_number_a not in {row[2] for row in rows[1:]}


def test_disinfections_export_neutralised_too(client, world, log):
    Disinfection.objects.create(site=world.site_a, area=log["north"], agent="84", done_at=at(1), operator="=1+2")
    client.force_login(world.users[GATE])
    url = reverse("screening:site_log_export", args=[world.site_a.pk, "disinfections"])
    rows = read_xlsx(b"".join(client.get(url).streaming_content))
    assert rows[1][1:] == ["北门", "84", "'=1+2"]


# The job path ----------------------------------------------------------------------------


@pytest.fixture
def jobs(settings, tmp_path, monkeypatch):
    """Exports past 2 rows become jobs, run at once (django-q2's sync mode), their files in tmp_path."""
    from django_q.conf import Conf

    settings.EXPORT_MAX_ROWS_INLINE = 2
    settings.EXPORT_DIR = tmp_path
    monkeypatch.setattr(Conf, "SYNC", True)
    return tmp_path


def test_a_long_export_becomes_a_job_only_its_owner_downloads(client, world, log, jobs):
    manager = world.users[MANAGER]
    client.force_login(manager)
    url = reverse("screening:site_log_export", args=[world.site_a.pk, "entries"])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("export_list")
    export = ExportFile.objects.get()
    assert (export.user, export.status, export.rows) == (manager, "done", 4)
    assert export.params["log"] == "entries" and export.params["site"] == world.site_a.pk
    assert AccessRecord.objects.get().detail == f"export job {export.pk}"

    page = client.get(reverse("export_list"))
    assert reverse("export_download", args=[export.pk]) in page.content.decode()
    download = client.get(reverse("export_download", args=[export.pk]))
    rows = read_xlsx(b"".join(download.streaming_content))
    assert len(rows) == 5 and rows[1][1] == "张三"

    client.force_login(world.users[ADMIN])
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 404
    assert export.title not in client.get(reverse("export_list")).content.decode()


def test_the_job_applies_the_filters_and_the_masking_of_the_user(client, world, log, jobs):
    client.force_login(world.users[GATE])
    url = reverse("screening:site_log_export", args=[world.site_a.pk, "entries"])
    client.get(url, {"day_from": "2026-11-02"})
    export = ExportFile.objects.get()
    assert export.rows == 3
    _export, path = exportjobs.export_file_path(user=world.users[GATE], pk=export.pk)
    rows = read_xlsx(path.read_bytes())
    assert world.person_a.id_number_masked in {row[2] for row in rows}
    assert world.id_number_a not in {row[2] for row in rows}


def test_a_job_whose_user_lost_the_site_fails_with_the_reason(world, log, jobs):
    from zhengtong.screening import logs

    stranger = UserFactory(username="stranger")
    export = logs.log_export_job(user=stranger, log=logs.ENTRIES, title="x", site=world.site_a, person=None,
                                 query={})
    export.refresh_from_db()
    assert export.status == "failed" and export.error and not export.file_name


def test_expired_exports_are_deleted_and_no_longer_downloadable(client, world, log, jobs):
    from zhengtong.core.jobs import expire_exports

    client.force_login(world.users[MANAGER])
    client.get(reverse("screening:site_log_export", args=[world.site_a.pk, "entries"]))
    export = ExportFile.objects.get()
    assert (jobs / export.file_name).is_file()
    assert expire_exports(now=timezone.now()) == "expired 0 export(s)"
    later = export.expires_at + timedelta(seconds=1)
    assert expire_exports(now=later) == "expired 1 export(s)"
    export.refresh_from_db()
    assert export.status == "expired" and not any(jobs.iterdir())
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 404


# A person's entries ----------------------------------------------------------------------


def test_a_persons_entries_across_the_sites_the_viewer_sees(client, world, log):
    url = reverse("screening:person_entries", args=[world.person_a.pk])
    everything = [log[k].pk for k in ("a3", "b", "a2", "a1")]
    assert shown(get(client, world.users[ADMIN], url)) == everything
    assert shown(get(client, world.users[COUNTY], url)) == [log[k].pk for k in ("a3", "a2", "a1")]
    assert shown(get(client, world.users[GATE], url, status="refuse")) == [log["a2"].pk]
    response = get(client, world.users[ADMIN], url)
    assert response.context["headers"][0] == "场所" and len(response.context["headers"]) == 11


def test_a_refused_visitor_is_reached_through_the_entry_log(client, world, log):
    url = reverse("screening:person_entries", args=[log["visitor"].pk])
    assert shown(get(client, world.users[MANAGER], url)) == [log["v"].pk]


@pytest.mark.parametrize("role", [CLERK, DEPT, "none"])
def test_a_persons_entries_are_a_404_for_the_others(client, world, log, role):
    url = reverse("screening:person_entries", args=[world.person_a.pk])
    assert get(client, world.users[role], url).status_code == 404
    assert get(client, world.users[role], url.replace("entries/", "entries/export.xlsx")).status_code == 404


def test_a_person_seen_nowhere_is_a_404(client, world, log):
    assert get(client, world.users[MANAGER], reverse("screening:person_entries",
                                                     args=[world.person_b.pk])).status_code == 404


def test_a_persons_entries_export(client, world, log):
    client.force_login(world.users[COUNTY])
    rows = read_xlsx(b"".join(client.get(reverse("screening:person_entries_export",
                                                 args=[world.person_a.pk])).streaming_content))
    assert [row[0] for row in rows[1:]] == ["一号车间"] * 3
    record = AccessRecord.objects.get()
    assert (record.subject_type, record.subject_id) == ("person", world.person_a.pk)


# Access records --------------------------------------------------------------------------


def test_each_page_writes_one_access_record_for_all_its_rows(client, world, log):
    manager = world.users[MANAGER]
    get(client, manager, site_log_url(world.site_a), status="refuse", q="张三")
    get(client, manager, site_log_url(world.site_a, "health"))
    get(client, manager, site_log_url(world.site_a, "alerts"))
    get(client, manager, reverse("screening:person_entries", args=[world.person_a.pk]))
    records = list(AccessRecord.objects.order_by("pk"))
    assert [(r.kind, r.subject_type) for r in records] == [
        ("entries", "site"), ("health", "site"), ("health", "site"), ("entries", "person")]
    assert records[0].detail == "status=refuse; q=张三"


def test_disinfections_hold_no_health_data_and_write_no_access_record(client, world, log):
    assert get(client, world.users[GATE], site_log_url(world.site_a, "disinfections")).status_code == 200
    assert AccessRecord.objects.count() == 0


def test_the_site_page_links_to_the_entry_log(client, world):
    response = get(client, world.users[GATE], reverse("screening:site", args=[world.site_a.pk]))
    assert site_log_url(world.site_a) in response.content.decode()


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="the plan is PostgreSQL's")
def test_a_keyset_page_reads_the_site_time_id_index(world, log):
    from zhengtong.core.keyset import encode_cursor, keyset_page
    from zhengtong.screening import logs

    qs = logs.log_list(user=world.users[MANAGER], log=logs.ENTRIES, site=world.site_a)
    page = qs.filter(entered_at__lte=at(3), pk__gt=0).order_by("-entered_at", "-pk")[:51]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = page.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "entry_site_time_id" in plan or "site_id_entered_at_id" in plan, plan
    assert len(keyset_page(qs, time_field="entered_at", cursor=encode_cursor(at(3), log["a3"].pk))) == 3
