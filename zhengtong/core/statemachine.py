"""A state machine as a table of moves, so that a record's whole path (an application from draft
to issued, a case from open to closed) is one list a reader can see at a glance, and the
services, the pages and the tests all ask that one list.

The helper knows states and moves only. Who may make a move and the guards that depend on the
record (an extension once only, a clock already stopped) stay with the app: it passes ``may``, a
predicate over a move, and keeps its own messages for its own rules. A move the state does not
allow is refused here, with one message that names the move, the current state and the states
the move needs, in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError

Predicate = Callable[["Move"], bool]


@dataclass(frozen=True)
class Move:
    """One row of the table. ``target`` None: the move leaves the state as it is (a clock stopped,
    a renewal applied for). ``who`` is the app's name for who may make it; the helper does not
    read it, the app's ``may`` does."""

    name: str
    sources: tuple[str, ...]
    target: str | None
    who: str
    label: Any  # a lazy translatable string: shown on buttons and in refusals


class StateMachine:
    """The moves of one kind of record, checked when built: every state named is one of
    ``states`` (the model's status choices) and no move name is used twice."""

    def __init__(self, noun: Any, states: Iterable[tuple[str, Any]], moves: Iterable[Move]) -> None:
        self.noun = noun  # a lazy "application", "permit", …: the subject of a refusal
        self.states: dict[str, Any] = dict(states)
        self.moves: dict[str, Move] = {}
        for move in moves:
            if move.name in self.moves:
                raise ValueError(f"move {move.name!r} is in the table twice")
            unknown = [s for s in (*move.sources, move.target) if s is not None and s not in self.states]
            if unknown or not move.sources:
                raise ValueError(f"move {move.name!r}: unknown states {unknown} or no source state")
            self.moves[move.name] = move

    def move(self, name: str) -> Move:
        """The move called ``name``; a name not in the table is the user's error (a forged form)."""
        try:
            return self.moves[name]
        except KeyError:
            raise DomainError(_("Unknown action."), field="action") from None

    def target(self, name: str) -> str | None:
        return self.move(name).target

    def can(self, state: str, name: str) -> bool:
        """Whether the table lets ``name`` start from ``state`` (no question of who)."""
        return state in self.move(name).sources

    def moves_from(self, state: str) -> list[Move]:
        return [m for m in self.moves.values() if state in m.sources]

    def allowed(self, state: str, *, may: Predicate | None = None) -> dict[str, Move]:
        """The moves allowed now, by name in table order: those the state allows and ``may``
        grants (the user's role, the record's own guards). Pages show exactly these."""
        return {m.name: m for m in self.moves_from(state) if may is None or may(m)}

    def open_states(self) -> tuple[str, ...]:
        """The states some move leaves: a record in one of them is still in progress."""
        return tuple(s for s in self.states if self.moves_from(s))

    def check(self, state: str, name: str, *, may: Predicate | None = None) -> Move:
        """The move, if ``may`` grants it (else PermissionDenied) and the state allows it (else a
        409 DomainError on "status" naming the move, the state and the states it needs)."""
        move = self.move(name)
        if may is not None and not may(move):
            raise PermissionDenied
        if state not in move.sources:
            raise DomainError(
                _("“%(move)s” is not possible while the %(noun)s is “%(state)s”; it needs: %(allowed)s.") % {
                    "move": move.label, "noun": self.noun, "state": self.states.get(state, state),
                    "allowed": ", ".join(str(self.states[s]) for s in move.sources)},
                field="status", status=409)
        return move

    def as_rows(self) -> list[tuple[str, str, str, str]]:
        """The table as text rows (move, from, to, who), as the apps' docstrings print it: the
        tests hold the two equal, so the table a reader sees is the one the code runs."""
        return [(m.name, ", ".join(m.sources), str(m.target or "(same)"), m.who) for m in self.moves.values()]
