"""Import units from a spreadsheet (.xlsx or .csv), and the error report a clerk can act on.

``read_table`` turns a file into rows of text keyed by the file's own column headers.
``units_import`` maps those headers to unit fields, checks every row with
``services.clean_unit_data`` (the one rule for a valid unit) and the caller's scope
(``accounts.scopes``), and writes the valid rows in one transaction: a new USCC creates a unit,
a known one changes it only where a value differs, so importing the same file twice changes
nothing and writes no history.

Cells hold what people type in Excel: numbers where text was meant (an industry code 0111 read
as 111, a phone as 13800000000.0), labels instead of keys ("企业" for enterprise), codes or
names of counties. This module turns them back into the text the services expect; it never
decides whether a value is valid (services.clean_unit_data does).
"""

import codecs
import csv
import io
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from zhengtong.accounts import scopes
from zhengtong.core.errors import DomainError
from zhengtong.core.natsort import natural_key
from zhengtong.registry import services
from zhengtong.registry.codes import normalise
from zhengtong.registry.exports import restore_cell, write_csv, write_xlsx
from zhengtong.registry.models import Industry, Region, Unit, UnitImport

logger = logging.getLogger(__name__)

DEFAULT_MAX_ROWS = 50_000

# Accepted headers per unit field, compared after _header_key (NFKC, lower case, no spaces,
# underscores, hyphens, "*" marks or trailing notes in brackets).
# A header of several names ("统一社会信用代码/注册号") is accepted when one of its names is.
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc", "unified social credit code",
             "credit code"),
    "name": ("单位名称", "名称", "企业名称", "单位全称", "企业全称", "单位（企业）名称", "name", "unit name"),
    "kind": ("单位类型", "类型", "单位性质", "kind", "type", "unit kind", "unit type"),
    "county": ("所在县区", "县区", "县市区", "所在县市区", "区县", "所在区县", "所属区县", "所属县区", "所属县市区",
               "县（市、区）", "所在县（市、区）", "所属县（市、区）", "行政区划", "county", "county code"),
    "industry": ("行业代码", "主行业", "主行业代码", "所属行业", "所属行业代码", "行业类别", "行业类别代码",
                 "国民经济行业代码", "国民经济行业分类", "国民经济行业分类代码", "行业分类代码", "industry",
                 "industry code", "main industry"),
    "other_industries": ("其他行业", "其他行业代码", "other industries", "other industry codes"),
    "address": ("地址", "单位地址", "注册地址", "经营地址", "详细地址", "生产经营地址", "address"),
    "legal_representative": ("法定代表人", "法人代表", "法定代表人（负责人）", "负责人", "legal representative"),
    "contact_name": ("联系人", "contact", "contact name"),
    "contact_phone": ("联系电话", "电话", "联系方式", "手机", "联系人电话", "contact phone", "phone"),
    "status": ("状态", "单位状态", "经营状态", "status"),
}
# Columns the unit export writes for reading only, and the row numbers offices add: accepted and
# ignored without a warning.
INFORMATIONAL_HEADERS = ("行业名称", "industry name", "序号", "编号", "no.", "#")
# How far down the header row is looked for: below title rows ("衡阳市重点排污单位名录", a date line).
HEADER_SEARCH_ROWS = 10
REQUIRED_FIELDS = ("uscc", "name", "county", "industry")
# The header each field is asked for by in messages (the export's own headers).
PREFERRED_HEADER = {
    "uscc": "统一社会信用代码", "name": "单位名称", "kind": "类型", "county": "县区", "industry": "行业代码",
    "other_industries": "其他行业", "address": "地址", "legal_representative": "法定代表人",
    "contact_name": "联系人", "contact_phone": "联系电话", "status": "状态",
}
# Words Chinese spreadsheets use for the kinds and states of a unit, besides the site's own labels
# (Unit.Kind and Unit.Status in every language of settings.LANGUAGES).
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "kind": {
        "企业": "enterprise", "公司": "enterprise",
        "事业单位": "public_institution",
        "机关": "government_body", "党政机关": "government_body", "政府机关": "government_body",
        "机关单位": "government_body",
        "社会组织": "social_organisation", "社会团体": "social_organisation", "民办非企业单位": "social_organisation",
    },
    "status": {
        "正常": "active", "在营": "active", "存续": "active", "开业": "active", "在业": "active",
        "停业": "suspended", "停产": "suspended", "暂停": "suspended",
        "注销": "closed", "关闭": "closed", "吊销": "closed", "歇业": "closed",
    },
}
# Separators between several industry codes in one cell, as people type them.
CODE_SEPARATORS = re.compile(r"[,，;；、/\s]+")


class ImportFileError(DomainError):
    """The whole file cannot be imported (wrong type, damaged, empty, too long, a column missing)."""

    def __init__(self, *messages: str):
        super().__init__(errors={"file": list(messages)}, status=400)


class _SystemImport:
    """The caller of a trusted import (the management command without --user): no scope limits,
    and history records no user, which the history pages show as "system"."""

    is_authenticated = False
    is_active = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _SystemImport()


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    field: str  # the unit field ("uscc", "county", ...)
    message: str
    uscc: str = ""  # the row's code and name as typed, so that the clerk finds the row
    name: str = ""
    column: str = ""  # the header of that field in the file, or the field's label


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file, e.g. ignored columns
    header_row: int = 1  # the spreadsheet's row taken as the header
    columns: list[list[str]] = field(default_factory=list)  # [header in the file, the field it became]

    @property
    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("rows", "created", "updated", "unchanged", "invalid")}

    def as_dict(self) -> dict[str, Any]:
        """Plain data (e.g. for a JSONField): counts, errors as dicts, warnings."""
        return {"file_name": self.file_name, **self.counts, "errors": [asdict(e) for e in self.errors],
                "warnings": list(self.warnings), "header_row": self.header_row, "columns": self.columns}


# Reading a file --------------------------------------------------------------------------


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


class Table(list):
    """The data rows of a file, and ``header_row``: the spreadsheet's number of the row taken as the
    header (1 unless title rows come first). ``rows[i]`` is spreadsheet row ``header_row + 1 + i``."""

    header_row: int = 1


def read_table(file_name: str, content: bytes) -> Table:
    """The data rows of an .xlsx (first sheet) or .csv file as dicts {header: text}.

    The header is the first row among the first HEADER_SEARCH_ROWS in which two or more cells are
    headers of unit fields (title rows above it, merged or not, are skipped); without one, the first
    row. Every dict has every header, so that ``rows[i]`` is spreadsheet row
    ``table.header_row + 1 + i``; blank rows inside the table are kept (as dicts of empty strings) and
    blank rows at the end dropped. Numbers come back as the text that was typed (4411, not 4411.0), and an
    apostrophe that an export put before a formula-like text is taken off again.
    Raises ImportFileError for a file that cannot be imported as a whole.
    """
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix in (".xls", ".et", ".ods", ".numbers", ".xlsm", ".xlsb"):
        raise ImportFileError(
            _("“%(name)s” is not an .xlsx or .csv file. Open it in Excel or WPS and save it as "
              "“Excel Workbook (.xlsx)” or “CSV (comma delimited)”, then import that file.") % {"name": file_name}
        )
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError(
            _("Only .xlsx and .csv files can be imported; “%(name)s” is neither.") % {"name": file_name}
        )
    if not content:
        raise ImportFileError(_("The file is empty."))
    if suffix == ".xlsx":
        return _read_xlsx(content)
    if content[:4] == b"PK\x03\x04":
        raise ImportFileError(_("This file is an Excel workbook with a .csv name. Rename it to .xlsx and try again."))
    return _table(_csv_rows(content))


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    if content[:4] != b"PK\x03\x04":
        if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ImportFileError(
                _("The file is an old .xls workbook or is protected by a password. Open it in Excel, remove any "
                  "password and save it as “Excel Workbook (.xlsx)”, then import that file.")
            )
        raise ImportFileError(_("The file is not an .xlsx workbook: it may be damaged or have the wrong name."))
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        return _table(sheet.iter_rows(values_only=True))
    except ImportFileError:
        raise
    except Exception as e:  # a damaged workbook can fail in the zip, XML or openpyxl layers
        logger.info("unreadable workbook: %r", e)
        raise ImportFileError(
            _("The workbook could not be read: it may be damaged. Open it in Excel, save it again as .xlsx "
              "and import that file.")
        ) from None
    finally:
        if workbook is not None:
            workbook.close()


def _decode(content: bytes) -> str:
    """UTF-8 with or without a BOM, UTF-16 with a BOM, else GB18030 (what Chinese Excel writes)."""
    if content.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("The file's text encoding is not UTF-8 or GB18030. Save it again as CSV (UTF-8) and import that file.")
    )


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileError(_("The file is not a text (CSV) file: it may be damaged or have the wrong name."))
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        # With the default dialect and no NUL (refused above), the csv module fails only on a cell over
        # its field size limit, which is what an unclosed quotation mark makes of the rest of the file.
        # Its own text is English and names no line a clerk would look at: say what it means.
        raise ImportFileError(
            _("Near line %(line)d a cell is longer than %(limit)d characters: perhaps a quotation mark is not "
              "closed. Open the file in Excel or WPS, check that line, save it as CSV again and import that "
              "file.") % {"line": reader.line_num, "limit": csv.field_size_limit()}
        ) from None


def cell_text(value: Any) -> str:
    """A cell's value as the text that was typed: 4411 not 4411.0, 13800000000 not 1.38e10."""
    if value is None:
        return ""
    if isinstance(value, str):
        return restore_cell(value.strip())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _known_headers(cells: list[str]) -> int:
    return sum(1 for c in cells if c and _field_of_header(c) is not None)


def _table(raw_rows: Iterable[Iterable[Any]]) -> Table:
    limit = max_rows()
    rows = iter(raw_rows)
    top: list[list[str]] = []
    for raw in rows:
        top.append([cell_text(v) for v in raw])
        if len(top) >= HEADER_SEARCH_ROWS or _known_headers(top[-1]) >= 2:
            break
    at = next((i for i, cells in enumerate(top) if _known_headers(cells) >= 2), 0)
    header_cells = top[at] if top else []
    if not any(header_cells):
        raise ImportFileError(_("The first row must hold the column headers, and it is empty."))
    rows = itertools.chain(top[at + 1:], rows)
    data: list[list[str]] = []
    filled = 0  # rows with data; blank rows are kept only when a row with data follows them
    blank_run = 0
    for raw in rows:
        cells = [cell_text(v) for v in raw]
        if not any(cells):
            blank_run += 1
            continue
        if filled >= limit:
            raise ImportFileError(
                _("The file has more than %(limit)d rows. Split it into files of at most %(limit)d rows.")
                % {"limit": limit}
            )
        data.extend([] for _i in range(blank_run))
        blank_run = 0
        data.append(cells)
        filled += 1
    if not data:
        raise ImportFileError(_("The file has a header row but no data rows."))

    width = max(len(header_cells), *(len(r) for r in data))
    headers: list[str | None] = []
    seen: set[str] = set()
    for i in range(width):
        header = header_cells[i] if i < len(header_cells) else ""
        if not header:
            if any(i < len(r) and r[i] for r in data):
                header = _("(column %(letter)s without a header)") % {"letter": get_column_letter(i + 1)}
            else:
                headers.append(None)  # an empty column: nothing to read
                continue
        if header in seen:
            raise ImportFileError(
                _("The column “%(header)s” appears twice in the header row; keep one of them.") % {"header": header}
            )
        seen.add(header)
        headers.append(header)
    table = Table(
        {h: (r[i] if i < len(r) else "") for i, h in enumerate(headers) if h is not None}
        for r in data
    )
    table.header_row = at + 1
    return table


# Mapping columns and values ---------------------------------------------------------------


def _header_key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header or "").strip().lower()
    text = re.sub(r"\([^)]*\)$", "", text)  # 统一社会信用代码（18位）
    return re.sub(r"[\s_\-*:：]+", "", text)


_HEADER_FIELDS = {_header_key(h): f for f, names in HEADERS.items() for h in names}
_IGNORED_KEYS = {_header_key(h) for h in INFORMATIONAL_HEADERS}


def _field_of_header(header: str) -> str | None:
    """The unit field a header names: itself, or one of its names ("统一社会信用代码/注册号")."""
    key = _header_key(header)
    if key in _HEADER_FIELDS:
        return _HEADER_FIELDS[key]
    parts = [p for p in re.split(r"[/／或|]", key) if p]
    fields = {_HEADER_FIELDS[p] for p in parts if p in _HEADER_FIELDS}
    return fields.pop() if len(fields) == 1 else None


def map_columns(headers: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """({header: unit field}, warnings). Raises ImportFileError when a required column is missing
    or two columns give the same field."""
    columns: dict[str, str] = {}
    unknown: list[str] = []
    by_field: dict[str, str] = {}
    for header in headers:
        key = _header_key(header)
        unit_field = _field_of_header(header)
        if unit_field is None:
            if key not in _IGNORED_KEYS:
                unknown.append(header)
            continue
        if unit_field in by_field:
            raise ImportFileError(
                _("The columns “%(a)s” and “%(b)s” both give the %(field)s; keep one of them.")
                % {"a": by_field[unit_field], "b": header, "field": _field_label(unit_field)}
            )
        by_field[unit_field] = header
        columns[header] = unit_field
    missing = [f for f in REQUIRED_FIELDS if f not in by_field]
    if missing:
        raise ImportFileError(*[
            _("The file has no column for the %(field)s. Add a column headed “%(header)s”.")
            % {"field": _field_label(f), "header": PREFERRED_HEADER[f]}
            for f in missing
        ])
    warnings = []
    if unknown:
        warnings.append(
            _("These columns are not unit fields and were ignored: %(columns)s.")
            % {"columns": "、".join(f"“{h}”" for h in unknown)}
        )
    return columns, warnings


def _field_label(name: str) -> str:
    return str(getattr(Unit._meta.get_field(name), "verbose_name", name))


class _Lookups:
    """Reference data held in memory for one import, to turn typed text into the objects
    clean_unit_data accepts. Text that matches nothing is passed on as it is, so that
    clean_unit_data says what is wrong with it."""

    def __init__(self) -> None:
        self.regions = {r.code: r for r in Region.objects.all()}
        names: dict[str, list[Region]] = {}
        for region in self.regions.values():
            names.setdefault(region.name, []).append(region)
        self.region_names = {name: rs[0] for name, rs in names.items() if len(rs) == 1}
        self.industries = {i.code: i for i in Industry.objects.only("id", "code", "name", "level")}
        classes: dict[str, list[Industry]] = {}
        for industry in self.industries.values():
            if industry.level == Industry.Level.CLASS:
                classes.setdefault(industry.name, []).append(industry)
        self.class_names = {name: found[0] for name, found in classes.items() if len(found) == 1}
        self.choices = {
            "kind": {**CHOICE_WORDS["kind"], **_labels(Unit.Kind)},
            "status": {**CHOICE_WORDS["status"], **_labels(Unit.Status)},
        }

    def county(self, text: str) -> Region | str:
        key = unicodedata.normalize("NFKC", text).strip()
        return self.regions.get(key) or self.region_names.get(key) or text

    def industry(self, text: str) -> Industry | str:
        code = normalise(text)
        if code.isdigit() and len(code) == 3 and code.zfill(4) in self.industries:
            return self.industries[code.zfill(4)]  # 0111 read from a number cell as 111
        if code in self.industries:
            return self.industries[code]
        # As offices write it: "D4411 火力发电", "火力发电（4411）", or the class's name alone.
        found = {m for m in re.findall(r"(?<!\d)\d{4}(?!\d)", code) if m in self.industries}
        if len(found) == 1:
            return self.industries[found.pop()]
        return self.class_names.get(unicodedata.normalize("NFKC", text).strip()) or text

    def industries_list(self, text: str) -> list[Industry | str]:
        return [self.industry(c) for c in CODE_SEPARATORS.split(text) if c]

    def choice(self, name: str, text: str) -> str:
        return self.choices[name].get(text.strip().lower(), text)


def _labels(choices) -> dict[str, str]:
    """Each choice's key and its label in every language of the site, lower case, to its key."""
    result = {str(key).lower(): key for key in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for key, label in choices.choices:
                result.setdefault(str(label).strip().lower(), key)
    return result


_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")


def _code_text(text: str) -> str:
    """"13800000001.0" (a number column written by pandas or a script) as "13800000001"."""
    match = _FLOAT_TEXT.match(text)
    return match.group(1) if match else text


def _unit_data(values: dict[str, str], unit: Unit | None, lookups: _Lookups) -> dict[str, Any]:
    """The data clean_unit_data checks: the file's values over the unit's current ones (a field
    without a column keeps its value)."""
    data: dict[str, Any] = {}
    if unit is not None:
        data = {f: getattr(unit, f) for f in services.UNIT_FIELDS if f != "other_industries"}
        data["other_industries"] = list(unit.other_industries.all())
    for name, text in values.items():
        if name in ("county", "industry", "contact_phone"):
            text = _code_text(text)
        if name in ("kind", "status"):
            if not text and unit is not None:
                continue  # an empty cell cannot clear a field that is never empty: keep it
            data[name] = lookups.choice(name, text)
        elif name == "county":
            data[name] = lookups.county(text) if text else ""
        elif name == "industry":
            data[name] = lookups.industry(text) if text else ""
        elif name == "other_industries":
            data[name] = lookups.industries_list(text)
        else:
            data[name] = text
    return data


def _changes(unit: Unit, cleaned: dict[str, Any]) -> list[str]:
    """The fields whose cleaned value differs from the unit's."""
    changed = []
    for name in services.UNIT_FIELDS:
        value = cleaned[name]
        if name == "other_industries":
            differs = {i.pk for i in value} != {i.pk for i in unit.other_industries.all()}
        elif name in ("county", "industry"):
            differs = getattr(unit, f"{name}_id") != value.pk
        else:
            differs = getattr(unit, name) != value
        if differs:
            changed.append(name)
    return changed


def _existing_units(codes: set[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    codes_list = sorted(c for c in codes if c)
    for start in range(0, len(codes_list), 500):
        chunk = codes_list[start:start + 500]
        qs = Unit.objects.filter(uscc__in=chunk).select_related("county", "industry").prefetch_related(
            "other_industries"
        )
        found.update((u.uscc, u) for u in qs)
    return found


def _editable_ids(user, units: Iterable[Unit]) -> set[int]:
    ids = sorted(u.pk for u in units)
    editable: set[int] = set()
    for start in range(0, len(ids), 500):
        editable.update(
            Unit.objects.filter(scopes.units_editable_q(user), pk__in=ids[start:start + 500]).values_list(
                "pk", flat=True
            )
        )
    return editable


# Importing -------------------------------------------------------------------------------


@dataclass
class _Planned:
    row: int
    unit: Unit | None
    cleaned: dict[str, Any]
    changes: list[str]  # of an existing unit


def units_import(*, user, file_name: str, content: bytes) -> ImportReport:
    """Create and change units from a spreadsheet; return what happened to each row.

    ``user`` is the person importing (their scope applies: a county officer imports units of
    their own county only), or ``imports.SYSTEM`` for a trusted import without scope limits.
    Raises PermissionDenied for a user who may not import units, and ImportFileError (a
    DomainError) when the file as a whole cannot be imported; a bad row is reported, not raised.
    """
    system = user is SYSTEM
    if not system and not scopes.can_import_units(user):
        raise PermissionDenied(_("You may not import units."))
    table = read_table(file_name, content)
    columns, warnings = map_columns(table[0].keys())
    column_of = {f: h for h, f in columns.items()}
    report = ImportReport(file_name=file_name, warnings=warnings, header_row=table.header_row,
                          columns=[[h, _field_label(f)] for h, f in columns.items()])

    rows = [
        (number, {f: row[h] for h, f in columns.items()})
        for number, row in enumerate(table, start=table.header_row + 1)
        if any(row.values())
    ]
    report.rows = len(rows)
    existing = _existing_units({normalise(values["uscc"]) for _n, values in rows})
    editable = set() if system else _editable_ids(user, existing.values())
    lookups = _Lookups()

    planned: list[_Planned] = []
    first_row_of: dict[str, int] = {}
    for number, values in rows:
        errors: dict[str, list[str]] = {}
        code = normalise(values["uscc"])
        unit = existing.get(code)
        if code in first_row_of:
            errors.setdefault("uscc", []).append(
                _("This code is also in row %(row)d of this file; a unit may appear only once.")
                % {"row": first_row_of[code]}
            )
        elif code:
            first_row_of[code] = number
        if unit is not None and not system and unit.pk not in editable:
            errors.setdefault("uscc", []).append(
                _("A unit with this code is registered outside your scope; you may not change it.")
            )
            _add_row_errors(report, number, values, errors, column_of)
            continue  # its stored values are not the importer's to see, not even in a message
        cleaned = None
        try:
            cleaned = services.clean_unit_data(_unit_data(values, unit, lookups), instance=unit)
        except DomainError as e:
            for name, messages in e.errors.items():
                errors.setdefault(name, []).extend(messages)
        if cleaned is not None and not system and not scopes.can_create_unit(user, cleaned["county"].pk):
            errors.setdefault("county", []).append(
                _("You may not register or move units in %(county)s; your scope is another county.")
                % {"county": cleaned["county"].name}
            )
        if errors:
            _add_row_errors(report, number, values, errors, column_of)
            continue
        assert cleaned is not None
        changes = [] if unit is None else _changes(unit, cleaned)
        if unit is None or changes:
            planned.append(_Planned(number, unit, cleaned, changes))
        else:
            report.unchanged += 1

    _write(planned, history_user=None if system else user)
    report.created = sum(1 for p in planned if p.unit is None)
    report.updated = len(planned) - report.created
    report.errors.sort(key=lambda e: e.row)
    return report


# Writing ---------------------------------------------------------------------------------

BATCH_SIZE = 500
WRITTEN_FIELDS = [f for f in services.UNIT_FIELDS if f != "other_industries"]


def _write(planned: list[_Planned], *, history_user) -> None:
    """Create and change the planned units in one transaction, with one history row per created
    or changed unit (its other industries in that row's snapshot), as services._save_unit
    records them one by one. New units are inserted in batches (bulk_create_with_history); a
    changed unit gets one UPDATE of its changed fields (Django's bulk_update is slower than that
    here) and the history rows are inserted in batches (bulk_history_create)."""
    if not planned:
        return
    now = timezone.now()
    new_units: list[Unit] = []
    changed_units: list[Unit] = []
    updates: list[tuple[Unit, list[str]]] = []
    others: dict[int, list[int]] = {}  # id(unit) -> industry ids
    others_changed: list[Unit] = []
    for plan in planned:
        unit = plan.unit or Unit()
        for name in WRITTEN_FIELDS:
            setattr(unit, name, plan.cleaned[name])
        unit.name_key = natural_key(unit.name)  # the bulk writes below bypass Unit.save()
        others[id(unit)] = [i.pk for i in plan.cleaned["other_industries"]]
        if plan.unit is None:
            new_units.append(unit)
            continue
        unit.updated_at = now
        changed_units.append(unit)
        fields = [f for f in plan.changes if f != "other_industries"]
        updates.append((unit, fields))
        if "other_industries" in plan.changes:
            others_changed.append(unit)
    through = Unit.other_industries.through
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                new_units, Unit, batch_size=BATCH_SIZE, default_user=history_user, default_change_reason="import"
            )
            for unit, original in zip(created, new_units, strict=True):
                others[id(unit)] = others[id(original)]
            for unit, fields in updates:
                values = {_attname(f): getattr(unit, _attname(f)) for f in fields}
                if "name" in fields:
                    values["name_key"] = unit.name_key
                Unit.objects.filter(pk=unit.pk).update(updated_at=unit.updated_at, **values)
            Unit.history.bulk_history_create(
                changed_units, batch_size=BATCH_SIZE, update=True, default_user=history_user,
                default_change_reason="import",
            )
            for start in range(0, len(others_changed), BATCH_SIZE):
                ids = [u.pk for u in others_changed[start:start + BATCH_SIZE]]
                through.objects.filter(unit_id__in=ids).delete()
            through.objects.bulk_create(
                [
                    through(unit_id=unit.pk, industry_id=industry_id)
                    for unit in [*created, *others_changed]
                    for industry_id in others[id(unit)]
                ],
                batch_size=BATCH_SIZE,
            )
            _snapshot_other_industries([u.pk for u in [*created, *changed_units] if others[id(u)]])
    except IntegrityError:
        raise DomainError(
            _("Some of these units were registered by someone else while the file was being imported, so nothing "
              "was imported. Import the file again."),
            field="file", status=409,
        ) from None


def _attname(name: str) -> str:
    return f"{name}_id" if name in ("county", "industry") else name


def _snapshot_other_industries(unit_ids: list[int]) -> None:
    """simple_history's bulk writes keep no many-to-many snapshot: add the other industries to
    each unit's newest history row, as its m2m_changed handling would."""
    history_model = Unit.history.model
    m2m_history = next(
        rel.related_model for rel in history_model._meta.related_objects if rel.field.name == "history"
    )
    through = Unit.other_industries.through
    for start in range(0, len(unit_ids), BATCH_SIZE):
        ids = unit_ids[start:start + BATCH_SIZE]
        latest: dict[int, int] = {}
        for unit_id, history_id in (
            history_model.objects.filter(id__in=ids).order_by("id", "-history_id").values_list("id", "history_id")
        ):
            latest.setdefault(unit_id, history_id)
        m2m_history.objects.bulk_create([
            m2m_history(id=row.id, unit_id=row.unit_id, industry_id=row.industry_id, history_id=latest[row.unit_id])
            for row in through.objects.filter(unit_id__in=ids)
        ])


def _add_row_errors(report: ImportReport, number: int, values: dict[str, str], errors: dict[str, list[str]],
                    column_of: dict[str, str]) -> None:
    report.invalid += 1
    order = {name: i for i, name in enumerate(services.UNIT_FIELDS)}
    for name in sorted(errors, key=lambda n: order.get(n, len(order))):
        column = column_of.get(name) or (_field_label(name) if name in order else name)
        for message in errors[name]:
            report.errors.append(RowError(
                row=number, field=name, message=message, uscc=values.get("uscc", ""), name=values.get("name", ""),
                column=column,
            ))


# Error reports ---------------------------------------------------------------------------


def _report_rows(report) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of an error report, from an ImportReport or a stored import whose
    ``errors`` are dicts with the same keys."""
    headers = [_("Row"), _("Column"), _("Problem"), _("Unified social credit code"), _("Name")]
    rows: list[list[Any]] = []
    for warning in getattr(report, "warnings", None) or []:
        rows.append(["", "", warning, "", ""])
    for error in report.errors:
        get = error.get if isinstance(error, dict) else lambda k, e=error: getattr(e, k, "")
        rows.append([get("row"), get("column") or get("field"), get("message"), get("uscc"), get("name")])
    return headers, rows


def error_report_xlsx(report) -> bytes:
    headers, rows = _report_rows(report)
    return write_xlsx(headers, rows, sheet_name=_("Errors"), widths=[8, 20, 80, 22, 30])


def error_report_csv(report) -> bytes:
    headers, rows = _report_rows(report)
    return write_csv(headers, rows)


def unit_import_run(*, user, file_name: str, content: bytes) -> UnitImport:
    """Import a units spreadsheet and keep its report, so that the person who imported it can read and
    download the refused rows later."""
    report = units_import(user=user, file_name=file_name, content=content)
    data = report.as_dict()
    return UnitImport.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, file_name=file_name[:255],
        **report.counts, errors=data["errors"], warnings=data["warnings"], header_row=report.header_row,
        columns=report.columns,
    )
