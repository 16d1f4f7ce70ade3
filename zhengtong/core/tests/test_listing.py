"""core.natsort (names sorted as people count) and core.listing (sort, page, export of every list)."""

import io
import random

import openpyxl
import pytest
from django.test import RequestFactory

from zhengtong.core.listing import Column, export_response, listing, paginate, parse_sort, sorted_rows
from zhengtong.core.natsort import chinese_number, natural_key

UNITS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]


def chinese(n: int) -> str:
    """The usual way of writing 1..999 (十一, 二十, 一百零五), written independently of the parser."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = ""
    if hundreds:
        text += UNITS[hundreds] + "百"
        if tens == 0 and ones:
            text += "零"
    if tens:
        text += ("" if tens == 1 and not hundreds else UNITS[tens]) + "十"
    if ones:
        text += UNITS[ones]
    return text


def test_chinese_numbers_one_to_ninety_nine_and_hundreds():
    assert [chinese_number(chinese(n)) for n in range(1, 1000)] == list(range(1, 1000))
    assert chinese_number("一〇五") == 105  # digit by digit
    assert chinese_number("零") == 0
    assert chinese_number("十十") is None and chinese_number("二三十") is None


def test_ordinal_names_sort_as_people_count():
    names = [f"{chinese(n)}监区" for n in range(1, 100)]
    shuffled = names[:]
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled, key=natural_key) == names
    assert sorted(shuffled) != names  # plain text order puts 十一 before 二


def test_arabic_and_mixed_numbers():
    names = ["2号楼", "10号楼", "1号楼", "B栋", "A栋", "三号楼", "十二号楼"]
    assert sorted(names, key=natural_key) == ["1号楼", "2号楼", "三号楼", "10号楼", "十二号楼", "A栋", "B栋"]
    assert natural_key("第3车间") < natural_key("第十车间")
    assert natural_key(None) == ""
    assert len(natural_key("1a" * 200)) == 255


def test_a_run_that_is_no_number_stays_text():
    assert natural_key("十十") == "十十"


# core.listing ---------------------------------------------------------------------------------

class Row:
    def __init__(self, pk, name, size):
        self.pk, self.name, self.size = pk, name, size


COLUMNS = [
    Column("name", "Name", key=lambda r: natural_key(r.name), cell=lambda r: r.name),
    Column("size", "Size", key=lambda r: r.size, cell=lambda r: r.size),
    Column("note", "Note", cell=lambda r: "=1+1"),  # not sortable
]
ROWS = [Row(1, "十一监区", 3), Row(2, "二监区", None), Row(3, "一监区", 3), Row(4, "二监区", 1)]


def get(query=""):
    return RequestFactory().get("/list/?" + query)


def test_parse_sort_takes_only_declared_sortable_columns():
    assert parse_sort("-size", COLUMNS, "name") == ("-size", False)
    assert parse_sort("note", COLUMNS, "name") == ("name", True)
    assert parse_sort("nope", COLUMNS, "name") == ("name", True)
    assert parse_sort("--name", COLUMNS, "name") == ("name", True)
    assert parse_sort("\x00", COLUMNS, "name") == ("name", False)
    assert parse_sort(None, COLUMNS, "name") == ("name", False)


def test_python_sort_both_directions_with_id_tiebreak_and_empty_last():
    assert [r.pk for r in sorted_rows(ROWS, COLUMNS, "name")] == [3, 2, 4, 1]
    assert [r.pk for r in sorted_rows(ROWS, COLUMNS, "-name")] == [1, 4, 2, 3]
    assert [r.pk for r in sorted_rows(ROWS, COLUMNS, "size")] == [4, 1, 3, 2]
    assert [r.pk for r in sorted_rows(ROWS, COLUMNS, "-size")] == [3, 1, 4, 2]


def test_listing_headers_keep_filters_and_say_the_order():
    result = listing(get("q=x&sort=-size&page=2"), ROWS, COLUMNS, default="name", size=3)
    name, size, note = result.headers
    assert size.direction == "desc" and size.aria_sort == "descending" and size.arrow == "▼"
    assert name.aria_sort == "none" and name.url == "?q=x&sort=name"
    assert size.url == "?q=x&sort=size"  # the active column's link turns the order round
    assert note.url == "" and not note.column.sortable
    assert result.query.urlencode() == "q=x&sort=-size"
    assert result.page.number == 2 and [r.pk for r in result.page] == [2]
    assert result.page.total == 4 and result.page.num_pages == 2


@pytest.mark.parametrize("page", ["abc", "0", "-3", "99999999999999999999999", "1.5", "\x00", "last"])
def test_bad_page_numbers_are_a_page_not_an_error(page):
    result = listing(get(f"page={page}"), ROWS, COLUMNS, default="name", size=3)
    assert result.page.number in (1, 2)
    assert len(result.page) in (1, 3)


def test_bad_sort_is_ignored_and_said():
    result = listing(get("sort=note"), ROWS, COLUMNS, default="name", size=10)
    assert result.sort == "name" and result.sort_ignored
    assert "sort" not in result.query


@pytest.mark.django_db
def test_capped_count_says_more_than_and_pages_on():
    from zhengtong.registry.models import Industry

    qs = Industry.objects.all()
    n = qs.count()
    assert n > 30
    page = paginate(qs.order_by("code", "pk"), number=1, size=10, count_cap=20)
    assert page.capped == 20 and page.num_pages is None and page.has_next
    far = paginate(qs.order_by("code", "pk"), number=3, size=10, count_cap=20)
    assert far.number == 3 and len(far) == 10
    past = paginate(qs.order_by("code", "pk"), number=10**6, size=10, count_cap=20)
    assert past.number == 1  # past the end of a capped list: the first page
    exact = paginate(qs.order_by("code", "pk"), number=10**6, size=10)
    assert exact.capped is None and exact.total == n and exact.number == exact.num_pages


@pytest.mark.django_db
def test_queryset_sort_ends_with_the_id_and_puts_empty_last():
    from zhengtong.registry.models import Industry

    columns = [Column("code", "Code", order=("code",)), Column("parent", "Parent", order=("parent__code",))]
    qs = Industry.objects.all()
    up = list(sorted_rows(qs, columns, "parent"))
    down = list(sorted_rows(qs, columns, "-parent"))
    assert up[-1].parent is None and down[-1].parent is None  # the sections (no parent) last both ways
    with_parent = [i for i in up if i.parent is not None]
    assert [(i.parent.code, i.pk) for i in with_parent] == sorted((i.parent.code, i.pk) for i in with_parent)
    down_with_parent = [i for i in down if i.parent is not None]
    assert [(i.parent.code, i.pk) for i in down_with_parent] == sorted(
        ((i.parent.code, i.pk) for i in down_with_parent), reverse=True)


def test_export_writes_every_row_sorted_and_neutralised():
    response = export_response(get("sort=-name"), ROWS, COLUMNS, default="name", name="rows")
    assert response["Content-Disposition"].startswith('attachment; filename="rows-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0] == ("Name", "Size", "Note")
    assert [v[0] for v in values[1:]] == ["十一监区", "二监区", "二监区", "一监区"]
    assert {v[2] for v in values[1:]} == {"'=1+1"}


def test_a_descending_sort_on_a_column_that_is_never_null_is_plain_desc():
    """NULLS LAST on a column without NULL changes no order but keeps PostgreSQL from reading an index on
    it (issue 19: the difficulty lists sorted all their rows for a page); a nullable column keeps it."""
    from django.contrib.auth import get_user_model

    from zhengtong.core.listing import never_null
    from zhengtong.registry.models import Unit
    from zhengtong.resumption.models import Difficulty

    assert never_null(Difficulty, "reported_at") and never_null(Difficulty, "unit__name")
    assert never_null(Unit, "county__code") and never_null(Difficulty, "pk")
    assert not never_null(Difficulty, "department__name")  # through a nullable foreign key
    assert not never_null(Difficulty, "resolved_on") and not never_null(Difficulty, "due")  # nullable; annotation
    assert not never_null(get_user_model(), "last_login")
    columns = [Column("reported", "Reported", order=("reported_at",)), Column("done", "Done", order=("resolved_on",))]
    sql = str(sorted_rows(Difficulty.objects.all(), columns, "-reported").query)
    assert "NULLS LAST" not in sql.split("ORDER BY")[1]
    sql = str(sorted_rows(Difficulty.objects.all(), columns, "-done").query)
    assert "NULLS LAST" in sql.split("ORDER BY")[1]


@pytest.mark.django_db
def test_the_last_page_of_a_queryset_is_not_counted():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengtong.registry.models import Industry

    qs = Industry.objects.order_by("code", "pk")
    n = qs.count()
    last = -(-n // 10)
    for number, counts in ((1, 1), (last, 0), (last + 5, 1)):  # a page before the end; the last; past it
        with CaptureQueriesContext(connection) as queries:
            page = paginate(qs, number=number, size=10)
        assert sum("COUNT(" in q["sql"] for q in queries.captured_queries) == counts, number
        assert page.total == n and page.num_pages == last and page.number == min(number, last)
    few = qs.filter(code__startswith="13")
    assert 10 < few.count() < 500
    small = paginate(few, number=1, size=500)  # every row on one page
    assert small.total == few.count() and not small.has_next and len(small) == few.count()
    empty = paginate(qs.none(), number=3, size=10)
    assert (empty.total, empty.number, list(empty)) == (0, 1, [])


OLD_HEAD = """{% load i18n %}<thead><tr>{% for h in listing.headers %}<th scope="col"{% if h.column.css %} class="{{ h.column.css }}"{% endif %}{% if h.url %} aria-sort="{{ h.aria_sort }}" data-sort="{{ h.column.name }}"{% endif %}>{% if h.url %}<a class="sort" href="{{ h.url }}">{{ h.label }}{% if h.arrow %} <span aria-hidden="true">{{ h.arrow }}</span>{% endif %}</a>{% else %}{{ h.label }}{% endif %}</th>{% endfor %}</tr></thead>"""  # noqa: E501 (core/_list_head.html as it was)


@pytest.mark.parametrize("query", ["", "sort=-size&q=<b>&x", "sort=name&page=2"])
def test_the_header_row_is_the_templates(query):
    from zhengtong.tests_support.rows import render_both

    columns = [*COLUMNS, Column("num", '<i>"N"</i>', order=("size",), css="num")]
    result = listing(get(query), ROWS, columns, default="name", size=3)
    old, new = render_both(OLD_HEAD, '{% include "core/_list_head.html" %}', "zh-hans", listing=result)
    assert new == old and "&lt;i&gt;" in new and 'aria-sort="' in new
