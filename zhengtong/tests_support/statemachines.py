"""Reading the state tables that apps print in their docstrings, so a test holds them equal to the
code's tables (``StateMachine.as_rows``)."""

import re


def docstring_tables(text: str) -> list[list[tuple[str, ...]]]:
    """The reST simple tables of a docstring, as (action, from, to, who) rows; a row whose first
    cell is blank continues the row above (a long "from" or "rule")."""
    tables, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if not re.fullmatch(r"=+( +=+)+", lines[i]):
            i += 1
            continue
        spans = [m.span() for m in re.finditer(r"=+", lines[i])]
        end = next(j for j in range(i + 3, len(lines)) if lines[j] == lines[i])
        rows: list[list[str]] = []
        for line in lines[i + 3:end]:
            cells = [line[a:b].strip() for a, b in spans[:4]]
            if cells[0]:
                rows.append(cells)
            elif cells[1]:
                rows[-1][1] = f"{rows[-1][1].rstrip(',')}, {cells[1]}"
        tables.append([tuple(r) for r in rows])
        i = end + 1
    return tables
