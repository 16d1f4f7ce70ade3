"""Loading of the catalogue table shipped in data/ (sources in data/SOURCES.md)."""

import csv

from zhengtong.permits.catalogue import CATALOGUE_CSV, CATALOGUE_VERSION

FIELDS = {
    "section": "section", "industry_text": "industry_text", "industry_codes": "industry_codes",
    "key_text": "key", "simplified_text": "simplified", "registration_text": "registration",
}


def load() -> dict[str, int]:
    """The permits app's reference table (found by registry.refdata.load_reference_data)."""
    return {"catalogue": load_catalogue_entries()}


def load_catalogue_entries(model=None) -> int:
    """Insert or correct the 112 rows of the 2019 catalogue; safe to run again."""
    if model is None:
        from zhengtong.permits.models import CatalogueEntry as model
    existing = {e.row: e for e in model.objects.filter(version=CATALOGUE_VERSION)}
    count = 0
    with open(CATALOGUE_CSV, encoding="utf-8", newline="") as f:
        for line in csv.DictReader(f):
            values = {field: line[column] for field, column in FIELDS.items()}
            entry = existing.get(int(line["row"]))
            if entry is None:
                model.objects.create(version=CATALOGUE_VERSION, row=int(line["row"]), **values)
            elif any(getattr(entry, k) != v for k, v in values.items()):
                model.objects.filter(pk=entry.pk).update(**values)
            count += 1
    return count
