"""A statement every request runs, compiled once per database. The ORM builds and compiles a queryset
again for each request (about a thousand Python calls for a small one); a statement that only one value
changes (the user's id, a token's hash) is compiled once with a marker where the value goes, and run
through a cursor with its rows converted as the ORM would convert them."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from zhengtong.core import prepared

T = TypeVar("T")


@dataclass(frozen=True)
class Compiled:
    alias: str
    sql: str
    params: tuple
    position: int  # where the value goes among the parameters
    converters: tuple  # (column, functions, expression)


def compile_once(qs: QuerySet, marker: Any) -> Compiled:
    """The statement of ``qs`` (a ``values_list``), on its database, which takes ``marker`` (a value
    no other parameter equals) once: the value ``rows`` is given goes there."""
    alias = qs.db
    compiler = qs.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    positions = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
    if len(positions) != 1:
        raise AssertionError(f"the statement takes its value once: {sql}")
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    return Compiled(alias, sql, tuple(params), positions[0],
                    tuple((column, functions, expression) for column, (functions, expression) in converters.items()))


def rows(statement: Compiled, value: Any) -> list[list]:
    """The statement's rows with ``value`` for its marker, each a list of converted values (prepared
    by PostgreSQL once per connection where ``core.prepared`` is turned on)."""
    params = list(statement.params)
    params[statement.position] = value
    return converted_rows(statement.alias, statement.sql, params, statement.converters)


def converted_rows(alias: str, sql: str, params: list, converters: tuple) -> list[list]:
    """A statement's rows (prepared by PostgreSQL once per connection where ``core.prepared`` is turned on),
    each a list of values converted by ``converters`` ((column, functions, expression), as a compiler's
    ``get_converters`` gives them) as the ORM converts them."""
    connection = connections[alias]
    out = [list(row) for row in prepared.fetchall(sql, params, alias)]
    for row in out:
        for column, functions, expression in converters:
            for function in functions:
                row[column] = function(row[column], expression, connection)
    return out


def kept(store: dict, key: Hashable, make: Callable[[], T], *, limit: int = 10_000) -> T:
    """``store[key]``, made by ``make()`` the first time: for a statement that depends on more than the
    database (a user's scope: ``accounts.scopes.scope_key``), kept per key; and for whatever a page makes
    the same for everyone with the same key (a URL, the navigation's labels in a language, the demo's
    notice). A process serves a bounded number of keys; past ``limit`` the store starts again empty."""
    try:
        return store[key]
    except KeyError:
        pass
    if len(store) >= limit:
        store.clear()
    value = store[key] = make()
    return value


@dataclass(frozen=True)
class Count:
    alias: str
    sql: str | None  # None: the queryset can match nothing
    params: tuple
    position: int | None = None  # where the value goes among the parameters, with a marker


def compile_count(qs: QuerySet, marker: Any = None) -> Count:
    """``qs.count()``'s statement, compiled now to be run by ``count`` as often as needed: for a count
    every page shows (the navigation's) whose statement is the same for everyone with one scope, or, with
    a ``marker`` that ``qs`` takes once (as ``compile_once``'s), for everyone."""
    alias = qs.db
    try:
        sql, params = qs.order_by().values("pk").query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        return Count(alias, None, ())
    position = None
    if marker is not None:
        positions = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
        if len(positions) != 1:
            raise AssertionError(f"the statement takes its value once: {sql}")
        position = positions[0]
    return Count(alias, f"SELECT COUNT(*) FROM ({sql}) subquery", tuple(params), position)


def count(statement: Count, value: Any = None) -> int:
    """The count, with ``value`` for the marker of a statement compiled with one."""
    if statement.sql is None:
        return 0
    params = list(statement.params)
    if statement.position is not None:
        params[statement.position] = value
    found = prepared.fetchone(statement.sql, params, statement.alias)
    assert found is not None
    return found[0]
