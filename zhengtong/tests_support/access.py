"""Checking the access log (core.access) in tests."""

from zhengtong.core.models import AccessRecord


def only_record(**expected) -> AccessRecord:
    """The one access record written, with these field values."""
    records = list(AccessRecord.objects.all())
    assert len(records) == 1, records
    record = records[0]
    assert {k: getattr(record, k) for k in expected} == expected
    return record
