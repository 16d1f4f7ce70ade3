import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Unit, UnitImport
from zhengtong.tests_support.codes import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users[Role.CITY_ADMIN])
    return client


def unit_post(**kw):
    return {"uscc": make_uscc("430422"), "name": "页面测试厂", "kind": "enterprise", "county": "430422",
            "industry": "3011", "status": "active", **kw}


def test_creating_a_unit_with_a_bad_code_shows_the_reason_and_keeps_the_input(admin_client):
    data = unit_post()
    data["uscc"] = data["uscc"][:-1] + ("0" if data["uscc"][-1] != "0" else "1")
    response = admin_client.post(reverse("registry:unit_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="uscc-errors"' in body and "页面测试厂" in body
    assert not Unit.objects.filter(name="页面测试厂").exists()


def test_creating_a_unit_redirects_to_its_page(admin_client):
    response = admin_client.post(reverse("registry:unit_create"), unit_post())
    unit = Unit.objects.get(name="页面测试厂")
    assert response.status_code == 302 and response["Location"] == reverse("registry:unit_detail", args=[unit.pk])


def test_edit_is_shown_in_the_history_page(admin_client, world):
    url = reverse("registry:unit_edit", args=[world.unit_a.pk])
    data = unit_post(uscc=world.unit_a.uscc, name=world.unit_a.name, address="衡南县云集镇")
    assert admin_client.post(url, data).status_code == 302
    body = admin_client.get(reverse("registry:unit_history", args=[world.unit_a.pk])).content.decode()
    assert "衡南县云集镇" in body and "admin" in body


def test_the_list_answers_htmx_with_the_table_only(admin_client, world):
    response = admin_client.get(reverse("registry:unit_list"), {"q": "衡南"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and world.unit_a.name in body and world.unit_b.name not in body


def _xlsx(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_page_reports_bad_rows_and_offers_the_report(admin_client):
    good = make_uscc("430422")
    content = _xlsx([
        ["统一社会信用代码", "单位名称", "所在县区", "行业代码"],
        [good, "导入好厂", "430422", "3011"],
        [good[:-1] + ("0" if good[-1] != "0" else "1"), "导入坏厂", "430422", "3011"],
    ])
    upload = SimpleUploadedFile("units.xlsx", content)
    response = admin_client.post(reverse("registry:unit_import"), {"file": upload}, follow=True)
    record = UnitImport.objects.get()
    assert (record.rows, record.created, record.invalid) == (2, 1, 1)
    body = response.content.decode()
    assert "导入坏厂" in body
    csv_body = admin_client.get(reverse("registry:unit_import_errors", args=[record.pk, "csv"])).content
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert rows[1][0] == "3"
    xlsx = admin_client.get(reverse("registry:unit_import_errors", args=[record.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert Unit.objects.filter(name="导入好厂").exists() and not Unit.objects.filter(name="导入坏厂").exists()


def test_another_users_import_report_is_not_found(client, world):
    record = UnitImport.objects.create(user=world.users[Role.CITY_ADMIN], file_name="x.csv")
    client.force_login(world.users[Role.COUNTY_OFFICER])
    assert client.get(reverse("registry:unit_import_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("registry:unit_import_errors", args=[record.pk, "csv"])).status_code == 404


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(admin_client):
    upload = SimpleUploadedFile("units.pdf", b"%PDF-1.4")
    response = admin_client.post(reverse("registry:unit_import"), {"file": upload})
    assert response.status_code == 200 and UnitImport.objects.count() == 0
    assert "errorlist" in response.content.decode()


def test_export_neutralises_formulas(admin_client, world):
    world.unit_a.name = "=HYPERLINK(\"http://x\")"
    world.unit_a.save()
    response = admin_client.get(reverse("registry:unit_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [c.value for c in sheet["B"]]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_language_switch_sets_english(admin_client):
    response = admin_client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "<h1>Home</h1>" in response.content.decode()


def test_pages_are_chinese_whatever_the_browser_asks(admin_client):
    body = admin_client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "<h1>首页</h1>" in body


def test_a_number_whose_region_code_is_younger_than_its_holder_is_registered_with_a_note(client, world):
    """Issue 16: accepted (the code is the household registration's place when issued), and said."""
    from stdnum.cn import ric

    from zhengtong.accounts.models import Role
    from zhengtong.registry.models import Person

    body = "43040819900307123"
    number = body + ric.calc_check_digit(body + "0")
    client.force_login(world.users[Role.SITE_MANAGER])
    response = client.post(reverse("registry:person_create"), {
        "site": world.site_a.pk, "name": "赵六", "id_number": number, "relation": "worker"},
        follow=True)
    page = response.content.decode()
    assert Person.objects.filter(name="赵六").exists()
    assert "常住户口所在地" in page and 'data-testid="id-note"' in page


def test_a_spreadsheet_past_the_upload_cap_is_refused_on_its_field_before_it_is_read(admin_client, settings):
    settings.IMPORT_MAX_MB = 1
    upload = SimpleUploadedFile("units.csv", "统一社会信用代码,单位名称\n".encode() + b"x" * (2 * 1024 * 1024))
    response = admin_client.post(reverse("registry:unit_import"), {"file": upload})
    assert response.status_code == 200 and UnitImport.objects.count() == 0
    errors = response.context["form"].errors["file"]
    assert errors == ["表格文件（.xlsx 或 .csv）：每个文件不超过1 MB。"]


def test_the_import_page_says_which_row_was_the_header_and_how_columns_were_read(admin_client):
    from zhengtong.registry.tests.test_imports import office_workbook
    from zhengtong.tests_support.codes import make_uscc

    content = office_workbook(["统一社会信用代码/注册号", "单位名称", "所在区县", "所属行业"],
                              [[make_uscc(n=51), "标题下的单位", "衡南县", "4411"]])
    upload = SimpleUploadedFile("名录.xlsx", content)
    response = admin_client.post(reverse("registry:unit_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "第3行作为表头" in page and 'data-testid="import-columns"' in page and "所属行业" in page


def test_a_unit_the_city_regulates_directly_says_who_sees_it(admin_client):
    from zhengtong.registry.models import Unit
    from zhengtong.tests_support.factories import UnitFactory

    unit = UnitFactory.create(county_code="430400", name="市直单位")
    assert Unit.objects.get(pk=unit.pk).county.code == "430400"
    page = admin_client.get(reverse("registry:unit_detail", args=[unit.pk])).content.decode()
    assert 'data-testid="city-level"' in page and "由市级直接监管" in page
