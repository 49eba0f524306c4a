"""Files the application creates under var/ are readable by their owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_creates_var_files_owner_only(tmp_path):
    var = tmp_path / "var"
    env = {**os.environ, "SHEETFORCE_VAR_DIR": str(var),
           "DJANGO_SETTINGS_MODULE": "sheetforce.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=300)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("sheetforce.sqlite3", "secret_key", "field_encryption_key"):
        mode = stat.S_IMODE((var / name).stat().st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
