"""The migrations as ``make run`` and ops use them: the ``alembic`` command, configured from
pyproject.toml, URL from the settings; and they match the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def _alembic(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COOPFLOW_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_alembic_command_upgrades_from_settings_and_matches_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    upgraded = _alembic("upgrade", "heads", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    tables = sa.inspect(sa.create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")).get_table_names()
    assert {"orders", "invoices", "ledger_entries", "payouts", "finance_cases"} <= set(tables)
    # No model change without a migration.
    checked = _alembic("check", url=url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
