"""`zhengtong serve` (`make run`): the development server and the job worker start together and stop
together. Real processes, on a throwaway SQLite database that holds django-q2's tables."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-m", "zhengtong.cli"]


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("serve")
    environment = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "zhengtong.settings",
                   "DATABASE_URL": f"sqlite:///{folder / 'serve.sqlite3'}", "ZT_VAR_DIR": str(folder),
                   "ZT_WORKERS": "1", "PYTHONUNBUFFERED": "1"}
    subprocess.run([*COMMAND, "migrate", "django_q", "-v", "0"], env=environment, check=True, timeout=120,
                   cwd=folder)
    return environment


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int, wait: float = 0.0) -> bool:
    """Whether anything of the process group ``pid`` (a child and what it started) still runs, after
    waiting up to ``wait`` seconds for it to go (a killed process may take a moment to be reaped)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(env, *args) -> tuple[subprocess.Popen, int, int]:
    """The launcher, started as a shell starts a background job: with SIGINT ignored (its children must
    still stop on it)."""
    launcher = subprocess.Popen([*COMMAND, "serve", *args], env=env, cwd=env["ZT_VAR_DIR"], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=_ignore_sigint)
    assert launcher.stdout is not None
    line = launcher.stdout.readline()
    found = re.search(r"job worker pid (\d+), server pid (\d+)", line)
    assert found, line
    return launcher, int(found[1]), int(found[2])


def test_ctrl_c_stops_the_server_and_the_job_worker(env):
    port = _free_port()
    launcher, worker, server = _start(env, f"127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:  # the server answers (any status: the database holds django-q2's tables only)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/zhengtong/site.css", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                assert launcher.poll() is None, "the launcher ended by itself"
                time.sleep(0.3)
        assert _alive(worker) and _alive(server)
        launcher.send_signal(signal.SIGINT)  # Ctrl-C
        out, _err = launcher.communicate(timeout=40)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 0
    assert "stopping the server and the job worker" in out and out.rstrip().endswith("stopped")
    assert "did not stop" not in out  # each stopped when asked, none had to be killed
    assert not _alive(worker, wait=2) and not _alive(server, wait=2)


def test_a_server_that_cannot_start_stops_the_job_worker_too(env):
    launcher, worker, server = _start(env, "not-an-address")
    try:
        out, _err = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 1
    assert "the server ended (exit status 1)" in out
    assert not _alive(worker, wait=2) and not _alive(server, wait=2)
    assert Path(env["ZT_VAR_DIR"]).is_dir()
