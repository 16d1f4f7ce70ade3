"""The `zhengtong` console script: Django's management commands, plus our own.

    zhengtong serve [ADDRPORT]     the development server and the job worker together (`make run`)
    zhengtong demo                 load the demo city (if the database is empty, or --force; --today DATE)
    zhengtong run_job [NAME]       list the scheduled jobs, or run one by hand
    zhengtong import units FILE    import units from .xlsx or .csv
    zhengtong migrate | runserver | qcluster | createsuperuser | ...
"""

import os
import signal
import subprocess
import sys
import time

STOP_WAIT = 15.0  # seconds a child has to stop after it is asked, before it is killed


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengtong.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) >= 2 and argv[1] == "serve":
        sys.exit(serve(argv[2:]))
    if len(argv) >= 3 and argv[1] == "import":
        argv = [argv[0], f"import_{argv[2]}", *argv[3:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


class _Stop(Exception):
    """SIGTERM or SIGHUP reached the launcher."""


def _raise_stop(signum, frame):
    raise _Stop(signum)


def _stop(process: subprocess.Popen, how: signal.Signals, name: str) -> None:
    """Ask a child to stop (``how``), wait for it, then kill what is left of its process group."""
    if process.poll() is None:
        try:
            (os.killpg if how == signal.SIGINT else os.kill)(process.pid, how)
        except ProcessLookupError:
            pass
        try:
            process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            print(f"zhengtong serve: the {name} did not stop within {STOP_WAIT:.0f} s: killed", flush=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the child if it did not stop, a reloader's child or a worker's pool
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            break
        process.poll()  # reaps the child once it is gone
        time.sleep(0.05)
    process.wait()


def serve(args: list[str]) -> int:
    """Run the development server (``runserver ARGS``) and the job worker (django-q2's ``qcluster``,
    which runs the scheduled jobs) side by side, and stop both when either ends or on Ctrl-C/SIGTERM.
    Each runs in its own process group, so that the launcher alone decides when and how they stop: the
    server with SIGINT (its reloader and its child), the worker with SIGTERM (it finishes its tasks);
    whatever is left of either after STOP_WAIT seconds is killed. Returns 0 when asked to stop, 1 when
    a child ended by itself."""
    command = [sys.executable, "-m", "zhengtong.cli"]
    # Handlers of our own, set before the children start: they begin with the default handling (an
    # ignored SIGINT, as in a shell's background job, would otherwise be ignored by them too).
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    children: list[tuple[subprocess.Popen, signal.Signals, str]] = []
    ended = ""
    try:
        worker = subprocess.Popen([*command, "qcluster"], start_new_session=True)
        children.append((worker, signal.SIGTERM, "job worker"))  # it finishes its tasks, then stops
        server = subprocess.Popen([*command, "runserver", *args], start_new_session=True)
        children.insert(0, (server, signal.SIGINT, "server"))  # to its group: the reloader and its child
        print(f"zhengtong serve: job worker pid {worker.pid}, server pid {server.pid} (Ctrl-C stops both)",
              flush=True)
        while not ended:
            if server.poll() is not None:
                ended = f"the server ended (exit status {server.returncode})"
            elif worker.poll() is not None:
                ended = f"the job worker ended (exit status {worker.returncode})"
            else:
                time.sleep(0.3)
    except (KeyboardInterrupt, _Stop):
        ended = "asked to stop"
    finally:
        for sig in previous:  # a second Ctrl-C must not leave a child behind
            signal.signal(sig, signal.SIG_IGN)
        print(f"zhengtong serve: {ended or 'stopping'}: stopping the server and the job worker", flush=True)
        for process, how, name in children:
            _stop(process, how, name)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("zhengtong serve: stopped", flush=True)
    return 0 if ended == "asked to stop" else 1


if __name__ == "__main__":
    main()
