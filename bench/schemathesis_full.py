"""schemathesis over the whole API at full size: the suite's three callers (a city administrator, an
enterprise clerk, a gate device over /api/gate/ only), every check, every phase the document allows
(examples, coverage, fuzzing: ninja's document declares no links for the stateful phase to chain), many
more drawn examples and a new random seed each run. Runs zhengtong/api/tests/test_openapi_schemathesis.py
with its knobs (ZT_SCHEMATHESIS_*) against a throwaway test database.

Prints, per caller: operations, requests sent, failures, seconds; the baseline is the same caller at the
suite's size (10 drawn examples, the suite's fixed seed), run just before.

    .venv/bin/python bench/schemathesis_full.py [--examples 50] [--sqlite]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import PG_ADMIN_URL, ROOT

MODULE = "zhengtong/api/tests/test_openapi_schemathesis.py"
CALLERS = ("city_admin", "enterprise_clerk", "gate_device")


def clone_test_database(url: str) -> str:
    """The test database pytest-django would make for ``url`` (test_…), cloned from the migrated
    template (common.setup_database), so that a run with --reuse-db migrates nothing; returns ``url``."""
    from common import cloned_database

    cloned_database(f"test_{url.rsplit('/', 1)[1]}")
    return url


def drop_test_database(url: str) -> None:
    subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "test_{url.rsplit("/", 1)[1]}" WITH (FORCE)'], check=False)


def run(caller: str, *, examples: int, seed: str, phases: str, database_url: str, reuse_db: bool = False) -> dict:
    """One caller's run in a pytest of its own; its figures and its outcome."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "zhengtong.settings_test",
               "ZT_SCHEMATHESIS_EXAMPLES": str(examples), "ZT_SCHEMATHESIS_SEED": seed,
               "ZT_SCHEMATHESIS_PHASES": phases, "ZT_SCHEMATHESIS_FIGURES": folder}
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", MODULE, "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
             "-k", f"test_as_{caller}", "--no-header", "-rN", *(["--reuse-db"] if reuse_db else [])],
            cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        lines = Path(folder, f"{caller}.jsonl").read_text().splitlines() if Path(folder, f"{caller}.jsonl").exists() \
            else []
    rows = [json.loads(line) for line in lines]
    failed = result.stdout.count("FAILED ") + result.stdout.count("ERROR ")
    if result.returncode not in (0, 1):
        sys.exit(result.stdout[-3000:] + result.stderr[-3000:])
    return {"operations": len(rows), "requests": sum(r["examples"] for r in rows), "failures": failed,
            "seconds": seconds, "output": result.stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=50, help="drawn examples per operation and phase")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    if args.sqlite:
        database_url = "sqlite:////tmp/zt_bench_schemathesis.sqlite3"
    else:  # pytest-django makes its own test_… database from this name, and drops it
        database_url = f"{PG_ADMIN_URL}/zt_bench_schemathesis_{uuid.uuid4().hex[:6]}"
    if args.small:  # only that it runs: one caller, the examples phase, the baseline's run alone
        if not args.sqlite:  # pytest-django's test database, cloned from the benchmarks' migrated template
            database_url = clone_test_database(database_url)
        try:
            base = run("gate_device", examples=1, seed="15", phases="examples", database_url=database_url,
                       reuse_db=not args.sqlite)
        finally:
            if not args.sqlite:
                drop_test_database(database_url)
        print(f"gate_device, baseline only (--small): {base['operations']} operations, {base['requests']} "
              f"requests, {base['failures']} failures, {base['seconds']:.0f} s")
        if base["failures"]:
            sys.exit(base["output"][-6000:])
        return
    phases = "examples,coverage,fuzzing"
    print(f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}; phases: {phases}")
    failures = 0
    for caller in CALLERS:
        base = run(caller, examples=10, seed="15", phases=phases, database_url=database_url)
        full = run(caller, examples=args.examples, seed="random", phases=phases, database_url=database_url)
        failures += full["failures"] + base["failures"]
        print(f"{caller}: {full['operations']} operations, {full['requests']} requests "
              f"({args.examples} drawn examples per operation and phase), {full['failures']} failures, "
              f"{full['seconds']:.0f} s; baseline (the suite's size): {base['requests']} requests, "
              f"{base['failures']} failures, {base['seconds']:.0f} s", flush=True)
        for outcome in (base, full):
            if outcome["failures"]:
                print(outcome["output"][-6000:])
    if failures:
        sys.exit(f"{failures} failures")


if __name__ == "__main__":
    main()
