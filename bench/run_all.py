"""Run every benchmark at its full size and print the figures (make bench)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for script in sorted(BENCH.glob("*.py")):
    if script.name in {"common.py", "run_all.py"}:
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=True)
