"""The lists the permit application form offers: pollutants and units of measure
(``data/application-lists.toml``; its status and source are in its header and data/SOURCES.md).

No normative list is held (``shared/reference/`` has none), so the lists are configuration marked
"rule text not confirmed": a pollutant not on the list is accepted and shown with a note; a limit's
unit of measure must be on the list (an ASCII spelling such as ``mg/m3`` is read as ``mg/m³``)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

LISTS_FILE = Path(__file__).resolve().parent / "data" / "application-lists.toml"


@dataclass(frozen=True)
class FormLists:
    status: str
    source: str
    pollutants: tuple[tuple[str, str], ...]  # (name, medium: "A" air, "W" water)
    limit_units: tuple[str, ...]
    quantity_units: tuple[str, ...]
    aliases: dict[str, str]

    @property
    def confirmed(self) -> bool:
        return self.status != "rule text not confirmed"

    def pollutant_names(self, medium: str = "") -> list[str]:
        return [name for name, m in self.pollutants if not medium or m == medium]


@functools.cache
def lists() -> FormLists:
    with open(LISTS_FILE, "rb") as f:
        data = tomllib.load(f)
    units = data["units"]
    return FormLists(
        status=data["status"], source=data["source"],
        pollutants=tuple((p["name"], p.get("medium", "")) for p in data["pollutant"]),
        limit_units=tuple(units["limit"]), quantity_units=tuple(units["quantity"]),
        aliases=dict(units.get("aliases", {})),
    )


def on_list(pollutant: str) -> bool:
    """Whether the pollutant is one the list names (as typed, spaces around it aside)."""
    return pollutant.strip() in lists().pollutant_names()


def unit_of(raw: str, allowed: tuple[str, ...]) -> str | None:
    """The unit of measure as the list spells it, or None when it is not on the list."""
    text = raw.strip()
    text = lists().aliases.get(text, text)
    return text if text in allowed else None
