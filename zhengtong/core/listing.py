"""One way every list page sorts, pages and exports (issue 16 §4).

A page declares its columns once (``Column``: the URL key, the header, how the database or Python
sorts it, and the cell its export writes) and calls ``listing(request, rows, columns, default=...)``:

- sorting: ``?sort=col`` ascending, ``?sort=-col`` descending, only by a column declared sortable;
  every order ends with the row's id, so that rows with equal values keep one order across pages.
  Empty values (NULL) come last in both directions. An unknown or malformed ``sort`` is ignored (the
  default order, and ``Listing.sort_ignored`` says so on the page); it never fails the page.
- paging: page numbers with the total; with ``count_cap=N`` the count stops at N ("more than N")
  where counting every row would be slow, and the pages go on with "next" as long as rows follow.
  A page number that is no whole number is page 1; one past the end is the last page.
- export: ``export_response(rows, columns, ...)`` writes the same rows (filtered and sorted as the
  page, every row, not only one page) to .xlsx through ``core.exports`` (cells neutralised), in
  the order ``sorted_rows`` gives. The page's scope is the rows' scope: a view passes its selector's
  queryset, never a wider one.

``rows`` is a queryset (sorted by the database), a list (sorted in Python, by each column's ``key``), or
``Statements``: a queryset's statements compiled once per key, order and page, for a list every request
reads alike (the permit campaign).
The templates ``core/_list_head.html`` (sortable headers: links that keep the filters, an arrow, and
``aria-sort``) and ``core/_list_pager.html`` show a ``Listing``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote_plus

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from zhengtong.core.cleaners import SEARCH_MAX_CHARS, SEARCH_MAX_WORDS, filter_text, search_cut, search_words
from zhengtong.core.compiled import converted_rows, kept
from zhengtong.core.exports import write_xlsx

SORT_PARAM = "sort"
PAGE_PARAM = "page"
MAX_PAGE = 10**6  # a larger page number is read as the last page (never an OFFSET of billions)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a list. ``order``: the database fields it sorts by (a queryset list); ``key``:
    the value it sorts by in Python (a list of rows); neither: not sortable. ``cell``: the value the
    export writes for a row (None: the column is not exported); ``export_label``: the export's header
    when it is not the page's."""

    name: str
    label: Any
    order: tuple[str, ...] = ()
    key: Callable[[Any], Any] | None = None
    cell: Callable[[Any], Any] | None = None
    export_label: Any = None
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order) or self.key is not None


@dataclass(frozen=True)
class Header:
    column: Column
    url: str  # the link that sorts by this column ("" when not sortable)
    direction: str  # "asc", "desc" or "" (the list is not sorted by this column)

    @property
    def label(self) -> Any:
        return self.column.label

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction, "none")

    @property
    def arrow(self) -> str:
        return {"asc": "▲", "desc": "▼"}.get(self.direction, "")


@dataclass
class Page:
    """One page of a list: its rows and where it sits (the attributes of Django's Page that the
    templates read, plus the capped total)."""

    rows: list[Any]
    number: int
    size: int
    total: int  # rows counted (at most cap + 1 when capped)
    capped: int | None = None  # the cap when there are more rows than it ("more than N")
    has_next: bool = False
    numbers: list[int | None] = field(default_factory=list)  # the page links, None for a gap
    source: Any = field(default=None, repr=False, compare=False)  # the rows it was cut from, in order

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def num_pages(self) -> int | None:
        return None if self.capped else max(1, math.ceil(self.total / self.size))

    @property
    def paginator(self) -> Page:
        """Django's ``page.paginator.count`` and ``.num_pages``, for a pager written for Django's Page."""
        return self

    @property
    def count(self) -> int:
        return self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


@dataclass
class Listing:
    page: Page
    headers: list[Header]
    sort: str  # the order in force, as ?sort= writes it ("name", "-created")
    sort_ignored: bool  # the request asked for an order this list does not have
    query: QueryDict  # the request's parameters without the page (the pager's links add it); a cut search's words
    sort_query: QueryDict  # ... and without the sort (the headers' links add it)
    rows: Any  # every row, filtered and sorted (what the export writes)
    search_cut: bool = False  # the search box held more than a search reads (core.cleaners.search_words)

    @property
    def search_note(self) -> str:
        if not self.search_cut:
            return ""
        return _("The search reads the first %(n)d characters and at most %(w)d different words; "
                 "the rest was left out.") % {"n": SEARCH_MAX_CHARS, "w": SEARCH_MAX_WORDS}


@dataclass(frozen=True)
class Statement:
    """A list's statement, compiled once: run with the values of its markers (``of``), every other value it
    takes being in the key it is kept by."""

    alias: str
    sql: str | None  # None: it matches nothing
    params: tuple
    converters: tuple  # (column, functions, expression), as the ORM converts the column
    slots: tuple = ()  # (position, marker's name, how the value is adapted: "", "datetime", "date")

    @classmethod
    def of(cls, qs: QuerySet, markers: dict[str, Any] | None = None, *, count: bool = False) -> Statement:
        """The statement of ``qs`` (a ``values_list``; with ``count``, the count of its rows) on its
        database. ``markers``: dates or times no other parameter equals (in 1901), each named, where the
        values ``rows`` is given go; with markers, every date or time the statement takes must be one of
        them (a time read when it was compiled would stay in it for good)."""
        markers = markers or {}
        connection = connections[qs.db]
        if count:
            qs = qs.order_by().values("pk")
        compiler = qs.query.get_compiler(qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return cls(qs.db, None, (), ())
        forms: dict[Any, tuple[str, str]] = {}
        for name, marker in markers.items():
            for form in _forms(connection, marker):
                assert form[1] not in forms, f"two markers are alike: {name}"
                forms[form[1]] = (name, form[0])
        slots = []
        for position, param in enumerate(params):
            found = forms.get(param) if isinstance(param, (str, date)) else None
            if found is not None:
                slots.append((position, *found))
            else:  # with markers, the times are theirs; without, the key holds the dates (the campaign's day)
                assert not (markers and isinstance(param, date)), f"a date or time that is no marker: {param!r}"
        if count:
            return cls(qs.db, f"SELECT COUNT(*) FROM ({sql}) subquery", tuple(params), (), tuple(slots))
        converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
        return cls(qs.db, sql, tuple(params),
                   tuple((column, functions, expression) for column, (functions, expression) in converters.items()),
                   tuple(slots))

    def rows(self, values: dict[str, Any] | None = None) -> list[list]:
        """Its rows, ``values`` for its markers, each row a list of values converted as the ORM converts them
        (prepared by PostgreSQL once per connection where ``core.prepared`` is turned on)."""
        if self.sql is None:
            return []
        connection = connections[self.alias]
        params = list(self.params)
        for position, name, adapt in self.slots:
            value = (values or {})[name]
            params[position] = (connection.ops.adapt_datetimefield_value(value) if adapt == "datetime"
                                else connection.ops.adapt_datefield_value(value) if adapt == "date" else value)
        return converted_rows(self.alias, self.sql, params, self.converters)


def _forms(connection: Any, marker: Any) -> list[tuple[str, Any]]:
    """How a marker may stand among a statement's parameters: as itself, or as the backend adapts a time
    or a date (SQLite: text)."""
    forms: list[tuple[str, Any]] = [("", marker)]
    if isinstance(marker, datetime):
        adapted = connection.ops.adapt_datetimefield_value(marker)
        kind = "datetime"
    elif isinstance(marker, date):
        adapted = connection.ops.adapt_datefield_value(marker)
        kind = "date"
    else:
        return forms
    if adapted != marker:
        forms.append((kind, adapted))
    return forms


class Statements:
    """The rows of a list whose statement is the same for everyone with one key (the database, the user's
    scope, the filters: whatever the queryset's SQL and parameters are made of, but the values of its
    markers), read by statements compiled once per key, order and page (issue 16 §8: the ORM built and
    compiled the same statement on every request). ``queryset()`` makes the list's queryset (called only
    to compile; with ``markers`` where it takes ``values``: the times of this request), ``fields`` the
    values a row is built from by ``build``. ``listing`` sorts it by ``columns`` (each order becomes its
    own statement; no columns: the queryset's own order) and pages it. The key must hold everything else
    the statement depends on: a statement kept under a key that misses a value would show another's rows."""

    def __init__(self, store: dict, key: tuple, queryset: Callable[[], QuerySet], columns: Sequence[Column], *,
                 fields: Sequence[str], build: Callable[[list], Any], markers: dict[str, Any] | None = None,
                 values: dict[str, Any] | None = None, actual: Callable[[], QuerySet] | None = None,
                 limit: int = 1_000) -> None:
        self.store, self.key, self.queryset, self.columns = store, key, queryset, columns
        self.fields, self.build, self.limit = tuple(fields), build, limit
        self.markers, self.values = markers, values
        # the queryset with this request's values where the markers stand: what Listing.rows and Page.source
        # give to whoever reads them (the export's rows, bench/lists.py's bare page), built only then
        self.actual = actual or queryset

    def sorted(self, sort: str) -> SortedStatements:
        return SortedStatements(self, sort)

    def read(self, sort: str, start: int, stop: int) -> list[Any]:
        def make() -> Statement:
            qs = self.queryset()
            ordered = sorted_rows(qs, self.columns, sort) if sort else qs
            return Statement.of(ordered.values_list(*self.fields)[start:stop], self.markers)

        statement = kept(self.store, (self.key, sort, start, stop), make, limit=self.limit)
        return [self.build(values) for values in statement.rows(self.values)]

    def count(self) -> int:
        statement = kept(self.store, (self.key, "count"), lambda: Statement.of(self.queryset(), self.markers,
                                                                             count=True), limit=self.limit)
        found = statement.rows(self.values)
        return found[0][0] if found else 0


class ModelRows:
    """How ``Statements`` read objects of ``model`` with some of their related ones (as ``select_related``
    gives them): ``fields`` the values to read, ``build`` the object made from them. ``related``: each path
    (``"fixed_source__unit"``, its parent named before it) with the fields read of it (``None``: every
    field); the model's own fields are all read, unless ``own`` names them."""

    def __init__(self, model: Any, related: Sequence[tuple[str, Sequence[str] | None]] = (), *,
                 own: Sequence[str] | None = None) -> None:
        self.model = model
        self.own = _attnames(model, own)
        self.parts = []  # (path, its parent's path, the field, the related model, its fields)
        models = {"": model}
        for path, names in related:
            parent, _sep, name = path.rpartition("__")
            found = models[parent]._meta.get_field(name)
            models[path] = found.related_model
            self.parts.append((path, parent, found, found.related_model, _attnames(found.related_model, names)))
        self.fields = (*self.own, *(f"{path}__{n}" for path, _p, _f, _m, names in self.parts for n in names))

    def build(self, values: list, alias: str) -> Any:
        n = len(self.own)
        made = {"": self.model.from_db(alias, self.own, values[:n])}
        for path, parent, found, model, names in self.parts:
            part = values[n: n + len(names)]
            n += len(names)
            owner = made[parent]
            made[path] = None if owner is None or part[0] is None else model.from_db(alias, names, part)
            if owner is not None:
                found.set_cached_value(owner, made[path])
        return made[""]


def _attnames(model: Any, names: Sequence[str] | None) -> tuple[str, ...]:
    """The model's fields ``names`` (every concrete one for None), the primary key first, in the model's
    order (``from_db`` takes them so)."""
    return tuple(f.attname for f in model._meta.concrete_fields
                 if names is None or f.attname in names or f.primary_key)


@dataclass(frozen=True)
class SortedStatements:
    """``Statements`` in one order: ``rows[start:stop]`` reads those rows (``paginate`` slices it so)."""

    statements: Statements
    sort: str

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        assert isinstance(window, slice) and window.step is None and stop is not None, window
        return self.statements.read(self.sort, start, stop)

    def count(self) -> int:
        return self.statements.count()

    def queryset(self) -> QuerySet:
        """The rows as a queryset in this order, with this request's values (built when called)."""
        qs = self.statements.actual()
        return sorted_rows(qs, self.statements.columns, self.sort) if self.sort else qs

    def lazy(self) -> Any:
        """``queryset()``, built when first used."""
        return SimpleLazyObject(self.queryset)


def parse_sort(value: Any, columns: Sequence[Column], default: str) -> tuple[str, bool]:
    """(the sort in force, whether the asked one was ignored)."""
    text = filter_text(value)
    if not text:
        return default, False
    name = text[1:] if text.startswith("-") else text
    if any(c.name == name and c.sortable for c in columns):
        return text, False
    return default, True


def _column(columns: Sequence[Column], sort: str) -> tuple[Column, bool]:
    desc = sort.startswith("-")
    name = sort[1:] if desc else sort
    return next(c for c in columns if c.name == name), desc


def never_null(model: Any, path: str) -> bool:
    """Whether a field path (``"reported_at"``, ``"unit__name"``) can never be NULL in a row of ``model``:
    a column without NULL reached through foreign keys without NULL. Then ``DESC NULLS LAST`` is the
    same order as ``DESC``, which PostgreSQL reads from a (descending or ascending) index on the
    column, while ``NULLS LAST`` makes it sort every row. An annotation or anything else: False."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            found = model._meta.get_field(model._meta.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            return False
        if not getattr(found, "concrete", False) or getattr(found, "null", True) or found.many_to_many:
            return False
        if i < len(parts) - 1:
            if not found.many_to_one:
                return False
            model = found.related_model
    return True


def sorted_rows(rows: Any, columns: Sequence[Column], sort: str, *, id_of: Callable[[Any], Any] | None = None) -> Any:
    """The rows in the order ``sort`` names, ending with the id. A queryset gets an ORDER BY (empty
    values last either way); a list is sorted in Python by the column's ``key`` (``id_of``: a row's
    id, default ``row.pk``)."""
    if isinstance(rows, Statements):
        return rows.sorted(sort)
    column, desc = _column(columns, sort)
    if isinstance(rows, QuerySet):
        terms: list[OrderBy] = []
        for name in column.order:
            expression = F(name)
            if not desc:
                terms.append(expression.asc(nulls_last=True))
            elif never_null(rows.model, name):  # plain DESC: an index on the column serves it (issue 19)
                terms.append(expression.desc())
            else:
                terms.append(expression.desc(nulls_last=True))
        terms.append(F("pk").desc() if desc else F("pk").asc())
        return rows.order_by(*terms)
    ident = id_of or (lambda row: row.pk)
    key = column.key or (lambda row: None)
    present = [r for r in rows if key(r) is not None]
    empty = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: (key(r), ident(r)), reverse=desc)
    empty.sort(key=ident, reverse=desc)
    return present + empty


def _page_number(value: Any) -> int:
    text = filter_text(value)
    if text == "last":
        return MAX_PAGE
    try:
        number = int(text)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _numbers(number: int, last: int) -> list[int | None]:
    """Page links: the first, the last, and two on each side of the current one; None for a gap."""
    wanted = sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)})
    result: list[int | None] = []
    for n in wanted:
        if result and n - (result[-1] or 0) > 1:
            result.append(None)
        result.append(n)
    return result


def paginate(rows: Any, *, number: int, size: int, count_cap: int | None = None, total: int | None = None) -> Page:
    """One page of ``rows`` (a sorted queryset or list). With ``count_cap`` the count stops there
    (a ``COUNT`` over at most cap + 1 rows); ``total``: the rows' number, counted already by the caller.
    A queryset is not counted when the page asked for is its last: the page is read first (size + 1
    rows), and fewer than that means the rows end on it (a small list pays no ``COUNT``)."""
    offset = (number - 1) * size
    chunk: list[Any] | None = None
    if isinstance(rows, QuerySet) and rows.query.is_empty():  # .none(): a scope that sees nothing
        chunk, total, number = [], 0, 1  # no statement, and none compiled to learn that
    if isinstance(rows, Statements):
        rows = rows.sorted("")  # in its queryset's own order
    if total is None and isinstance(rows, (QuerySet, SortedStatements)) and number <= MAX_PAGE:
        chunk = list(rows[offset: offset + size + 1])
        if len(chunk) <= size and (chunk or number == 1):
            total = offset + len(chunk)
    if total is not None:
        pass  # counted by the caller, or the last page read
    elif isinstance(rows, SortedStatements):
        total = rows.count()
    elif isinstance(rows, QuerySet) and count_cap:
        # the ids only: annotations the rows show but no filter reads are not computed for the count
        total = rows.order_by().values("pk")[: count_cap + 1].count()
    elif isinstance(rows, QuerySet):
        total = rows.count()
    else:
        total = len(rows)
    capped = count_cap if count_cap and total > count_cap else None
    if not capped:
        last = max(1, math.ceil(total / size))
        if number > last:
            number, chunk = last, None
    offset = (number - 1) * size
    if chunk is None:
        chunk = list(rows[offset: offset + size + 1])
    if capped and not chunk and number > 1:  # past the end of a capped list: back to the first page
        number, offset = 1, 0
        chunk = list(rows[: size + 1])
    has_next = len(chunk) > size
    page = Page(rows=chunk[:size], number=number, size=size, total=total, capped=capped, has_next=has_next,
                source=rows.lazy() if isinstance(rows, SortedStatements) else rows)
    last_known = page.num_pages if page.num_pages is not None else number + 1 if has_next else number
    page.numbers = _numbers(number, last_known)
    return page


def page_of(request: HttpRequest, rows: Any, *, size: int | None = None) -> Page:
    """The page of ``rows`` (already in their order) that the request asks for (``?page=``)."""
    from django.conf import settings

    return paginate(rows, number=_page_number(request.GET.get(PAGE_PARAM)), size=size or settings.PAGE_SIZE)


def listing(request: HttpRequest, rows: Any, columns: Sequence[Column], *, default: str, size: int | None = None,
            count_cap: int | None = None, id_of: Callable[[Any], Any] | None = None,
            total: int | None = None) -> Listing:
    """Sort ``rows`` as the request asks (``?sort=``), take the page it asks (``?page=``): what a
    list page renders. ``default``: the order without (or with a bad) ``sort``; ``total``: the number of
    rows when the page has counted them already (no second count)."""
    from django.conf import settings

    sort, ignored = parse_sort(request.GET.get(SORT_PARAM), columns, default)
    ordered = sorted_rows(rows, columns, sort, id_of=id_of)
    page = paginate(ordered, number=_page_number(request.GET.get(PAGE_PARAM)),
                    size=size or settings.PAGE_SIZE, count_cap=count_cap, total=total)
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    if ignored:
        query.pop(SORT_PARAM, None)
    cut = search_cut(request.GET.get("q"))
    if cut:  # the links carry the words searched, not the whole paste (a 1,000-character one, 3 kB a link)
        query["q"] = " ".join(search_words(request.GET.get("q")))
    sort_query = query.copy()
    sort_query.pop(SORT_PARAM, None)
    current, desc = _column(columns, sort)
    # each header's link is the filters and its sort, as sort_query.copy() with the sort set would write
    # it: the filters encoded once, not once a column
    filters = sort_query.urlencode()
    before = f"?{filters}&{SORT_PARAM}=" if filters else f"?{SORT_PARAM}="
    headers = []
    for column in columns:
        if not column.sortable:
            headers.append(Header(column, "", ""))
            continue
        active = column is current
        direction = ("desc" if desc else "asc") if active else ""
        value = column.name if not (active and not desc) else f"-{column.name}"
        headers.append(Header(column, before + quote_plus(value), direction))
    if isinstance(ordered, SortedStatements):
        ordered = ordered.lazy()
    return Listing(page=page, headers=headers, sort=sort, sort_ignored=ignored, query=query, sort_query=sort_query,
                   rows=ordered, search_cut=cut)


def export_rows(request: HttpRequest, rows: Any, columns: Sequence[Column], *, default: str,
                id_of: Callable[[Any], Any] | None = None) -> Any:
    """Every row of the list, filtered and sorted as the page shows it (the export's rows)."""
    sort, _ignored = parse_sort(request.GET.get(SORT_PARAM), columns, default)
    return sorted_rows(rows, columns, sort, id_of=id_of)


def export_xlsx(rows: Iterable[Any], columns: Sequence[Column], *, sheet_name: str) -> bytes:
    """The exported columns of ``rows`` as an .xlsx workbook (core.exports: every cell neutralised)."""
    exported = [c for c in columns if c.cell is not None]
    headers = [str(c.export_label or c.label) for c in exported]
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    body = ([c.cell(row) for c in exported] for row in rows)  # type: ignore[misc]
    return write_xlsx(headers, body, sheet_name=sheet_name)


def xlsx_response(body: bytes, name: str) -> HttpResponse:
    """A download of an .xlsx body, named ``NAME-YYYYMMDD-HHMM.xlsx``."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def export_response(request: HttpRequest, rows: Any, columns: Sequence[Column], *, default: str, name: str,
                    sheet_name: str | None = None, id_of: Callable[[Any], Any] | None = None) -> HttpResponse:
    """The list's export: every row of ``rows`` (the page's scoped, filtered queryset or list),
    sorted as the page, as an .xlsx download."""
    ordered = export_rows(request, rows, columns, default=default, id_of=id_of)
    return xlsx_response(export_xlsx(ordered, columns, sheet_name=sheet_name or name), name)


def sort_note() -> str:
    return _("This list cannot be sorted that way: it is shown in its usual order.")
