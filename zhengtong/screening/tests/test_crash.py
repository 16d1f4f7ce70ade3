"""An accepted check-in is never lost and never doubled, even when the server dies mid-request.

A real server (gunicorn, 2 worker processes x 4 threads) runs against a database of its own, made by
this test: a copy of the migrated test database with a site, its people and a gate device (SQLite:
a file in WAL mode, copied with SQLite's backup API; PostgreSQL: ``CREATE DATABASE … TEMPLATE`` of
the test database, named after it with ``_crash``, dropped at the end). Copying the test database
rather than migrating a new one saves the ten seconds a migration takes here.

Seven gates post check-ins with UUIDs of their own: four one at a time (half with the gate's time,
half timed by the server), two in small batches, and an impatient one that sends each check-in
twice at the same moment; on a connection error or a 5xx they retry blindly with the same body. A
quarter of the way through, an eighth gate sends a large batch, and the whole server (master and
workers) is killed with SIGKILL the moment that batch's rows are committed: its answer is lost, as
is that of the requests in flight. The server is started again and the gates finish their retries.
Then every check-in that got a success answer must be in the database exactly once, no client UUID
may be stored twice, both requests of each impatient pair must answer the same entry, and the large
batch's retry must have been answered "duplicate" for every item (or, should the answer have got
out before the kill, "created").
"""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from zhengtong.screening.models import GateDevice
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
SINGLE_GATES, BATCH_GATES = 4, 2
IMPATIENT_CHECK_INS = 20  # sent twice at once each, by a gate that retries before the first answer
CHECK_INS_PER_GATE = 40
BATCHES_PER_GATE, BATCH_SIZE = 8, 10
KILL_AFTER = 0.25  # share of all check-ins acknowledged before the kill
BIG_BATCH = 2000  # the batch whose commit triggers the kill
DEADLINE = 45  # seconds: gates give up (and the test fails) after this


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_conninfo(name: str) -> dict:
    db = connection.settings_dict
    info = {"dbname": name, "host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    if db["PASSWORD"]:
        info["password"] = db["PASSWORD"]
    return info


class ServerDatabase:
    """The database the server runs on: a copy of the test database as it stands (migrated, with the
    reference data and the records this test made)."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "gate.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            self.url = f"sqlite:///{self.path}"
        elif self.vendor == "postgresql":
            import psycopg

            template = connection.settings_dict["NAME"]
            self.name = f"{template}_crash"
            from django.db import connections

            connections.close_all()  # a template database must have no other session
            self._admin = _pg_conninfo("postgres")
            with psycopg.connect(**self._admin, autocommit=True) as admin:
                # Earlier tests in this worker (a live server's threads) may still hold a connection.
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", [template])
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
            info = _pg_conninfo(self.name)
            password = f":{info['password']}" if "password" in info else ""
            self.url = f"postgres://{info['user']}{password}@{info['host']}:{info['port']}/{self.name}"
        else:
            pytest.fail(f"no crash test for {self.vendor}")

    def _connect(self):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.path, isolation_level=None)
        import psycopg

        return psycopg.connect(**_pg_conninfo(self.name), autocommit=True)

    def stored_uuids(self) -> list[str]:
        """Every client UUID in the entries table, once per row."""
        db = self._connect()
        try:
            rows = db.execute("SELECT client_uuid FROM screening_entry").fetchall()
        finally:
            db.close()
        return [uuid.UUID(str(row[0])).hex for row in rows]

    def wait_until_stored(self, key: uuid.UUID, timeout: float) -> bool:
        """Poll until a check-in is committed (visible to another connection)."""
        value = key.hex if self.vendor == "sqlite" else key
        sql = "SELECT 1 FROM screening_entry WHERE client_uuid = " + ("?" if self.vendor == "sqlite" else "%s")
        db = self._connect()
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if db.execute(sql, [value]).fetchone():
                    return True
                time.sleep(0.002)
            return False
        finally:
            db.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(**self._admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    def __init__(self, url: str, tmp_path: Path):
        self.port = _free_port()
        self.log = tmp_path / "server.log"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhengtong.settings_test", "DATABASE_URL": url,
                    "ZT_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0"}
        self.process: subprocess.Popen | None = None

    def start(self, key: str) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "zhengtong.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", "2", "--threads", "4", "--worker-class", "gthread", "--preload", "--timeout", "30",
                 "--graceful-timeout", "1", "--log-level", "warning"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                status, _body = request(self.port, "GET", "/api/gate/site", key)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the server did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker (the process group this test started)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def request(port: int, method: str, path: str, key: str, body=None, timeout: float = 15) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en", "Connection": "close"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else {}
    finally:
        conn.close()


class Gates:
    """Gate threads posting check-ins and retrying blindly, with what each was told."""

    def __init__(self, port: int, key: str, person_ids: list[int]):
        self.port, self.key, self.person_ids = port, key, person_ids
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.retried_answers = {"created": 0, "repeat": 0}  # answers to a retry after a connection error
        self.connection_errors = 0
        self.in_flight = 0  # requests sent and not yet answered
        self.server_errors: list[str] = []
        self.failures: list[str] = []
        self.deadline = time.monotonic() + DEADLINE
        self.total = (SINGLE_GATES * CHECK_INS_PER_GATE + IMPATIENT_CHECK_INS
                      + BATCH_GATES * BATCHES_PER_GATE * BATCH_SIZE + BIG_BATCH)
        self.big_batch_answer: tuple[bool, set[str]] | None = None  # (retried, statuses)

    def _post(self, path: str, body: dict) -> tuple[int, dict, bool] | None:
        """Post until an answer that is not a connection error or a 5xx; None past the deadline."""
        retried = False
        while time.monotonic() < self.deadline:
            with self.lock:
                self.in_flight += 1
            try:
                status, data = request(self.port, "POST", path, self.key, body)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.connection_errors += 1
                retried = True
                time.sleep(0.05)
                continue
            finally:
                with self.lock:
                    self.in_flight -= 1
            if status >= 500:
                with self.lock:
                    self.server_errors.append(f"{status} {data}")
                retried = True
                time.sleep(0.05)
                continue
            return status, data, retried
        return None

    def single(self, gate: int) -> None:
        rng = random.Random(gate)
        for i in range(CHECK_INS_PER_GATE):
            key = str(uuid.uuid4())
            body = {"client_uuid": key, "person_id": rng.choice(self.person_ids), "temperature": "36.5"}
            if i % 2:
                body["at"] = (timezone.now() - timedelta(seconds=rng.randint(1, 60))).isoformat()
            with self.lock:
                self.sent.add(uuid.UUID(key).hex)
            answer = self._post("/api/gate/entries", body)
            if answer is None or answer[0] not in (200, 201):
                self.failures.append(f"gate {gate}: {answer}")
                return
            with self.lock:
                self.acked.add(uuid.UUID(key).hex)
                if answer[2]:
                    self.retried_answers["created" if answer[1]["created"] else "repeat"] += 1

    def batch(self, gate: int) -> None:
        rng = random.Random(100 + gate)
        for _ in range(BATCHES_PER_GATE):
            items = [{"client_uuid": str(uuid.uuid4()), "person_id": rng.choice(self.person_ids),
                      "temperature": "36.6", "gate_decision": "admit",
                      "at": (timezone.now() - timedelta(minutes=rng.randint(1, 120))).isoformat()}
                     for _ in range(BATCH_SIZE)]
            with self.lock:
                self.sent.update(uuid.UUID(i["client_uuid"]).hex for i in items)
            answer = self._post("/api/gate/entries/batch", {"items": items})
            if answer is None or answer[0] != 200:
                self.failures.append(f"batch gate {gate}: {answer}")
                return
            for result in answer[1]["results"]:
                if result["status"] not in ("created", "duplicate"):
                    self.failures.append(f"batch gate {gate}: {result}")
                    continue
                with self.lock:
                    self.acked.add(uuid.UUID(result["client_uuid"]).hex)
                    if answer[2]:
                        self.retried_answers["created" if result["status"] == "created" else "repeat"] += 1

    def big_batch(self, items: list[dict]) -> None:
        """One large batch, sent while the server is killed right after it commits (see the test)."""
        with self.lock:
            self.sent.update(uuid.UUID(i["client_uuid"]).hex for i in items)
        answer = self._post("/api/gate/entries/batch", {"items": items})
        if answer is None or answer[0] != 200:
            self.failures.append(f"big batch: {answer}")
            return
        self.big_batch_answer = (answer[2], {r["status"] for r in answer[1]["results"]})
        with self.lock:
            self.acked.update(uuid.UUID(r["client_uuid"]).hex for r in answer[1]["results"]
                              if r["status"] in ("created", "duplicate"))

    def _send(self, body: dict, answers: list) -> None:
        answers.append(self._post("/api/gate/entries", body))

    def impatient(self) -> None:
        """A gate that gives up waiting and sends the same check-in again while the first is still being
        handled: each check-in goes out twice at the same moment, without the gate's time."""
        rng = random.Random(200)
        for _ in range(IMPATIENT_CHECK_INS):
            key = str(uuid.uuid4())
            body = {"client_uuid": key, "person_id": rng.choice(self.person_ids), "temperature": "36.4"}
            with self.lock:
                self.sent.add(uuid.UUID(key).hex)
            answers: list = []
            twins = [threading.Thread(target=self._send, args=(body, answers)) for _ in range(2)]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()
            if any(a is None or a[0] not in (200, 201) for a in answers) or len(answers) != 2:
                self.failures.append(f"impatient gate: {answers}")
                return
            if len({a[1]["entry_id"] for a in answers}) != 1:
                self.failures.append(f"impatient gate: two entries for one check-in: {answers}")
            with self.lock:
                self.acked.add(uuid.UUID(key).hex)

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.single, args=(g,), daemon=True) for g in range(SINGLE_GATES)]
        threads.append(threading.Thread(target=self.impatient, daemon=True))
        threads += [threading.Thread(target=self.batch, args=(g,), daemon=True) for g in range(BATCH_GATES)]
        for thread in threads:
            thread.start()
        return threads


def test_no_acknowledged_check_in_is_lost_or_doubled_when_the_server_is_killed(tmp_path):
    site = SiteFactory(name="看守所")
    person_ids = [PersonFactory(site=site, id_number=make_id_number(birth=(date(1990, 1, 1) + timedelta(days=i))
                                                             .strftime("%Y%m%d"))).pk for i in range(20)]
    _device, key = GateDevice.issue(site=site, name="crash test gate")
    database = ServerDatabase(tmp_path)
    server = Server(database.url, tmp_path)
    started = time.monotonic()
    try:
        server.start(key)
        gates = Gates(server.port, key, person_ids)
        threads = gates.start()
        while len(gates.acked) < (gates.total - BIG_BATCH) * KILL_AFTER and time.monotonic() - started < 20:
            time.sleep(0.01)
        # Then a large batch, and the kill as soon as its rows are committed: its answer (thousands of
        # results to serialise) is most likely not sent yet, so the gate retries a batch already stored.
        base = timezone.now() - timedelta(hours=3)
        big = [{"client_uuid": str(uuid.uuid4()), "person_id": person_ids[i % len(person_ids)], "temperature": "36.7",
                "gate_decision": "admit", "at": (base + timedelta(seconds=i)).isoformat()} for i in range(BIG_BATCH)]
        big_gate = threading.Thread(target=gates.big_batch, args=(big,), daemon=True)
        big_gate.start()
        threads.append(big_gate)
        committed = database.wait_until_stored(uuid.UUID(big[-1]["client_uuid"]), timeout=20)
        with gates.lock:  # no answer is counted while the server dies
            acked_at_kill, in_flight_at_kill = len(gates.acked), gates.in_flight
            server.kill()
        assert committed, "the large batch was never stored"
        server.start(key)
        for thread in threads:
            thread.join(timeout=max(1, gates.deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), "the gates did not finish"
    finally:
        server.kill()
    try:
        stored = database.stored_uuids()
    finally:
        database.drop()

    report = (f"{len(gates.acked)} acknowledged ({acked_at_kill} before the kill, {in_flight_at_kill} requests cut "
              f"off), {len(stored)} stored, "
              f"{gates.connection_errors} connection errors, retries answered {gates.retried_answers}, "
              f"large batch (retried, statuses) {gates.big_batch_answer}, "
              f"{time.monotonic() - started:.1f} s")
    print(report)
    assert not gates.failures, gates.failures
    assert not gates.server_errors, gates.server_errors[:5]
    # The kill happened mid-run, with requests in flight, and the gates saw the server gone.
    assert 0 < acked_at_kill < gates.total and in_flight_at_kill > 0, report
    assert gates.connection_errors > 0, report
    # Every acknowledged check-in is stored exactly once; nothing is stored twice or out of nowhere.
    counts: dict[str, int] = {}
    for key_hex in stored:
        counts[key_hex] = counts.get(key_hex, 0) + 1
    assert not {k: n for k, n in counts.items() if n > 1}, "a client UUID is stored twice"
    assert gates.acked == gates.sent, report  # the gates retried until every check-in was answered
    assert set(counts) == gates.acked, report
    assert len(stored) == gates.total
    # The large batch was answered, after the kill (its retry finds every row stored: all duplicates)
    # or, rarely, just before it (all created).
    assert gates.big_batch_answer in ((True, {"duplicate"}), (False, {"created"})), report
