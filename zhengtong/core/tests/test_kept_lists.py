"""core.listing's lists read by kept statements (Statement, Statements: compiled once per key, order and page,
with markers where each request's times go), an empty queryset paged without a statement, the pager tag on
these lists (list_page.list_pager: the same markup as core/_list_pager.html) and the header row kept
(list_kept.kept_list_head)."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zhengtong.core.listing import Column, Statement, Statements, listing, paginate
from zhengtong.core.models import AccessRecord
from zhengtong.registry.models import Industry

pytestmark = pytest.mark.django_db

MARK = datetime(1901, 3, 5, 13, 27, 41, 123457, tzinfo=UTC)


def records() -> list[datetime]:
    now = timezone.now().replace(microsecond=0)
    times = [now - timedelta(hours=h) for h in (1, 5, 30)]
    for n, at in enumerate(times):
        AccessRecord.objects.create(at=at, username=f"u{n}", kind="entries")
    return times


def test_a_statement_takes_each_requests_time_where_its_marker_is():
    times = records()
    statement = Statement.of(AccessRecord.objects.filter(at__gte=MARK).order_by("at").values_list("username"),
                             {"since": MARK})
    for since in (times[0], times[1], times[2], times[2] - timedelta(days=1), times[0] + timedelta(seconds=1)):
        expected = list(AccessRecord.objects.filter(at__gte=since).order_by("at").values_list("username"))
        assert [tuple(row) for row in statement.rows({"since": since})] == expected, since


def test_two_markers_alike_are_refused():
    qs = AccessRecord.objects.filter(at__gte=MARK, at__lte=MARK).values_list("pk")
    with pytest.raises(AssertionError, match="alike"):
        Statement.of(qs, {"from": MARK, "until": MARK})


def test_a_time_that_is_no_marker_is_refused():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite takes times as text: a time is told from other text only on PostgreSQL")
    qs = AccessRecord.objects.filter(at__gte=MARK, at__lte=timezone.now()).values_list("pk")
    with pytest.raises(AssertionError, match="no marker"):
        Statement.of(qs, {"since": MARK})


COLUMNS = [Column("code", "Code", order=("code",)), Column("name", "Name", order=("name",))]


def test_statements_are_compiled_once_per_key_order_and_page():
    made = []

    def industries(prefix):
        def queryset():
            made.append(prefix)
            return Industry.objects.filter(code__startswith=prefix)
        return queryset

    store: dict = {}

    def rows(prefix, sort, start, stop):
        return Statements(store, (prefix,), industries(prefix), COLUMNS, fields=("code", "name"),
                          build=tuple).sorted(sort)[start:stop]

    def orm(prefix, sort, start, stop):
        desc = sort.startswith("-")
        order = sort.lstrip("-")
        qs = Industry.objects.filter(code__startswith=prefix).order_by(f"-{order}" if desc else order,
                                                                        "-pk" if desc else "pk")
        return list(qs.values_list("code", "name")[start:stop])

    for prefix, sort, start, stop in (("13", "code", 0, 5), ("13", "code", 0, 5), ("13", "-code", 0, 5),
                                      ("13", "code", 5, 10), ("22", "code", 0, 5), ("13", "-name", 3, 7)):
        assert rows(prefix, sort, start, stop) == orm(prefix, sort, start, stop)
    assert made == ["13", "13", "13", "22", "13"]  # the repeated read compiled nothing
    with CaptureQueriesContext(connection) as queries:
        rows("13", "code", 0, 5)
    assert len(queries.captured_queries) == 1


def test_statements_count_when_the_page_is_not_the_last():
    qs = Industry.objects.filter(code__startswith="13")
    statements = Statements({}, ("13",), lambda: qs.order_by("code", "pk"), (), fields=("code",), build=tuple)
    page = paginate(statements, number=2, size=5)
    assert page.total == qs.count() and page.rows == [(c,) for c in qs.order_by("code", "pk")
                                                      .values_list("code", flat=True)[5:10]]


def test_an_empty_queryset_is_paged_without_compiling_a_statement():
    from django.db.models.sql.compiler import SQLCompiler

    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled")), \
            CaptureQueriesContext(connection) as queries:
        for number in (1, 7):
            page = paginate(Industry.objects.select_related("parent").none(), number=number, size=10)
            assert (page.total, page.number, page.rows, page.num_pages) == (0, 1, [], 1)
    assert queries.captured_queries == []


def get(query: str):
    return RequestFactory().get("/list/?" + query)


def render(template: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(template).render(Context(context))


LISTS = [("", {}), ("page=3&q=<b>", {}), ("page=last&sort=-code", {}), ("page=2&sort=bogus", {}),
         ("q=" + "很长的搜索 " * 40, {}), ("page=4", {"count_cap": 30}), ("page=40", {"count_cap": 30}),
         ("q=x&page=2", {"size": 5000})]


@pytest.mark.parametrize(("query", "options"), LISTS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pager_is_the_templates(query, options, language):
    rows = Industry.objects.all()
    result = listing(get(query), rows, COLUMNS, default="code", size=options.get("size", 10),
                     count_cap=options.get("count_cap"))
    old = render('{% include "core/_list_pager.html" %}', language, listing=result)
    new = render("{% load list_page %}{% list_pager listing %}", language, listing=result)
    assert new == old
    assert 'data-testid="pager"' in new


def test_the_pager_of_an_empty_list_is_the_templates():
    result = listing(get("sort=name"), Industry.objects.none(), COLUMNS, default="code", size=10)
    for language in ("zh-hans", "en"):
        old = render('{% include "core/_list_pager.html" %}', language, listing=result)
        assert render("{% load list_page %}{% list_pager listing %}", language, listing=result) == old


def test_the_kept_header_row_is_list_heads_for_each_language_order_and_filters():
    from django.utils.translation import gettext_lazy

    from zhengtong.core.templatetags.list_page import list_head

    columns = [Column("code", gettext_lazy("Unit"), order=("code",)), Column("name", "Name", order=("name",)),
               Column("x", gettext_lazy("County"))]
    seen = set()
    for language in ("zh-hans", "en"):
        for query in ("", "sort=-code", "sort=name&q=<b>", "q=x&page=3", "sort=nope"):
            result = listing(get(query), Industry.objects.all(), columns, default="code")
            with translation.override(language):
                html = render("{% load list_kept %}{% kept_list_head listing %}", language, listing=result)
                assert html == list_head(result)
            seen.add(html)
    assert len(seen) == 2 * 4  # "sort=nope" is the default order, as ""


def test_a_lists_rows_and_page_source_stay_querysets_built_only_when_read():
    """What the page shows by kept statements, Listing.rows and Page.source give as the queryset (the
    export's rows, bench/lists.py's bare page), with this request's values, built only when read."""
    made = []

    def actual():
        made.append(1)
        return Industry.objects.filter(code__startswith="13")

    statements = Statements({}, ("13",), lambda: Industry.objects.filter(code__startswith="13"), COLUMNS,
                            fields=("code",), build=tuple, actual=actual)
    result = listing(get("sort=-name&page=2"), statements, COLUMNS, default="code", size=5,
                     total=Industry.objects.filter(code__startswith="13").count())
    assert made == []
    shown = [code for (code,) in result.page.rows]
    assert list(result.rows[5:10].values_list("code", flat=True)) == shown and made == [1]
    page = paginate(Statements({}, ("x",), lambda: Industry.objects.order_by("code", "pk"), (), fields=("code",),
                               build=tuple), number=1, size=3)
    assert list(page.source[:3].values_list("code", flat=True)) == [code for (code,) in page.rows]
