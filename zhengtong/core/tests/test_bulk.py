"""core.bulk.insert_rows: COPY on PostgreSQL, bulk_create elsewhere; each value as its field wants it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from zhengtong.core.bulk import insert_rows

pytestmark = pytest.mark.django_db


def test_rows_are_written_as_their_fields_want_them():
    from zhengtong.permits.models import Classification
    from zhengtong.tests_support.factories import UnitFactory

    units = [UnitFactory(county_code="430422", industry_code="2221") for _ in range(3)]
    at = datetime(2020, 2, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    fields = ("unit_id", "source", "management_class", "scope", "deciding_row", "at_least", "missing", "notes",
              "open_readings", "catalogue_version", "classified_at")
    rows = [(u.pk, 1, "key", "", None if i else 41, "", ["has_boiler"], ["注：中文", 'a "quoted" \\ tab\t'],
             [{"key": "x", "chosen": None}], "2019", at) for i, u in enumerate(units)]
    assert insert_rows(Classification, fields, rows) == 3
    stored = {c.unit_id: c for c in Classification.objects.all()}
    first = stored[units[0].pk]
    assert first.deciding_row == 41 and stored[units[1].pk].deciding_row is None
    assert first.notes == ["注：中文", 'a "quoted" \\ tab\t'] and first.open_readings == [{"key": "x", "chosen": None}]
    assert first.classified_at == at and first.missing == ["has_boiler"]
    assert insert_rows(Classification, fields, []) == 0


def test_a_failing_row_leaves_none_of_the_batch():
    from django.db import IntegrityError

    from zhengtong.permits.models import Classification
    from zhengtong.tests_support.factories import UnitFactory

    unit = UnitFactory(county_code="430422", industry_code="2221")
    fields = ("unit_id", "source", "management_class", "scope", "at_least", "missing", "notes", "open_readings",
              "catalogue_version", "classified_at")
    row = (unit.pk, 1, "key", "", "", [], [], [], "2019", datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC")))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Classification, fields, [row, row])  # the same unit and fixed source twice
    assert not Classification.objects.exists()
