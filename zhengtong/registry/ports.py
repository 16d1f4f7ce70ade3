"""What the registry needs from apps above it, declared here as ports (as ``screening.ports`` does:
a lower app declares a small interface; a higher app registers with it in its
``AppConfig.ready()``; nothing is imported by a module name in a string).

Release: recording an inmate's release (ending their relation to a prison, a registry write:
``registry.services.inmate_release``, and ``person_register`` when it ends an inmate's relation) is
refused while any registered :class:`ReleaseCheck` says why the inmate may not leave on that day. The
outbreak app registers its pre-release isolation orders (an inmate leaves only after a completed
pre-release isolation). Until a check registers, the registry refuses no release.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol


class ReleaseCheck(Protocol):
    def release_refusals(self, *, site: Any, days: Mapping[int, date]) -> dict[int, list[str]]:
        """For each inmate of ``site`` (``days``: person id -> the day of their release) who may not
        be released on their day, the reasons, in the user's language; people who may are left out."""
        ...


_checks: list[ReleaseCheck] = []


def register_release_check(check: ReleaseCheck) -> None:
    """Called by an app above the registry in its ``AppConfig.ready()``; registering the same check
    again changes nothing."""
    if check not in _checks:
        _checks.append(check)


def unregister_release_check(check: ReleaseCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def release_refusals(*, site: Any, days: Mapping[int, date]) -> dict[int, list[str]]:
    """Every registered check's reasons why these inmates (person id -> day of release) may not be
    released on their day (empty: all may, as when no check is registered). One question for a list."""
    result: dict[int, list[str]] = {}
    if not days:
        return result
    for check in _checks:
        for person_id, reasons in check.release_refusals(site=site, days=days).items():
            if reasons:
                result.setdefault(person_id, []).extend(reasons)
    return result
