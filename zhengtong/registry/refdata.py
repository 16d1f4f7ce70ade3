"""Loading of the reference data shipped in data/ (sources in data/SOURCES.md)."""

import csv
from pathlib import Path
from typing import Any

from zhengtong.core import discovery

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows(filename: str) -> list[dict[str, str]]:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_tree(model, filename: str, fields: tuple[str, ...]) -> int:
    """Insert or update rows of a self-referencing code table (regions, industries) in file order,
    which always lists a parent before its children."""
    by_code = {obj.code: obj for obj in model.objects.all()}
    count = 0
    for row in read_rows(filename):
        values: dict[str, Any] = {f: row[f] for f in fields}
        values["parent"] = by_code[row["parent"]] if row["parent"] else None
        obj = by_code.get(row["code"])
        if obj is None:
            obj = model.objects.create(code=row["code"], **values)
            by_code[obj.code] = obj
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
        count += 1
    return count


def load() -> dict[str, int]:
    """The registry's reference tables: regions and industries."""
    from zhengtong.registry.models import Industry, Region

    return {
        "regions": load_tree(Region, "regions-hengyang.csv", ("name", "level")),
        "industries": load_tree(Industry, "gbt4754-2017.csv", ("name", "level")),
    }


def load_reference_data() -> dict[str, int]:
    """Load (or correct) every app's reference tables, the registry's first: each app's ``refdata.load()``
    in the order of INSTALLED_APPS (core.discovery); safe to run again."""
    counts: dict[str, int] = {}
    for _app, module in discovery.app_modules("refdata"):
        counts.update(module.load())
    return counts
