"""The migrations as ``make run`` and ops use them: the ``alembic`` command, configured from
pyproject.toml, URL from the settings; and they match the models."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
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


def test_former_pay_links_keep_working_for_their_grace_period(tmp_path: Path) -> None:
    """The upgrade that makes pay links random moves the former links' tokens into the token
    table as hashes that expire 90 days later; nothing else opens them."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    before = _alembic("upgrade", "0008_sessions_and_token_expiry", url=url)
    assert before.returncode == 0, before.stderr
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO payment_links (id, token, order_id, invoice_id, amount_cents, "
                "status, generation, last_error) VALUES (7, 'former-hmac-token', 1, 1, 0, "
                "'open', 0, '')"
            )
        )
    after = _alembic("upgrade", "heads", url=url)
    assert after.returncode == 0, after.stderr
    with engine.connect() as conn:
        [(link_id, token_hash, expires_at)] = conn.execute(
            sa.text("SELECT payment_link_id, token_hash, expires_at FROM pay_link_tokens")
        ).fetchall()
    assert link_id == 7
    assert token_hash == hashlib.sha256(b"former-hmac-token").hexdigest()
    expires = datetime.fromisoformat(str(expires_at)).replace(tzinfo=UTC)
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
