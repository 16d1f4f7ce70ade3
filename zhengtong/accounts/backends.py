"""The session's user: Django's ModelBackend, except that the signed-in user of a request is read with
their active role assignments in one statement, compiled once (core.compiled), and their scope kept on
them (``scopes.keep_scope``), as an API token's request reads its token, user and roles
(accounts.api.token_read). Django's own read is one statement for the user and ``get_scope`` another
for the assignments, each built and compiled again on every page."""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router as db_router
from django.db.models import FilteredRelation

from zhengtong.accounts import scopes
from zhengtong.accounts.models import active_assignments_q
from zhengtong.core import compiled

# Stands for the user's id while the statement is compiled: an id within an integer column's range
# (Django finds nothing for one outside it, compiling no parameter) that no other parameter equals.
ID_MARKER = 2_147_480_017


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id: Any):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        return user_read(pk)


def user_read(pk: int) -> Any:
    """The active user with this id, their scope kept on them, or None: one row per active assignment
    (one with no role for a user who holds none). An inactive user is None, as ModelBackend's
    ``user_can_authenticate`` answers."""
    statement, user_fields = _user_statement(db_router.db_for_read(get_user_model()))
    found = compiled.rows(statement, pk)
    if not found:
        return None
    n_user = len(user_fields)
    user = get_user_model().from_db(statement.alias, user_fields, found[0][:n_user])
    scopes.keep_scope(user, [row[n_user:] for row in found if row[n_user] is not None])
    return user


@cache
def _user_statement(alias: str) -> tuple[compiled.Compiled, tuple[str, ...]]:
    user_fields = tuple(f.attname for f in get_user_model()._meta.concrete_fields)
    active = FilteredRelation("assignments", condition=active_assignments_q("assignments__"))
    qs = (get_user_model().objects.using(alias).filter(pk=ID_MARKER, is_active=True).alias(active=active)
          .values_list(*user_fields, *(f"active__{f}" for f in scopes.ASSIGNMENT_VALUES)))
    return compiled.compile_once(qs, ID_MARKER), user_fields
