"""What screening needs from apps above it, declared here as ports (DESIGN.md: a lower app declares a
small interface; a higher app registers with it in its ``AppConfig.ready()``; nothing is imported by
a module name in a string).

Isolation: the gate refuses a person under an isolation order. The outbreak app owns the orders; it
registers an :class:`IsolationSource`, which answers, for a set of people and a span of time, the
periods in which each was isolated. One question covers a whole offline batch, whatever its span.
Until a source registers, nobody is isolated.

Held entries are not a port: an investigation that needs entries past the retention period records
that in screening's own table through ``screening.services.entries_hold`` (the purge reads it)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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


def isolated_at(person_ids: Collection[int], at: datetime) -> set[int]:
    """The people under an isolation order at one moment."""
    return {pid for pid, periods in isolation_periods(person_ids, at, at).items()
            if any(p.covers(at) for p in periods)}
