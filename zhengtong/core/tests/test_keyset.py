"""core.keyset: pages newest first by (time, id), with neither a repeat nor a gap across pages when
many rows share a time, in both directions; a cursor that is not ours is a clear error on the field
``cursor``; counts stop at their cap."""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from zhengtong.core.errors import DomainError
from zhengtong.core.keyset import count_capped, decode_cursor, encode_cursor, keyset_page
from zhengtong.screening.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    """23 entries at 5 times only (4 or 5 share each), ids not in time order."""
    now = timezone.now().replace(microsecond=0)
    rows = [Entry(client_uuid=uuid.uuid4(), site=world.site_a, person=world.person_a,
                  entered_at=now - timedelta(minutes=(i * 7) % 5), decision="admit", reason="ok")
            for i in range(23)]
    Entry.objects.bulk_create(rows)
    qs = Entry.objects.filter(site=world.site_a)
    expected = list(qs.order_by("-entered_at", "-pk").values_list("pk", flat=True))
    return qs, expected


def walk(qs, direction, cursor=None, size=4):
    pages = []
    while True:
        page = keyset_page(qs, time_field="entered_at", cursor=cursor, size=size)
        pages.append(page)
        cursor = getattr(page, direction)
        if cursor is None:
            return pages


def test_older_pages_cover_every_row_once_in_order(entries):
    qs, expected = entries
    pages = walk(qs, "older")
    seen = [row.pk for page in pages for row in page]
    assert seen == expected
    assert len(pages) == 6 and [len(p) for p in pages] == [4, 4, 4, 4, 4, 3]
    assert pages[0].is_first and pages[0].newer is None and not pages[1].is_first


def test_newer_pages_lead_back_to_the_first_page(entries):
    qs, expected = entries
    last = walk(qs, "older")[-1]
    back = walk(qs, "newer", cursor=last.newer)
    seen = [row.pk for page in reversed(back) for row in page] + [row.pk for row in last]
    assert seen == expected
    assert back[-1].is_first and back[-1].newer is None
    assert [row.pk for row in back[-1]] == expected[:4]


def test_a_page_size_of_one_still_walks_ties(entries):
    qs, expected = entries
    assert [row.pk for page in walk(qs, "older", size=1) for row in page] == expected


def _raw(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not a cursor", "@@@", _raw({"a": 1}), _raw(["o", "2020-01-01T00:00:00", 5]),
    _raw(["x", "2020-01-01T00:00:00+08:00", 5]),
    _raw(["o", "2020-01-01T00:00:00+08:00", -1]), _raw(["o", "2020-01-01T00:00:00+08:00", 10**30]),
    _raw(["o", "2020-01-01T00:00:00+08:00", True]), _raw(["o", "yesterday", 5]), "x" * 500, _raw("\x00"),
])
def test_a_cursor_that_is_not_ours_is_a_clear_error(entries, cursor):
    qs, _ = entries
    with pytest.raises(DomainError) as caught:
        keyset_page(qs, time_field="entered_at", cursor=cursor)
    assert list(caught.value.errors) == ["cursor"]


def test_a_cursor_round_trips():
    at = timezone.now()
    assert decode_cursor(encode_cursor(at, 42)) == ("o", at, 42)


def test_count_stops_at_its_cap(entries):
    qs, expected = entries
    capped = count_capped(qs, 10)
    assert (capped.n, capped.more) == (10, True)
    capped = count_capped(qs, 100)
    assert (capped.n, capped.more) == (23, False)
    exact = count_capped(qs, 23)
    assert (exact.n, exact.more) == (23, False)
