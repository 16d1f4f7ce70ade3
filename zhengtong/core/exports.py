"""Spreadsheet files. Every export of the product writes its cells through ``safe_cell``, so that no
text a user typed (a unit named ``=cmd|' /C calc'!A0``) becomes a formula when the file is opened in
Excel or WPS; ``write_xlsx`` and ``write_csv`` do that for every cell they write. (Moved here from
registry.exports when a second app, the access log of accounts, needed them.)
"""

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError

# A text starting with one of these (after any whitespace) is read as a formula by spreadsheets;
# a leading tab or carriage return is itself used to smuggle one in (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
XLSX_MAX_ROWS = 1_048_576
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXACT_NUMBER_LIMIT = 10**15  # Excel keeps 15 significant digits: longer numbers are written as text


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe, so that it is shown as the text it is. Other values pass unchanged."""
    if isinstance(value, str) and (value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The inverse of safe_cell for text read back from an exported file."""
    if text.startswith("'") and safe_cell(text[1:]) == text:
        return text[1:]
    return text


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return False
    return bool(-EXACT_NUMBER_LIMIT < value < EXACT_NUMBER_LIMIT)


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_name: str | None = None,
               widths: Sequence[float] | None = None) -> bytes:
    """An .xlsx workbook of one sheet: a bold header row, then the rows. Written row by row
    (xlsxwriter's constant_memory mode), text always as text through safe_cell (never a formula,
    never a number or a link), numbers as numbers, dates as text in local time."""
    output = io.BytesIO()
    write_xlsx_to(output, headers, rows, sheet_name=sheet_name, widths=widths)
    return output.getvalue()


def write_xlsx_to(target: str | Path | BinaryIO, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet_name: str | None = None, widths: Sequence[float] | None = None) -> None:
    """``write_xlsx`` into a file (a path, or an open binary file): rows are written one by one and
    flushed to disk as they go (constant_memory), so a log of a million rows exported from an
    iterator takes the memory of one row, not of the sheet."""
    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    try:
        _fill_sheet(workbook, headers, rows, sheet_name, widths)
    finally:
        workbook.close()


def _fill_sheet(workbook, headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str | None,
                widths: Sequence[float] | None) -> None:
    sheet = workbook.add_worksheet(_sheet_name(sheet_name))
    bold = workbook.add_format({"bold": True})
    for col, header in enumerate(headers):
        width = widths[col] if widths and col < len(widths) else max(10, _display_width(str(header)) + 2)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, safe_cell(str(header)), bold)
    for row_index, row in enumerate(rows, start=1):
        if row_index >= XLSX_MAX_ROWS:
            raise DomainError(
                _("Too many rows for one worksheet (at most %(n)d). Narrow the list and export again.")
                % {"n": XLSX_MAX_ROWS - 1}
            )
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row_index, col, value)
            elif _is_number(value):
                sheet.write_number(row_index, col, value)
            else:
                sheet.write_string(row_index, col, safe_cell(_text(value)))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (so that Excel reads Chinese correctly), every cell
    through safe_cell."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(str(h)) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else v if _is_number(v) else safe_cell(_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_name(name: str | None) -> str | None:
    if not name:
        return None
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name.strip("'")[:31] or None


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
