"""Django's database sessions (SESSION_ENGINE), except that a request's read of its session is one
statement compiled once per database (core.compiled): through the ORM it is built and compiled again on
every signed-in request, some 650 Python calls. What is read and what counts as expired are Django's:
the row of the session key whose expiry is still ahead."""

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from zhengtong.core import compiled

# Stands for the session key while the statement is compiled: no other parameter equals it.
_KEY = "zt-compiled-session-key-marker"


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        statement = _session_statement(router.db_for_read(self.model, instance=None))
        key = self.session_key
        found = compiled.rows(statement, key) if key else []
        if key and found and found[0][1] > timezone.now():
            session_data, expire_date = found[0]
            return self.model(session_key=key, session_data=session_data, expire_date=expire_date)
        self._session_key = None
        return None


@cache
def _session_statement(alias: str) -> compiled.Compiled:
    qs = Session.objects.using(alias).filter(session_key=_KEY).values_list("session_data", "expire_date")
    return compiled.compile_once(qs, _KEY)
