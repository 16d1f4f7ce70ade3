"""Every benchmark runs at a small size in the suite, so that none can rot. The figures are
printed, never asserted: the machine is noisy, and the numbers belong in the README."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if p.name not in {"common.py", "run_all.py"})
# Call counters without a clock (cProfile calls and statements of one request): nothing to set beside a
# baseline; they run here all the same, so that they cannot rot.
COUNTERS = {"api_floor.py", "page_floor.py"}


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_at_a_small_size(script):
    args = [sys.executable, str(BENCH / script), "--small"]
    if connection.vendor == "sqlite":
        args.append("--sqlite")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings_bench"
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    if script in COUNTERS:
        assert "calls" in result.stdout and "statements" in result.stdout, result.stdout
    else:
        assert "baseline" in result.stdout, result.stdout
