"""The state-machine helper: a table checked when built, the moves allowed now, and a refusal
that names the move and the state in the user's language."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhengtong.core.errors import DomainError
from zhengtong.core.statemachine import Move, StateMachine

STATES = [("draft", gettext_lazy("Draft")), ("submitted", gettext_lazy("Submitted")), ("done", "done")]


def machine(*moves: Move) -> StateMachine:
    return StateMachine(pgettext_lazy("state machine", "application"), STATES, moves or (
        Move("submit", ("draft",), "submitted", "clerk", gettext_lazy("Submit")),
        Move("note", ("draft", "submitted"), None, "clerk", "note"),
        Move("finish", ("submitted",), "done", "reviewer", "finish"),
    ))


def test_a_move_name_used_twice_is_refused_when_the_table_is_built():
    with pytest.raises(ValueError, match="twice"):
        machine(Move("a", ("draft",), "done", "x", "a"), Move("a", ("submitted",), "done", "x", "a"))


@pytest.mark.parametrize("move", [
    Move("a", ("drafted",), "done", "x", "a"),  # unknown source
    Move("a", ("draft",), "finished", "x", "a"),  # unknown target
    Move("a", (), "done", "x", "a"),  # from nowhere
])
def test_a_move_naming_an_unknown_state_or_none_is_refused_when_the_table_is_built(move):
    with pytest.raises(ValueError, match="'a'"):
        machine(move)


def test_the_moves_allowed_now_are_those_the_state_allows_and_the_predicate_grants():
    m = machine()
    assert [x.name for x in m.moves_from("submitted")] == ["note", "finish"]
    assert list(m.allowed("draft")) == ["submit", "note"]
    assert list(m.allowed("submitted", may=lambda move: move.who == "clerk")) == ["note"]
    assert m.allowed("done") == {}


def test_the_open_states_are_those_some_move_leaves():
    assert machine().open_states() == ("draft", "submitted")


def test_check_returns_the_move_and_its_target():
    m = machine()
    assert m.check("draft", "submit").target == "submitted" == m.target("submit")
    assert m.check("submitted", "note").target is None and m.can("submitted", "note")


def test_a_move_the_predicate_does_not_grant_is_permission_denied_whatever_the_state():
    with pytest.raises(PermissionDenied):
        machine().check("done", "finish", may=lambda move: False)


def test_a_refused_move_names_the_move_the_state_and_the_states_it_needs():
    with translation.override("en"), pytest.raises(DomainError) as e:
        machine().check("submitted", "submit")
    assert e.value.status == 409 and list(e.value.errors) == ["status"]
    assert e.value.message == "“Submit” is not possible while the application is “Submitted”; it needs: Draft."


def test_a_refused_move_is_told_in_the_users_language():
    with translation.override("zh-hans"), pytest.raises(DomainError) as e:
        machine().check("submitted", "submit")
    assert e.value.message == "申请状态为“已提交”时不能执行“提交”；该操作要求状态为：草稿。"


def test_a_move_not_in_the_table_is_an_unknown_action():
    with pytest.raises(DomainError) as e:
        machine().check("draft", "publish")
    assert list(e.value.errors) == ["action"]


def test_the_table_renders_as_rows_for_the_docs():
    assert machine().as_rows() == [("submit", "draft", "submitted", "clerk"),
                                   ("note", "draft, submitted", "(same)", "clerk"),
                                   ("finish", "submitted", "done", "reviewer")]
