"""Checks every list page's tests share (core.listing): each column sorts both ways with the id as
the tiebreak and empty values last, the export holds what the list holds."""

import io
from collections.abc import Callable
from typing import Any

import openpyxl


def expected_order(rows: list[Any], key: Callable[[Any], Any], *, desc: bool,
                   ident: Callable[[Any], Any] = lambda r: r.pk) -> list[Any]:
    present = sorted((r for r in rows if key(r) is not None), key=lambda r: (key(r), ident(r)), reverse=desc)
    empty = sorted((r for r in rows if key(r) is None), key=ident, reverse=desc)
    return [ident(r) for r in present + empty]


def assert_sorts(client, url: str, rows: list[Any], keys: dict[str, Callable[[Any], Any]],
                 ident: Callable[[Any], Any] = lambda r: r.pk) -> None:
    """Every column of ``keys`` sorts the list (one page holding every row) both ways as Python
    sorts ``rows``; the header says the order (aria-sort)."""
    joiner = "&" if "?" in url else "?"
    for name, key in keys.items():
        for desc in (False, True):
            sort = f"-{name}" if desc else name
            response = client.get(f"{url}{joiner}sort={sort}")
            assert response.status_code == 200, (sort, response.status_code)
            listing = response.context["listing"]
            assert listing.sort == sort, (sort, listing.sort)
            shown = [ident(r) for r in listing.page.rows]
            assert shown == expected_order(rows, key, desc=desc, ident=ident), sort
            body = response.content.decode()
            assert f'aria-sort="{"descending" if desc else "ascending"}" data-sort="{name}"' in body, sort


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.values)
