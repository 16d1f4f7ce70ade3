"""The access log (issue 15): who viewed whose health data.

Health data is what DESIGN.md reserves for roles with health duties: unmasked ID numbers, a person's
temperatures and health checks, entry logs and (with the outbreak app) cases and contact traces.
Every page, API answer, export and admin page that shows some calls ``record_view`` once, after it
has found what it shows: one row per view, however many rows the view lists. A list is recorded as
one subject naming the list (``Subject.of(site)`` for a site's lists, ``Subject.listing(...)`` for a
list across sites) with its filter and page in ``detail``, never one record per row shown.

The records are read by the city administrator only (``accounts.selectors.access_record_list``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.admin.utils import unquote
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone

from zhengtong.core import prepared
from zhengtong.core.cleaners import filter_text
from zhengtong.core.http import client_address
from zhengtong.core.models import AccessRecord

Kind = AccessRecord.Kind
SubjectType = AccessRecord.SubjectType
_SUBJECT_TYPES = frozenset(SubjectType.values)  # Django's enum builds the list again at each read


@dataclass(frozen=True)
class Subject:
    """Whose data a view shows: a person, a site (its entries, its health checks), a case, or a list
    that spans several (``type`` is an ``AccessRecord.SubjectType``)."""

    type: str
    id: int | None = None
    label: str = ""

    @classmethod
    def of(cls, instance: Any) -> Subject:
        """A person, a site or a case, by its model's name: the label is what the record shows for
        it (a person's name and masked ID number, a site's name)."""
        name = instance._meta.model_name
        if name not in _SUBJECT_TYPES:
            raise ValueError(f"no access subject type for {name}")
        return cls(name, instance.pk, str(instance))

    @classmethod
    def listing(cls, label: str) -> Subject:
        """A list whose rows belong to several people or sites (an admin list, a user's alerts)."""
        return cls(SubjectType.LIST, None, label)


def _viewer(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        return user
    auth = getattr(request, "auth", None)  # django-ninja's authenticated caller
    return auth if getattr(auth, "is_authenticated", False) else None


def record_view(request: HttpRequest, *, kind: str, subject: Subject, detail: str = "") -> AccessRecord:
    """Write the access record of one view of health data: the viewer (and the API token or gate
    device they used), the time, the kind of data, whose, the detail of a list (its filter, its page),
    the page or endpoint (its path, and its method and URL pattern: the API serves several
    operations on one path) and the client's address. One INSERT, committed with the view's
    transaction (at once outside one), written by a statement made once (``_insert``) rather than
    through the model's save: it is on every view of health data, the contact trace's API among them."""
    user = _viewer(request)
    key = getattr(request, "api_token", None) or getattr(request, "gate_device", None)
    match = getattr(request, "resolver_match", None)
    record = AccessRecord(
        at=timezone.now(),
        user=user,
        username=user.get_username() if user is not None else "",
        via=str(key)[:120] if key is not None else "",
        kind=kind,
        subject_type=subject.type,
        subject_id=subject.id,
        subject=subject.label[:200],
        detail=detail[:300],
        path=filter_text(request.path)[:300],
        route=f"{request.method} {match.route if match else ''}"[:120],
        address=client_address(request)[:64],
    )
    alias = router.db_for_write(AccessRecord)
    connection = connections[alias]
    sql, fields = _insert(connection.vendor, alias)
    found = prepared.fetchone(sql, [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields], alias)
    assert found is not None
    record.pk = found[0]
    record._state.adding, record._state.db = False, alias
    return record


@cache
def _insert(vendor: str, alias: str) -> tuple[str, list]:
    """The access record's INSERT (every column but the id, which it returns) and its fields."""
    ops = connections[alias].ops
    fields = [f for f in AccessRecord._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    sql = (f"INSERT INTO {ops.quote_name(AccessRecord._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {ops.quote_name(AccessRecord._meta.pk.column)}")
    return sql, fields


def list_detail(request: HttpRequest, *names: str) -> str:
    """A list's filter and page as the record's detail: the named query parameters that are set,
    in the order given (``q=张; page=2``). Only named ones: a query may carry what no log should."""
    values = ((name, filter_text(request.GET.get(name))) for name in names)  # as the list read them: no NUL
    return "; ".join(f"{name}={value}" for name, value in values if value)


class AccessLoggedAdmin:
    """A ``ModelAdmin`` mixin for tables of health data: its change page (and, with ``access_list``,
    its list) writes an access record on each GET, as the product's own pages do. The subject of a
    change page is the row's person, else its site."""

    access_kind: str = ""
    access_list: bool = True

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if self.access_list and request.method == "GET" and response.status_code == 200:
            opts = self.model._meta  # type: ignore[attr-defined]
            record_view(request, kind=self.access_kind, subject=Subject.listing(str(opts.verbose_name_plural)),
                        detail=request.GET.urlencode()[:300])
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if obj is not None:
                record_view(request, kind=self.access_kind, subject=self.access_subject(obj))
        return response

    def access_subject(self, obj: Any) -> Subject:
        person = getattr(obj, "person", None)
        return Subject.of(person) if person is not None else Subject.of(obj.site)
