"""Importing units from .xlsx and .csv: every row checked by services.clean_unit_data and the
importer's scope, good rows written, bad rows reported with their spreadsheet row number.
The test files are written here at run time (openpyxl, csv), not kept as binaries."""

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core.errors import DomainError
from zhengtong.registry import imports, selectors, services
from zhengtong.registry.imports import ImportFileError, error_report_csv, error_report_xlsx, read_table, units_import
from zhengtong.registry.models import Industry, Region, Unit
from zhengtong.tests_support.codes import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted in English; the product's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield

HEADER = ["统一社会信用代码", "单位名称", "单位类型", "所在县区", "行业代码", "地址", "联系电话"]



def wrong_check(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def history_count() -> int:
    return Unit.history.model.objects.count()


def errors_by_row(report) -> dict[int, set[str]]:
    result: dict[int, set[str]] = {}
    for e in report.errors:
        result.setdefault(e.row, set()).add(e.field)
    return result


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


def good_rows():
    return [
        HEADER,
        [make_uscc(n=1), "衡南火电厂", "企业", "430422", 4411, "衡南县云集镇", 13800000001.0],
        [make_uscc(n=2), "衡南水泥厂", "enterprise", "衡南县", "3011", "", "0734-8123456"],
        [make_uscc(n=3), "衡南稻谷合作社", "", 430422, 111, "衡南县车江镇", "13800000003"],
        [make_uscc("430421", n=4), "衡阳县水泥厂", "Public institution", "衡阳县", 3011, "衡阳县西渡镇", ""],
    ]


# Reading files ---------------------------------------------------------------------------


def test_read_table_turns_excel_numbers_back_into_text():
    rows = read_table("units.xlsx", xlsx_bytes(good_rows()))
    assert len(rows) == 4
    assert rows[0]["行业代码"] == "4411"
    assert rows[0]["联系电话"] == "13800000001"
    assert rows[2]["所在县区"] == "430422"
    assert rows[2]["行业代码"] == "111"  # the import reads it as class 0111 (below)
    assert rows[2]["单位类型"] == ""


def test_read_table_keeps_row_numbers_across_blank_rows_and_drops_trailing_ones():
    rows = read_table("units.xlsx", xlsx_bytes([HEADER, ["a"], [], ["b"], [], [None, ""]]))
    assert [r["统一社会信用代码"] for r in rows] == ["a", "", "b"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_table_reads_csv_in_utf8_with_or_without_bom_and_gb18030(encoding):
    rows = read_table("units.csv", csv_bytes([["单位名称", "地址"], ["衡南火电厂", "衡南县云集镇"]], encoding))
    assert rows == [{"单位名称": "衡南火电厂", "地址": "衡南县云集镇"}]


# Good files ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_good_file_imports_every_row(city_admin, kind):
    content = xlsx_bytes(good_rows()) if kind == "xlsx" else csv_bytes(good_rows())
    report = units_import(user=city_admin, file_name=f"units.{kind}", content=content)

    assert report.errors == []
    assert report.counts == {"rows": 4, "created": 4, "updated": 0, "unchanged": 0, "invalid": 0}
    power = Unit.objects.get(uscc=make_uscc(n=1))
    assert (power.name, power.county.code, power.industry.code, power.contact_phone) == (
        "衡南火电厂", "430422", "4411", "13800000001"
    )
    assert Unit.objects.get(uscc=make_uscc(n=2)).county.code == "430422"  # county by name
    assert Unit.objects.get(uscc=make_uscc(n=3)).industry.code == "0111"  # Excel's 111 is class 0111
    assert Unit.objects.get(uscc=make_uscc("430421", n=4)).kind == Unit.Kind.PUBLIC_INSTITUTION  # English label
    record = power.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", city_admin, "import")


def test_english_headers_and_other_industries(city_admin):
    rows = [
        ["USCC", "Name", "county", "Industry", "Other industries", "contact_phone", "Status"],
        [make_uscc(n=5), "Plant", "430422", "4411", "3011、2221", "+86 0734-8123456", "suspended"],
    ]
    report = units_import(user=city_admin, file_name="units.csv", content=csv_bytes(rows))
    assert report.counts["created"] == 1, report.errors
    unit = Unit.objects.get(uscc=make_uscc(n=5))
    assert sorted(unit.other_industries.values_list("code", flat=True)) == ["2221", "3011"]
    assert unit.status == Unit.Status.SUSPENDED


def test_a_gb18030_csv_from_chinese_excel_imports(city_admin):
    content = csv_bytes(good_rows(), encoding="gb18030")
    report = units_import(user=city_admin, file_name="单位.csv", content=content)
    assert report.counts["created"] == 4, report.errors
    assert Unit.objects.filter(name="衡南火电厂", address="衡南县云集镇").exists()


# Bad rows --------------------------------------------------------------------------------


def bad_rows():
    return [
        HEADER,
        [make_uscc(n=1), "衡南火电厂", "企业", "430422", "4411", "", ""],  # 2: good
        [wrong_check(make_uscc(n=2)), "校验位错", "企业", "430422", "4411", "", ""],  # 3
        [make_uscc(n=3), "行业不存在", "企业", "430422", "9999", "", ""],  # 4
        [make_uscc(n=4), "行业是大类", "企业", "430422", "441", "", ""],  # 5: a group, not a class
        [make_uscc(n=5), "县区不存在", "企业", "某某县", "4411", "", ""],  # 6
        [make_uscc(n=6), "", "企业", "430422", "4411", "", ""],  # 7: no name
        [make_uscc(n=1), "重复的代码", "企业", "430422", "3011", "", ""],  # 8: same code as row 2
        [make_uscc(n=7), "衡南水泥厂", "企业", "430422", "3011", "", "13800000007"],  # 9: good
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_bad_rows_are_reported_and_only_good_rows_imported(city_admin, kind):
    content = xlsx_bytes(bad_rows()) if kind == "xlsx" else csv_bytes(bad_rows())
    report = units_import(user=city_admin, file_name=f"units.{kind}", content=content)

    assert report.counts == {"rows": 8, "created": 2, "updated": 0, "unchanged": 0, "invalid": 6}
    assert set(Unit.objects.values_list("name", flat=True)) == {"衡南火电厂", "衡南水泥厂"}
    assert errors_by_row(report) == {
        3: {"uscc"}, 4: {"industry"}, 5: {"industry"}, 6: {"county"}, 7: {"name"}, 8: {"uscc"},
    }
    by_row = {e.row: e for e in report.errors}
    assert "should be" in by_row[3].message  # the check character it should be
    assert "9999" in by_row[4].message
    assert "441" in by_row[5].message and "4-digit class" in by_row[5].message
    assert "某某县" in by_row[6].message
    assert "row 2" in by_row[8].message
    # each error names the row as the clerk typed it, and the column as headed in the file
    assert (by_row[8].uscc, by_row[8].name, by_row[8].column) == (make_uscc(n=1), "重复的代码", "统一社会信用代码")
    assert by_row[6].column == "所在县区"


def test_a_county_officer_imports_only_in_their_own_county(city_admin, county_officer):
    elsewhere = make_uscc("430421", n=9)
    units_import(user=city_admin, file_name="a.csv", content=csv_bytes([
        HEADER, [elsewhere, "衡阳县已登记单位", "企业", "430421", "3011", "", ""],
    ]))
    rows = [
        HEADER,
        [make_uscc(n=1), "衡南火电厂", "企业", "430422", "4411", "", ""],  # 2: own county
        [make_uscc("430421", n=2), "衡阳县新单位", "企业", "430421", "3011", "", ""],  # 3: another county
        [elsewhere, "改到衡南", "企业", "430422", "3011", "", ""],  # 4: a unit of another county
    ]
    report = units_import(user=county_officer, file_name="b.xlsx", content=xlsx_bytes(rows))

    assert report.counts == {"rows": 3, "created": 1, "updated": 0, "unchanged": 0, "invalid": 2}
    assert errors_by_row(report) == {3: {"county"}, 4: {"uscc"}}
    assert Unit.objects.get(uscc=elsewhere).name == "衡阳县已登记单位"
    assert not Unit.objects.filter(uscc=make_uscc("430421", n=2)).exists()
    assert Unit.objects.get(uscc=make_uscc(n=1)).history.get().history_user == county_officer


def test_users_who_may_not_import_units_are_refused():
    clerk = User.objects.create_user("nobody")
    content = csv_bytes(good_rows())
    with pytest.raises(PermissionDenied):
        units_import(user=clerk, file_name="units.csv", content=content)
    with pytest.raises(PermissionDenied):
        units_import(user=None, file_name="units.csv", content=content)
    assert not Unit.objects.exists()


# Importing again -------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(city_admin):
    content = xlsx_bytes(good_rows())
    units_import(user=city_admin, file_name="units.xlsx", content=content)
    before = history_count()

    report = units_import(user=city_admin, file_name="units.xlsx", content=content)

    assert report.counts == {"rows": 4, "created": 0, "updated": 0, "unchanged": 4, "invalid": 0}
    assert history_count() == before


def test_a_changed_cell_updates_that_unit_with_one_history_row(city_admin):
    rows = good_rows()
    units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))
    before = history_count()
    rows[2][5] = "衡南县新地址"

    report = units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))

    assert report.counts == {"rows": 4, "created": 0, "updated": 1, "unchanged": 3, "invalid": 0}
    assert history_count() == before + 1
    unit = Unit.objects.get(uscc=make_uscc(n=2))
    assert unit.address == "衡南县新地址"
    latest = unit.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == ("~", city_admin, "import")


def test_columns_missing_from_the_file_keep_their_values(city_admin):
    units_import(user=city_admin, file_name="a.csv", content=csv_bytes([
        ["统一社会信用代码", "单位名称", "县区", "行业代码", "其他行业", "类型", "状态", "地址"],
        [make_uscc(n=1), "衡南火电厂", "430422", "4411", "3011", "public_institution",
         "closed", "衡南县云集镇"],
    ]))
    before = history_count()
    # no other_industries or address column; kind and status cells left empty
    report = units_import(user=city_admin, file_name="b.csv", content=csv_bytes([
        ["统一社会信用代码", "单位名称", "县区", "行业代码", "类型", "状态"],
        [make_uscc(n=1), "衡南火电厂", "430422", "4411", "", ""],
    ]))
    assert report.counts["unchanged"] == 1, report.errors
    assert history_count() == before
    unit = Unit.objects.get(uscc=make_uscc(n=1))
    assert (unit.kind, unit.status, unit.address) == ("public_institution", "closed", "衡南县云集镇")
    assert list(unit.other_industries.values_list("code", flat=True)) == ["3011"]


# Error reports ---------------------------------------------------------------------------


def test_the_error_report_downloads_as_xlsx_and_csv(city_admin):
    report = units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(bad_rows()))

    sheet = load_workbook(io.BytesIO(error_report_xlsx(report))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Problem", "Unified social credit code", "Name")
    assert [r[0] for r in rows[1:]] == [3, 4, 5, 6, 7, 8]
    assert rows[-1][1:2] == ("统一社会信用代码",) and rows[-1][4] == "重复的代码"

    text = error_report_csv(report).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][0] == "Row" and [line[0] for line in lines[1:]] == ["3", "4", "5", "6", "7", "8"]


def test_the_error_report_reads_stored_errors_too():
    class Stored:
        errors = [{"row": 3, "field": "uscc", "message": "=bad", "uscc": "X", "name": "@n"}]

    lines = list(csv.reader(io.StringIO(error_report_csv(Stored()).decode("utf-8-sig"))))
    assert lines[1] == ["3", "uscc", "'=bad", "X", "'@n"]


# File-level errors -----------------------------------------------------------------------


def file_error(user, name, content) -> str:
    with pytest.raises(ImportFileError) as caught:
        units_import(user=user, file_name=name, content=content)
    assert isinstance(caught.value, DomainError) and list(caught.value.errors) == ["file"]
    return caught.value.message


def test_a_missing_required_column_is_a_file_error_naming_it(city_admin):
    content = csv_bytes([["统一社会信用代码", "单位名称", "所在县区"], [make_uscc(n=1), "衡南火电厂", "430422"]])
    message = file_error(city_admin, "units.csv", content)
    assert "行业代码" in message and "main industry" in message
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("units.txt", b"a,b", "Only .xlsx and .csv"),
        ("units.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "save it as"),
        ("units.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password"),
        ("units.xlsx", b"PK\x03\x04 this is not a workbook", "damaged"),
        ("units.xlsx", b"just text", "not an .xlsx"),
        ("units.csv", b"", "empty"),
        ("units.csv", "统一社会信用代码,单位名称,所在县区,行业代码\n".encode(), "no data rows"),
        ("units.csv", b"\n\nx,y\n", "headers"),
    ],
)
def test_bad_files_are_file_errors(city_admin, name, content, expected):
    assert expected in file_error(city_admin, name, content)


def test_a_csv_cell_over_the_field_size_limit_is_a_file_error_in_the_users_language(city_admin):
    """An unclosed quotation mark makes the rest of the file one cell, over the csv module's limit: the
    clerk reads what to do, not the module's English text."""
    content = (",".join(HEADER) + "\n" + make_uscc(n=1) + ',"衡南' + "厂" * 140_000 + "\n").encode()
    message = file_error(city_admin, "units.csv", content)
    assert "field larger than field limit" not in message
    assert "quotation mark is not closed" in message and "131072" in message
    with translation.override("zh-hans"):
        assert "引号" in file_error(city_admin, "units.csv", content)
    assert not Unit.objects.exists()


def test_a_workbook_named_csv_is_a_file_error(city_admin):
    assert "Rename it to .xlsx" in file_error(city_admin, "units.csv", xlsx_bytes(good_rows()))


def test_a_zip_that_is_not_a_workbook_is_a_file_error(city_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hello")
    assert "damaged" in file_error(city_admin, "units.xlsx", buffer.getvalue())


@override_settings(IMPORT_MAX_ROWS=3)
def test_a_file_over_the_row_limit_is_a_file_error(city_admin):
    rows = good_rows()
    assert len(rows) - 1 == 4
    assert "more than 3 rows" in file_error(city_admin, "units.xlsx", xlsx_bytes(rows))
    assert units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows[:4])).created == 3


def test_two_columns_for_one_field_are_a_file_error(city_admin):
    content = csv_bytes([HEADER + ["名称"], [make_uscc(n=1), "a", "", "430422", "4411", "", "", "b"]])
    assert "单位名称" in file_error(city_admin, "units.csv", content)


def test_unknown_columns_are_reported_once_and_ignored(city_admin):
    rows = [row + [f"备注{i}", "x"] for i, row in enumerate(good_rows())]
    rows[0][-2:] = ["备注", "内部编号"]
    report = units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))
    assert report.counts["created"] == 4
    assert len(report.warnings) == 1
    assert "备注" in report.warnings[0] and "内部编号" in report.warnings[0]


# The management command ------------------------------------------------------------------


def test_the_command_imports_as_the_system_and_prints_counts(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(good_rows()))
    out = io.StringIO()
    call_command("import_units", str(path), stdout=out)
    assert "4 rows, 4 created, 0 updated, 0 unchanged, 0 invalid" in out.getvalue()
    assert Unit.objects.get(uscc=make_uscc(n=1)).history.get().history_user is None  # shown as "system"


def test_the_command_fails_with_exit_code_1_and_lists_bad_rows(tmp_path, county_officer):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(bad_rows() + [[make_uscc("430421", n=8), "衡阳县单位", "", "430421", "3011", "", ""]]))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_units", str(path), "--user", county_officer.username, stdout=out)
    assert caught.value.returncode == 1
    text = out.getvalue()
    assert "2 created" in text and "7 invalid" in text
    assert "row 3, 统一社会信用代码:" in text and "row 10, 所在县区:" in text


def test_the_command_reports_file_errors_and_unknown_users(tmp_path):
    path = tmp_path / "units.txt"
    path.write_text("x")
    with pytest.raises(CommandError, match="Only .xlsx and .csv"):
        call_command("import_units", str(path))
    with pytest.raises(CommandError, match="nobody-here"):
        call_command("import_units", str(path), "--user", "nobody-here")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_units", str(tmp_path / "missing.csv"))


def test_the_system_import_has_no_scope_limits():
    report = imports.units_import(user=imports.SYSTEM, file_name="u.csv", content=csv_bytes(good_rows()))
    assert report.created == 4
    assert Industry.objects.get(code="4411").main_units.count() == 1


# History and atomicity -------------------------------------------------------------------


def test_history_keeps_other_industries_and_who_imported(city_admin):
    header = ["统一社会信用代码", "单位名称", "县区", "行业代码", "其他行业"]
    units_import(user=city_admin, file_name="a.csv", content=csv_bytes([
        header, [make_uscc(n=1), "衡南火电厂", "430422", "4411", "3011"],
    ]))
    unit = Unit.objects.get(uscc=make_uscc(n=1))
    created_at, first_updated_at = unit.created_at, unit.updated_at
    report = units_import(user=city_admin, file_name="b.csv", content=csv_bytes([
        header, [make_uscc(n=1), "衡南火电厂", "430422", "4411", "2221 3011"],
    ]))
    assert report.updated == 1

    unit.refresh_from_db()
    assert sorted(unit.other_industries.values_list("code", flat=True)) == ["2221", "3011"]
    assert unit.created_at == created_at and unit.updated_at > first_updated_at
    newest, oldest = unit.history.all()
    assert [r.history_type for r in (newest, oldest)] == ["~", "+"]
    assert sorted(r.industry.code for r in oldest.other_industries.all()) == ["3011"]
    assert sorted(r.industry.code for r in newest.other_industries.all()) == ["2221", "3011"]
    assert newest.diff_against(oldest).changed_fields == ["other_industries"]
    assert newest.updated_at == unit.updated_at
    changes = selectors.history_of(unit)
    assert [c.who for c in changes] == ["city-admin", "city-admin"]


def test_blank_rows_inside_the_table_keep_the_row_numbers(city_admin):
    rows = [HEADER, [make_uscc(n=1), "衡南火电厂", "", "430422", "4411", "", ""], [], [],
            [make_uscc(n=2), "", "", "430422", "4411", "", ""]]
    report = units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))
    assert report.counts == {"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "invalid": 1}
    assert [(e.row, e.field) for e in report.errors] == [(5, "name")]


def test_a_code_registered_meanwhile_rolls_the_whole_import_back(city_admin, monkeypatch):
    real_clean = services.clean_unit_data

    def clean_then_someone_registers(data, *, instance=None):
        cleaned = real_clean(data, instance=instance)
        if cleaned["uscc"] == make_uscc(n=2) and not Unit.objects.filter(uscc=make_uscc(n=2)).exists():
            Unit.objects.create(uscc=make_uscc(n=2), name="抢先登记", county=cleaned["county"],
                                industry=cleaned["industry"])
        return cleaned

    monkeypatch.setattr(services, "clean_unit_data", clean_then_someone_registers)
    with pytest.raises(DomainError) as caught:
        units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(good_rows()))
    assert caught.value.status == 409
    assert list(Unit.objects.values_list("name", flat=True)) == ["抢先登记"]


# As offices make spreadsheets (issue 16, §7) ----------------------------------------------------


def office_workbook(header, rows, *, titles=(("衡阳市重点排污单位名录",), ("填报日期：2020年2月20日",)),
                    first_column_empty=True) -> bytes:
    """A sheet as offices make it: a merged title row, a date line, then the table, starting in
    column B."""
    workbook = Workbook()
    sheet = workbook.active
    pad = [None] if first_column_empty else []
    for title in titles:
        sheet.append(pad + list(title))
    sheet.append(pad + list(header))
    for row in rows:
        sheet.append(pad + list(row))
    if titles:
        sheet.merge_cells(start_row=1, start_column=1 + len(pad), end_row=1, end_column=len(header) + len(pad))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


OFFICE_HEADER = ["序号", "统一社会信用代码/注册号", "单位名称", "所在区县", "所属行业",
                 "行业代码（国民经济行业分类）", "联系方式"]


def test_the_header_row_is_found_below_title_rows_and_office_headers_are_read(city_admin):
    """Titles above the table, an empty first column, merged title cells, the headers offices use."""
    content = office_workbook(OFFICE_HEADER[:4] + OFFICE_HEADER[5:], [
        [1, make_uscc(n=11), "衡南火电厂", "衡南县", "4411", "13800000001"],
        [2, make_uscc(n=12), "衡南水泥厂", "430422", "3011", ""],
    ])
    report = units_import(user=city_admin, file_name="名录.xlsx", content=content)
    assert (report.created, report.invalid, report.header_row) == (2, 0, 3), report.errors
    read = dict(report.columns)
    assert set(read) == {"统一社会信用代码/注册号", "单位名称", "所在区县", "行业代码（国民经济行业分类）", "联系方式"}
    assert read["统一社会信用代码/注册号"] == "unified social credit code"
    assert report.warnings == []  # 序号 is a row number: ignored without a warning
    assert Unit.objects.get(name="衡南火电厂").industry.code == "4411"


def test_a_row_error_names_the_spreadsheets_own_row_below_the_titles(city_admin):
    content = office_workbook(["统一社会信用代码", "单位名称", "区县", "所属行业"], [
        [make_uscc(n=21), "好单位", "衡南县", "4411"],
        [wrong_check(make_uscc(n=22)), "坏单位", "衡南县", "4411"],
    ])
    report = units_import(user=city_admin, file_name="名录.xlsx", content=content)
    assert report.header_row == 3 and errors_by_row(report) == {5: {"uscc"}}


def test_an_industry_written_as_offices_write_it_is_read(city_admin):
    rows = [HEADER[:4] + ["所属行业"],
            [make_uscc(n=31), "甲", "企业", "衡南县", "D4411 火力发电"],
            [make_uscc(n=32), "乙", "企业", "衡南县", "水泥制造（3011）"],
            [make_uscc(n=33), "丙", "企业", "衡南县", "水泥制造"]]
    report = units_import(user=city_admin, file_name="units.csv", content=csv_bytes(rows))
    assert report.invalid == 0, report.errors
    assert sorted(Unit.objects.filter(name__in=["甲", "乙", "丙"]).values_list("industry__code", flat=True)) == [
        "3011", "3011", "4411"]


def test_a_unit_the_city_regulates_directly_is_accepted_at_the_city_level(city_admin, county_officer):
    rows = [HEADER[:5], [make_uscc("430400", n=41), "市直单位", "企业", "430400", "4411"]]
    report = units_import(user=city_admin, file_name="units.csv", content=csv_bytes(rows))
    assert report.created == 1, report.errors
    unit = Unit.objects.get(name="市直单位")
    assert unit.county.code == "430400"
    # No county officer sees it, nor may one register it.
    from zhengtong.registry import selectors

    assert not selectors.unit_list(user=county_officer).filter(pk=unit.pk).exists()
    rows[1][0] = make_uscc("430400", n=42)
    report = units_import(user=county_officer, file_name="units.csv", content=csv_bytes(rows))
    assert report.created == 0 and errors_by_row(report) == {2: {"county"}}


def test_a_file_without_title_rows_still_takes_its_first_row(city_admin):
    report = units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(good_rows()))
    assert report.header_row == 1 and report.created == 4


def test_an_imported_name_gets_its_sort_key_when_created_and_when_changed(city_admin):
    """The campaign list sorts units by Unit.name_key in the database; the import writes in bulk,
    past Unit.save(), so it sets the key itself."""
    from zhengtong.core.natsort import natural_key

    rows = good_rows()
    units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))
    unit = Unit.objects.get(uscc=make_uscc(n=2))
    assert unit.name_key == natural_key(unit.name) != ""
    rows[2][1] = "衡南县第十一造纸厂"
    units_import(user=city_admin, file_name="units.xlsx", content=xlsx_bytes(rows))
    unit.refresh_from_db()
    assert unit.name == "衡南县第十一造纸厂"
    assert unit.name_key == natural_key("衡南县第十一造纸厂")
