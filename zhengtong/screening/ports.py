"""What screening needs from apps above it, declared here as ports (DESIGN.md: a lower app declares a
small interface; a higher app registers with it in its ``AppConfig.ready()``; nothing is imported by
a module name in a string).

Isolation: the gate refuses a person under an isolation order. The outbreak app owns the orders; it
registers an :class:`IsolationSource`, which answers, for a set of people and a span of time, the
periods in which each was isolated. One question covers a whole offline batch, whatever its span.
Until a source registers, nobody is isolated.

Rotations: when a closed-duty rotation ends (screening.rotations), its members go into isolation. The
outbreak app owns isolation orders; it registers a :class:`RotationIsolation`, which opens them (the
reason: a closed-duty rotation) and answers, for each member it could not isolate, why. Until one
registers, a rotation's end isolates nobody and says so on each member.

Held entries are not a port: an investigation that needs entries past the retention period records
that in screening's own table through ``screening.services.entries_hold`` (the purge reads it)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Period:
    """A span of isolation: from ``start`` until ``end`` (exclusive), or open-ended."""

    start: datetime
    end: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


class IsolationSource(Protocol):
    def isolation_periods(self, *, person_ids: Collection[int], start: datetime,
                          end: datetime) -> dict[int, list[Period]]:
        """For each of ``person_ids`` isolated at any time in [start, end], the periods of isolation
        that meet that span; people never isolated in it are left out."""
        ...


class IsolationSQL(Protocol):
    """What a source may offer besides ``isolation_periods`` so that the gate's hot path, which reads
    a device, its site and a person in one statement, carries isolation in that same statement."""

    def latest_period_sql(self, person_column: str) -> tuple[str, str]:
        """Two scalar SQL subqueries over the person whose id is ``person_column``: the start and
        the end (NULL: open-ended) of the person's latest period of isolation (by start), both NULL
        for a person never isolated. They take no parameters."""
        ...


_isolation: list[IsolationSource] = []


def register_isolation_source(source: IsolationSource) -> None:
    """Called by the app that owns isolation orders, in its ``AppConfig.ready()``; registering the
    same source again changes nothing."""
    if source not in _isolation:
        _isolation.append(source)


def unregister_isolation_source(source: IsolationSource) -> None:
    if source in _isolation:
        _isolation.remove(source)


def isolation_periods(person_ids: Collection[int], start: datetime, end: datetime) -> dict[int, list[Period]]:
    """Every registered source's periods for these people within [start, end]."""
    result: dict[int, list[Period]] = {}
    if not person_ids:
        return result
    for source in _isolation:
        for person_id, periods in source.isolation_periods(person_ids=person_ids, start=start, end=end).items():
            result.setdefault(person_id, []).extend(periods)
    return result


def isolated_at(person_ids: Collection[int], at: datetime, *, sources: Sequence[IsolationSource] | None = None
                ) -> set[int]:
    """The people under an isolation order at one moment (asking ``sources``, default every one)."""
    result: set[int] = set()
    for source in _isolation if sources is None else sources:
        for pid, periods in source.isolation_periods(person_ids=person_ids, start=at, end=at).items():
            if any(p.covers(at) for p in periods):
                result.add(pid)
    return result


# Rotations ending -----------------------------------------------------------------------------


class RotationIsolation(Protocol):
    def isolate_rotation(self, *, user: Any, site: Any, person_ids: Sequence[int], start: datetime,
                         planned_end: date, note: str) -> dict[int, str]:
        """Open an isolation order (reason: closed-duty rotation, kept at ``site``) for each person, from
        ``start`` until ``planned_end`` at the earliest, on behalf of ``user`` (None: the scheduled job,
        acting on the plan the site's managers made). For each person not isolated, why (in the user's
        language); those isolated are left out."""
        ...


_rotation: list[RotationIsolation] = []


def register_rotation_isolation(source: RotationIsolation) -> None:
    """Called by the app that owns isolation orders, in its ``AppConfig.ready()``; once is enough."""
    if source not in _rotation:
        _rotation.append(source)


def unregister_rotation_isolation(source: RotationIsolation) -> None:
    if source in _rotation:
        _rotation.remove(source)


def isolate_rotation(*, user: Any, site: Any, person_ids: Sequence[int], start: datetime, planned_end: date,
                     note: str) -> dict[int, str] | None:
    """Ask the registered app to isolate a rotation's members: for each one not isolated, why. None
    when no app is registered (nobody is isolated)."""
    if not _rotation:
        return None
    return _rotation[0].isolate_rotation(user=user, site=site, person_ids=person_ids, start=start,
                                         planned_end=planned_end, note=note)


# The hot path: isolation in the gate's one statement -----------------------------------------


def _sql_sources() -> list[Any]:
    return [s for s in _isolation if hasattr(s, "latest_period_sql")]


def latest_period_columns(person_column: str) -> list[str]:
    """The SQL columns the gate's statement adds (two per source that offers them), in order."""
    return [sql for source in _sql_sources() for sql in source.latest_period_sql(person_column)]


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        moment = value
    else:  # SQLite gives text
        moment = parse_datetime(str(value))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored in UTC (USE_TZ)
    return moment


def latest_periods(values: Sequence[Any]) -> list[Period | None]:
    """The values of ``latest_period_columns`` as each source's latest period (None: never isolated)."""
    out: list[Period | None] = []
    for i in range(0, len(values), 2):
        start = _as_datetime(values[i])
        out.append(None if start is None else Period(start, _as_datetime(values[i + 1])))
    return out


def isolated_by_latest(person_id: int, latest: list[Period | None], at: datetime) -> bool | None:
    """Whether the person is isolated at ``at``, from the latest periods read with the person (None:
    they cannot tell, for a moment before a latest period's start: ask ``isolated_at``). Sources
    without SQL are asked here."""
    if any(p is not None and at < p.start for p in latest):
        return None
    if any(p is not None and p.covers(at) for p in latest):
        return True
    others = [s for s in _isolation if not hasattr(s, "latest_period_sql")]
    return bool(others) and person_id in isolated_at([person_id], at, sources=others)


def version() -> tuple[int, ...]:
    """Changes when sources register or leave: the gate's statement is built again."""
    return tuple(id(s) for s in _sql_sources())
