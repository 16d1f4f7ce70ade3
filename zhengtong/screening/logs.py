"""The logs of a site (出入登记台账 and its kin): entries, health checks, alerts and disinfections,
listed, filtered and exported by one set of functions.

Each log is a ``Log``: its table and time column, who may see it, its filters and its columns. A
page is a keyset page (core.keyset: newest first by (time, id), "more than N" instead of an exact
total); an export writes the same rows and columns through core.exports (cells neutralised,
constant memory), in the request up to EXPORT_MAX_ROWS_INLINE rows, as a job (core.exportjobs)
beyond. Who may see a log (a site outside it is a 404):

| log | who |
|---|---|
| entries | the site's gatekeepers (ID numbers masked), site managers, the county officers of its county, the city |
| health checks, alerts | those who see the site's health data (``scopes.can_see_health_data``): not gatekeepers |
| disinfections | as entries |

An ID number is shown whole where the viewer sees the health data of the row's site
(``scopes.can_see_health_data``, as ``registry.selectors.person_id_number``), masked elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts import scopes
from zhengtong.core import exportjobs
from zhengtong.core.access import Kind
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.models import ExportFile
from zhengtong.registry import selectors as registry_selectors
from zhengtong.registry.models import Person, Site
from zhengtong.screening.models import Alert, Decision, Disinfection, Entry, HealthCheck


class Viewer:
    """What a row shows this viewer: ID numbers whole where they see the site's health data. The
    answer per site and the decrypted numbers per person are kept for the whole list or export."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._whole: dict[int, bool] = {}
        self._numbers: dict[tuple[int, bool], str] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._sites: dict[int, str] = {}

    def label(self, model: type[Model], field_name: str, value: str) -> str:
        """A choice's label in the viewer's language, translated once per list (Django's
        ``get_FOO_display`` hashes every choice on every call)."""
        key = (f"{model._meta.label}.{field_name}", value)
        if key not in self._labels:
            choices = dict(getattr(model._meta.get_field(field_name), "flatchoices", ()))
            self._labels[key] = str(choices.get(value, value))
        return self._labels[key]

    def site_name(self, site_id: int) -> str:
        if site_id not in self._sites:
            self._sites[site_id] = Site.objects.filter(pk=site_id).values_list("name", flat=True).first() or ""
        return self._sites[site_id]

    def whole_at(self, site_id: int) -> bool:
        if site_id not in self._whole:
            self._whole[site_id] = scopes.can_see_health_data(self.user, {site_id})
        return self._whole[site_id]

    def id_number(self, person: Person | None, site_id: int) -> str:
        if person is None:
            return ""
        whole = self.whole_at(site_id)
        key = (person.pk, whole)
        if key not in self._numbers:
            self._numbers[key] = registry_selectors.person_id_number_as_seen(person, whole=whole)
        return self._numbers[key]


@dataclass(frozen=True)
class Row:
    """A row of a log page: the record and its cells as (column label, value)."""

    obj: Any
    cells: list[tuple[str, Any]]


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[Any, Viewer], Any]
    width: float = 14
    key: str = ""  # for templates and tests


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _person(row, viewer: Viewer) -> str:
    return row.person.name if row.person_id else ""


def _id_number(row, viewer: Viewer) -> str:
    return viewer.id_number(row.person if row.person_id else None, row.site_id)


@dataclass(frozen=True)
class Log:
    name: str  # in URLs: entries, health, alerts, disinfections
    title: Promise
    model: type[Model]
    time_field: str
    access_kind: str
    columns: list[Column]
    may_see: Callable[[Any], Any]  # user -> Q on Site: the sites whose log the user may see
    related: tuple[str, ...] = ()
    status_label: Promise = gettext_lazy("Status")
    statuses: list[tuple[str, Promise]] = field(default_factory=list)
    status_q: dict[str, Q] = field(default_factory=dict)
    has_area: bool = False
    has_person: bool = True

    def rows(self, qs: Iterable[Any], viewer: Viewer, *, with_site: bool = False) -> Iterator[list[Any]]:
        for row in qs:
            yield self.values(row, viewer, with_site=with_site)

    def values(self, row: Any, viewer: Viewer, *, with_site: bool = False) -> list[Any]:
        values = [column.value(row, viewer) for column in self.columns]
        return [viewer.site_name(row.site_id), *values] if with_site else values

    def headers(self, *, with_site: bool = False) -> list[str]:
        labels = [str(c.label) for c in self.columns]
        return [_("Site"), *labels] if with_site else labels

    def widths(self, *, with_site: bool = False) -> list[float]:
        widths = [c.width for c in self.columns]
        return [20, *widths] if with_site else widths


ENTRIES = Log(
    name="entries", title=gettext_lazy("Entry log"), model=Entry, time_field="entered_at", access_kind=Kind.ENTRIES,
    may_see=scopes.screening_sites_q, related=("person", "area"),
    status_label=gettext_lazy("Admitted or refused"), statuses=list(Decision.choices),
    status_q={value: Q(decision=value) for value in Decision.values}, has_area=True,
    columns=[
        Column(gettext_lazy("Time"), lambda r, v: _local(r.entered_at), 20, "time"),
        Column(gettext_lazy("Person"), _person, 12, "person"),
        Column(gettext_lazy("ID number"), _id_number, 21, "id_number"),
        Column(gettext_lazy("Admitted or refused"), lambda r, v: v.label(Entry, "decision", r.decision), 8,
               "decision"),
        Column(gettext_lazy("Reason"), lambda r, v: v.label(Entry, "reason", r.reason), 24, "reason"),
        Column(gettext_lazy("Temperature (°C)"), lambda r, v: r.temperature, 10, "temperature"),
        Column(gettext_lazy("Area"), lambda r, v: r.area.name if r.area_id else "", 12, "area"),
        Column(gettext_lazy("Source"), lambda r, v: v.label(Entry, "source", r.source), 10, "source"),
        Column(gettext_lazy("Exit"), lambda r, v: _local(r.left_at), 20, "exit"),
        Column(gettext_lazy("Exit estimated"), lambda r, v: _yes_no(r.left_estimated) if r.left_at else "", 8,
               "estimated"),
    ],
)

HEALTH_CHECKS = Log(
    name="health", title=gettext_lazy("Health check log"), model=HealthCheck, time_field="checked_at",
    access_kind=Kind.HEALTH, may_see=scopes.health_sites_q, related=("person", "checked_by"),
    status_label=gettext_lazy("Result"),
    statuses=[("fever", gettext_lazy("Fever")), ("normal", gettext_lazy("Normal"))],
    status_q={"fever": Q(is_fever=True), "normal": Q(is_fever=False)},
    columns=[
        Column(gettext_lazy("Time"), lambda r, v: _local(r.checked_at), 20, "time"),
        Column(gettext_lazy("Person"), _person, 12, "person"),
        Column(gettext_lazy("ID number"), _id_number, 21, "id_number"),
        Column(gettext_lazy("Temperature (°C)"), lambda r, v: r.temperature, 10, "temperature"),
        Column(gettext_lazy("Fever"), lambda r, v: _yes_no(r.is_fever), 8, "fever"),
        Column(gettext_lazy("Checked by"), lambda r, v: r.checked_by.get_username() if r.checked_by_id else "", 14,
               "checked_by"),
    ],
)

ALERTS = Log(
    name="alerts", title=gettext_lazy("Alert log"), model=Alert, time_field="created_at", access_kind=Kind.HEALTH,
    may_see=scopes.health_sites_q, related=("person", "recipient"),
    statuses=[("open", gettext_lazy("Open")), ("acknowledged", gettext_lazy("Acknowledged"))],
    status_q={"open": Q(acknowledged_at__isnull=True), "acknowledged": Q(acknowledged_at__isnull=False)},
    columns=[
        Column(gettext_lazy("Time"), lambda r, v: _local(r.created_at), 20, "time"),
        Column(gettext_lazy("Kind"), lambda r, v: v.label(Alert, "kind", r.kind), 20, "kind"),
        Column(gettext_lazy("Person"), _person, 12, "person"),
        Column(gettext_lazy("Message"), lambda r, v: r.message, 40, "message"),
        Column(gettext_lazy("Recipient"), lambda r, v: r.recipient.get_username(), 14, "recipient"),
        Column(gettext_lazy("Acknowledged at"), lambda r, v: _local(r.acknowledged_at), 20, "acknowledged"),
    ],
)

DISINFECTIONS = Log(
    name="disinfections", title=gettext_lazy("Disinfection log"), model=Disinfection, time_field="done_at",
    access_kind="", may_see=scopes.screening_sites_q, related=("area",), has_area=True, has_person=False,
    columns=[
        Column(gettext_lazy("Time"), lambda r, v: _local(r.done_at), 20, "time"),
        Column(gettext_lazy("Area"), lambda r, v: r.area.name, 14, "area"),
        Column(gettext_lazy("Disinfectant"), lambda r, v: r.agent, 16, "agent"),
        Column(gettext_lazy("Operator"), lambda r, v: r.operator, 12, "operator"),
    ],
)

LOGS = {log.name: log for log in (ENTRIES, HEALTH_CHECKS, ALERTS, DISINFECTIONS)}


def log_named(name: str) -> Log:
    log = LOGS.get(name)
    if log is None:
        raise Http404
    return log


def log_sites(*, user, log: Log) -> QuerySet[Site]:
    """The sites whose ``log`` the user may see."""
    return Site.objects.filter(log.may_see(user))


def log_site_get(*, user, pk: Any, log: Log) -> Site:
    """A site whose log the user may see; any other is the same 404."""
    return get_or_404(log_sites(user=user, log=log).select_related("unit", "county"), pk)


def log_person_get(*, user, pk: Any) -> Person:
    """A person whose entries the user may see somewhere: one of the people they see, or someone with
    an entry at one of their sites (a refused visitor has an entry and no relation)."""
    person = Person.objects.filter(pk=valid_id(pk) or 0).first()
    if person is None:
        raise Http404
    seen = Person.objects.filter(scopes.people_q(user), pk=person.pk).exists() or Entry.objects.filter(
        person=person, site__in=log_sites(user=user, log=ENTRIES).values("pk")).exists()
    if not seen:
        raise Http404
    return person


def day_bounds(day_from, day_to) -> tuple[datetime | None, datetime | None]:
    """From midnight of the first day to midnight after the last, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day_from, time.min, tzinfo=zone) if day_from else None
    end = datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=zone) if day_to else None
    return start, end


def log_list(*, user, log: Log, site: Site | None = None, person: Person | None = None,
             filters: dict[str, Any] | None = None) -> QuerySet:
    """The rows of ``log`` the user may see, at ``site`` (or at every site of theirs, for ``person``),
    filtered; unordered (the keyset pager and the export order them)."""
    filters = filters or {}
    qs = log.model._default_manager.select_related(*log.related)
    if site is not None:
        qs = qs.filter(site_id=site.pk)
    else:
        qs = qs.filter(site_id__in=log_sites(user=user, log=log).values("pk"))
    if person is not None:
        qs = qs.filter(person_id=person.pk)
    start, end = day_bounds(filters.get("day_from"), filters.get("day_to"))
    if start:
        qs = qs.filter(**{f"{log.time_field}__gte": start})
    if end:
        qs = qs.filter(**{f"{log.time_field}__lt": end})
    if status := filters.get("status"):
        qs = qs.filter(log.status_q[status])
    if log.has_area and (area := valid_id(filters.get("area"))):
        qs = qs.filter(area_id=area)
    if log.has_person and filters.get("q"):
        qs = qs.filter(registry_selectors.person_search_q(filters["q"], prefix="person_id__"))
    return qs


def log_export_rows(qs: QuerySet, log: Log, viewer: Viewer, *, with_site: bool = False) -> Iterator[list[Any]]:
    """Every row of the filtered log, newest first, read in chunks (a server-side cursor on PostgreSQL)."""
    ordered = qs.order_by(f"-{log.time_field}", "-pk").iterator(chunk_size=2000)
    return log.rows(ordered, viewer, with_site=with_site)


# Exports as a job ---------------------------------------------------------------------------

EXPORT_TASK = "zhengtong.screening.logs.log_export_task"


def log_export_job(*, user, log: Log, title: str, site: Site | None, person: Person | None,
                   query: dict[str, str]) -> ExportFile:
    """Queue the export of a log too long for the request; its task reads the filters again."""
    return exportjobs.export_file_create(user=user, title=title, task=EXPORT_TASK, params={
        "log": log.name, "site": site.pk if site else None, "person": person.pk if person else None,
        "query": query,
    })


def log_export_task(export_id: int) -> str:
    """The django-q2 task of a log export: the rows the user may see now, with the filters they asked."""
    from zhengtong.screening.forms import LogFilterForm

    export = exportjobs.export_get_for_task(export_id)
    if export is None:
        return "export gone"
    user, params = export.user, export.params
    try:
        log = log_named(params.get("log", ""))
        site = log_site_get(user=user, pk=params["site"], log=log) if params.get("site") else None
        person = log_person_get(user=user, pk=params["person"]) if params.get("person") else None
    except Http404:
        exportjobs.export_file_fail(export, _("You no longer see this list."))
        return f"export {export.pk}: out of scope"
    form = LogFilterForm(params.get("query") or {}, log=log,
                         areas=site.areas.all() if site is not None else None)
    if not form.is_valid():
        exportjobs.export_file_fail(export, _("The filters are not valid."))
        return f"export {export.pk}: bad filters"
    qs = log_list(user=user, log=log, site=site, person=person, filters=form.cleaned_data)
    with_site = site is None
    done = exportjobs.export_file_write(export, log.headers(with_site=with_site),
                                       log_export_rows(qs, log, Viewer(user), with_site=with_site),
                                       sheet_name=str(log.title), widths=log.widths(with_site=with_site))
    if done.status != ExportFile.Status.DONE:
        return f"export {export.pk}: failed ({done.error})"
    return f"export {export.pk}: {done.rows} rows"
