"""Exports: no text ever becomes a formula (safe_cell on every cell), and the unit export reads
back through the unit import unchanged."""

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.registry import selectors
from zhengtong.registry.exports import UNIT_HEADERS, restore_cell, safe_cell, units_xlsx, write_csv, write_xlsx
from zhengtong.registry.imports import units_import
from zhengtong.registry.models import Region, Unit
from zhengtong.tests_support.codes import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted in English; the product's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield

DANGEROUS_NAMES = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)"]



def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


@pytest.fixture
def city_admin():
    user = User.objects.create_user("city-admin")
    RoleAssignment.objects.create(user=user, role=Role.CITY_ADMIN, region=Region.objects.get(code="430400"))
    return user


@pytest.fixture
def county_officer():
    user = User.objects.create_user("hengnan-officer")
    RoleAssignment.objects.create(user=user, role=Role.COUNTY_OFFICER, region=Region.objects.get(code="430422"))
    return user


# safe_cell -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        ("\u3000=1", "'\u3000=1"),  # full-width space
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\tplain", "'\tplain"),
        ("\rplain", "'\rplain"),
        ("\n@x", "'\n@x"),
        ("衡南火电厂", "衡南火电厂"),
        ("a=b", "a=b"),
        ("0734-8123456", "0734-8123456"),
        ("", ""),
        (42, 42),
        (-1, -1),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("text", [*DANGEROUS_NAMES, "'quoted'", "it's", "'", "plain", " -x", "\tx"])
def test_restore_cell_undoes_safe_cell(text):
    assert restore_cell(safe_cell(text)) == text


# write_xlsx, write_csv -------------------------------------------------------------------


def test_write_xlsx_never_writes_a_formula():
    content = write_xlsx(["名称", "数量"], [[name, 1] for name in DANGEROUS_NAMES] + [["=1+1", 2.5]])
    assert "<f>" not in sheet_xml(content)
    workbook = load_workbook(io.BytesIO(content))
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == ["'" + n for n in DANGEROUS_NAMES] + ["'=1+1"]
    assert [row[1] for row in sheet_rows(content)[1:]] == [1, 1, 1, 1, 2.5]


def test_write_xlsx_keeps_codes_as_text_and_long_numbers_exact():
    content = write_xlsx(["a", "b", "c", "d"], [["0111", 123456789012345678, None, True]])
    assert sheet_rows(content)[1] == ("0111", "123456789012345678", None, True)


def test_write_xlsx_takes_a_generator():
    rows = ([f"单位{i}", i] for i in range(3))
    expected = [("名称", "序号"), ("单位0", 0), ("单位1", 1), ("单位2", 2)]
    assert sheet_rows(write_xlsx(["名称", "序号"], rows)) == expected


def test_write_csv_has_a_bom_and_neutralises_formulas():
    content = write_csv(["名称", "数量"], [["=cmd|' /C calc'!A0", 3], ["衡南", None]])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == ["名称,数量", "'=cmd|' /C calc'!A0,3", "衡南,"]


# The unit export -------------------------------------------------------------------------


def import_units(user, rows) -> None:
    header = ["统一社会信用代码", "单位名称", "县区", "行业代码", "其他行业", "地址", "联系电话", "类型", "状态"]
    content = write_csv(header, rows)
    report = units_import(user=user, file_name="seed.csv", content=content)
    assert report.invalid == 0, report.errors


@pytest.fixture
def units(city_admin):
    rows = [
        [make_uscc(n=i + 1), name, "430422", "4411", "3011", "", "", "enterprise", "active"]
        for i, name in enumerate(DANGEROUS_NAMES)
    ]
    rows += [
        [make_uscc(n=10), "衡南稻谷合作社", "衡南县", "0111", "", "衡南县车江镇", "+86 0734-8123456",
         "social_organisation", "suspended"],
        [make_uscc("430421", n=11), "衡阳县水泥厂", "430421", "3011", "", "-", "", "public_institution", "closed"],
    ]
    import_units(city_admin, rows)
    return Unit.objects.order_by("uscc")


def test_the_unit_export_has_the_chinese_layout_and_neutralises_names(units):
    rows = sheet_rows(units_xlsx(units))
    assert list(rows[0]) == UNIT_HEADERS
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == 6
    assert [by_code[make_uscc(n=i + 1)][1] for i in range(4)] == ["'" + n for n in DANGEROUS_NAMES]
    rice = by_code[make_uscc(n=10)]
    assert rice[1:6] == ("衡南稻谷合作社", "Social organisation", "衡南县", "0111", "稻谷种植")
    assert rice[9:] == ("'+86 0734-8123456", "Suspended")
    assert by_code[make_uscc("430421", n=11)][6] == "'-"


def test_the_unit_export_round_trips_through_the_import(city_admin, units):
    before = Unit.history.model.objects.count()
    report = units_import(user=city_admin, file_name="export.xlsx", content=units_xlsx(units))
    assert report.counts == {"rows": 6, "created": 0, "updated": 0, "unchanged": 6, "invalid": 0}, report.errors
    assert report.warnings == []  # 行业名称 is known to be for reading only
    assert Unit.history.model.objects.count() == before
    assert set(Unit.objects.values_list("name", flat=True)) >= set(DANGEROUS_NAMES)
    # other industries are not in the export, and keep their value
    assert list(Unit.objects.get(uscc=make_uscc(n=1)).other_industries.values_list("code", flat=True)) == ["3011"]


def test_an_edited_export_updates_only_the_edited_unit(city_admin, units):
    workbook = load_workbook(io.BytesIO(units_xlsx(units)))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == make_uscc(n=10):
            row[6].value = "衡南县新地址"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = units_import(user=city_admin, file_name="edited.xlsx", content=buffer.getvalue())
    assert (report.updated, report.unchanged) == (1, 5)
    assert Unit.objects.get(uscc=make_uscc(n=10)).address == "衡南县新地址"


def test_a_county_officer_exports_only_their_county(county_officer, units):
    qs = selectors.unit_list(user=county_officer)
    rows = sheet_rows(units_xlsx(qs))
    assert len(rows) == 1 + 5
    assert {row[3] for row in rows[1:]} == {"衡南县"}
    report = units_import(user=county_officer, file_name="mine.xlsx", content=units_xlsx(qs))
    assert report.counts["unchanged"] == 5


def test_an_empty_export_is_just_the_header():
    assert sheet_rows(units_xlsx(Unit.objects.none())) == [tuple(UNIT_HEADERS)]
