"""The permit app's three state machines as tables: the table a reader sees in the docstring is
the one the code runs, every state can be reached, and no template decides by a status."""

import re
from pathlib import Path

import pytest

from zhengtong.core.statemachine import StateMachine
from zhengtong.permits import compliance, workflow
from zhengtong.tests_support.statemachines import docstring_tables

TEMPLATES = Path(workflow.__file__).resolve().parent / "templates"


@pytest.mark.parametrize(("doc", "machines"), [
    (workflow.__doc__, [workflow.APPLICATIONS, workflow.PERMITS]),
    (compliance.__doc__, [compliance.CASES]),
], ids=["workflow", "compliance"])
def test_the_docstring_tables_are_the_tables_the_code_runs(doc, machines):
    assert docstring_tables(doc) == [m.as_rows() for m in machines]


@pytest.mark.parametrize(("machine", "start"), [
    (workflow.APPLICATIONS, "draft"), (workflow.PERMITS, "valid"), (compliance.CASES, "open"),
], ids=["applications", "permits", "cases"])
def test_every_state_is_reached_from_the_first_through_the_table(machine: StateMachine, start):
    reached, todo = {start}, [start]
    while todo:
        for move in machine.moves_from(todo.pop()):
            if move.target and move.target not in reached:
                reached.add(move.target)
                todo.append(move.target)
    assert reached == set(machine.states)


def test_the_open_applications_are_those_a_move_leaves():
    assert set(workflow.OPEN) == {"draft", "submitted", "returned", "accepted", "notice", "approved"}


def test_no_permits_template_compares_a_status():
    """Templates show the moves the view hands them; the table decides (DESIGN.md)."""
    comparison = re.compile(r"status\s*(==|!=)|(==|!=)\s*\S*status\b|status\s+(not\s+)?in\s")
    found = [f"{path.name}:{n}: {line.strip()[:80]}" for path in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if comparison.search(line)]
    assert found == []
