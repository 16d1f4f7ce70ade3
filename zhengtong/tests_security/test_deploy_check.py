"""`zhengtong check --deploy` with the README's production environment reports only what the README
explains."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _production_environment() -> dict[str, str]:
    """The variables the README's production commands export; a `...` stands for a key of one's own."""
    text = README.read_text()
    block = text.split("## Production on PostgreSQL", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line.split("#", 1)[0])[1:]:
                name, _, value = word.partition("=")
                env[name] = secrets.token_urlsafe(50) if value == "..." else value
    return env


def test_check_deploy_with_the_readme_environment_reports_only_what_the_readme_explains(tmp_path):
    production = _production_environment()
    assert {"SECRET_KEY", "ZT_PERSONAL_DATA_KEY", "HTTPS", "ALLOWED_HOSTS", "ZT_TRUSTED_PROXIES"} <= set(production)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZT_", "SECURE_", "DJANGO_"))
           and k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "HTTPS", "ALLOWED_HOSTS"}}
    env.update(production, DEBUG="0", DJANGO_SETTINGS_MODULE="zhengtong.settings", ZT_VAR_DIR=str(tmp_path),
               # the checks do not connect; a local database all the same, so that nothing could reach a host
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run([sys.executable, "-m", "zhengtong.cli", "check", "--deploy"], capture_output=True,
                            text=True, env=env, timeout=120)
    reported = set(re.findall(r"\((\w+\.\w+)\)", result.stdout + result.stderr))
    assert reported == {"security.W005", "security.W021"}, result.stdout + result.stderr
    readme = README.read_text()
    assert all(check in readme for check in reported)
