"""Issue 15: the city administrator lists, filters and exports who viewed whose health data (the
roles that may open the page at all are rows of test_permission_matrix)."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from zhengtong.accounts import selectors
from zhengtong.accounts.models import Role
from zhengtong.core.models import AccessRecord

pytestmark = pytest.mark.django_db

ADMIN, MANAGER, COUNTY = Role.CITY_ADMIN, Role.SITE_MANAGER, Role.COUNTY_OFFICER
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def log(world):
    """Four views: the manager's of a person's ID number and of the site's health checks, the county
    officer's of the site's entries the next morning, and the city administrator's of another person."""
    manager, county, admin = (world.users[r] for r in (MANAGER, COUNTY, ADMIN))
    rows = [
        (manager, "id_number", "person", world.person_a.pk, str(world.person_a), "2020-02-20T09:00"),
        (manager, "health", "site", world.site_a.pk, "一号车间", "2020-02-20T23:30"),
        (county, "entries", "site", world.site_a.pk, "一号车间", "2020-02-21T00:10"),
        (admin, "id_number", "person", world.person_b.pk, str(world.person_b), "2020-02-22T12:00"),
    ]
    return [AccessRecord.objects.create(
        user=user, username=user.username, kind=kind, subject_type=subject_type, subject_id=subject_id,
        subject=subject, at=at(when), path=f"/x/{n}/", route="GET x/", address="10.0.0.1")
        for n, (user, kind, subject_type, subject_id, subject, when) in enumerate(rows)]


def shown(client, **params) -> list[int]:
    response = client.get(reverse("access_log"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return [int(part.split('"')[0]) for part in html.split('data-record="')[1:]]


@pytest.fixture
def admin(client, world):
    client.force_login(world.users[ADMIN])
    return client


def test_the_log_lists_every_view_newest_first(admin, log):
    assert shown(admin) == [r.pk for r in reversed(log)]
    html = admin.get(reverse("access_log")).content.decode()
    assert "访问日志" in html and "完整身份证号" in html and "体温与健康检查" in html and "进出登记" in html
    assert str(log[0].subject) in html and "10.0.0.1" in html


def test_reading_the_log_is_not_itself_logged(admin, log):
    admin.get(reverse("access_log"))
    admin.get(reverse("access_log_csv"))
    assert AccessRecord.objects.count() == len(log)


@pytest.mark.parametrize(("params", "expected"), [
    ({"user": "manag"}, [1, 0]),
    ({"kind": "id_number"}, [3, 0]),
    ({"subject_type": "site"}, [2, 1]),
    ({"whose": "一号"}, [2, 1]),
    ({"whose": "张三"}, [0]),
    ({"kind": "health", "user": "manager"}, [1]),
    ({"start": "2020-02-21"}, [3, 2]),  # the day in Shanghai: 00:10 on the 21st is the 20th in UTC
    ({"end": "2020-02-20"}, [1, 0]),
    ({"start": "2020-02-21", "end": "2020-02-21"}, [2]),
    ({"user": "nobody"}, []),
])
def test_the_log_filters_by_who_kind_whose_and_dates(admin, log, params, expected):
    assert shown(admin, **params) == [log[i].pk for i in expected]


def test_whose_by_id_finds_the_views_of_one_person_or_site(admin, log, world):
    assert shown(admin, whose=str(world.person_a.pk), subject_type="person") == [log[0].pk]
    assert shown(admin, whose=str(world.site_a.pk), subject_type="site") == [log[2].pk, log[1].pk]
    assert shown(admin, whose="9" * 30) == []


@pytest.mark.parametrize("params", [
    {"start": "2020-13-01"}, {"end": "9999-12-31"}, {"start": "0001-01-01"}, {"whose": "a\x00b"},
    {"user": "\x00"}, {"kind": "everything"}, {"page": "x²"},
])
def test_bad_filter_input_is_named_not_a_server_error(admin, log, params):
    response = admin.get(reverse("access_log"), params)
    assert response.status_code == 200
    assert admin.get(reverse("access_log_xlsx"), params).status_code == 200


def test_a_date_out_of_range_is_named_in_the_users_language(admin, log):
    html = admin.get(reverse("access_log"), {"end": "9999-12-31"}).content.decode()
    assert 'role="alert"' in html and "9998-12-31" in html


def test_the_log_is_paged(admin, world, log):
    AccessRecord.objects.bulk_create(AccessRecord(
        username="county", kind="entries", subject_type="site", subject_id=world.site_a.pk, subject="一号车间",
        at=at("2020-03-01T08:00"), path="/x/") for _ in range(settings.PAGE_SIZE))
    assert len(shown(admin)) == settings.PAGE_SIZE
    assert shown(admin, page="2") == [r.pk for r in reversed(log)]


def test_the_export_holds_the_filtered_rows(admin, log):
    response = admin.get(reverse("access_log_xlsx"), {"user": "manager"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["时间", "用户", "令牌或设备", "数据类别"]
    assert [(r[0], r[1], r[3], r[5]) for r in rows[1:]] == [
        ("2020-02-20 23:30:00", "manager", "体温与健康检查", log[1].subject_id),
        ("2020-02-20 09:00:00", "manager", "完整身份证号", log[0].subject_id)]


def test_the_csv_export_never_writes_a_formula(admin, world):
    AccessRecord.objects.create(username="manager", kind="id_number", subject_type="person",
                                subject_id=world.person_a.pk, subject="=HYPERLINK(\"http://x\")", path="/x/")
    response = admin.get(reverse("access_log_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][6] == "'=HYPERLINK(\"http://x\")"


def test_only_the_city_administrator_reads_the_log(world, log):
    for role in (MANAGER, COUNTY, "none"):
        assert not selectors.access_record_list(user=world.users[role]).exists()
    assert selectors.access_record_list(user=world.users[ADMIN]).count() == len(log)


def test_a_view_appears_in_the_log_for_the_city_administrator(client, world):
    client.force_login(world.users[MANAGER])
    client.get(reverse("registry:person_detail", args=[world.person_a.pk]), REMOTE_ADDR="10.9.8.7")
    client.force_login(world.users[ADMIN])
    html = client.get(reverse("access_log"), {"whose": world.person_a.pk, "subject_type": "person"}).content.decode()
    assert html.count('data-record="') == 1
    assert "manager" in html and "10.9.8.7" in html and f"/registry/people/{world.person_a.pk}/" in html
