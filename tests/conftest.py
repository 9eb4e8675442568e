"""Shared fixtures: the databases (SQLite always, PostgreSQL when
``COOPFLOW_TEST_DATABASE_URL`` is set) and the Temporal binaries from the venv."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from db import all_models
from db.session import make_engine, make_session_factory

# The suite runs the stack with the public development secrets (a test per secret checks that
# outside dev mode the API and the worker refuse them); subprocesses inherit this.
os.environ.setdefault("COOPFLOW_DEV_MODE", "1")

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TEMPORAL_CLI = VENV_BIN / "temporal"
TEMPORAL_TEST_SERVER = VENV_BIN / "temporal-test-server"

PG_URL = os.environ.get("COOPFLOW_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def migrate(url: str) -> None:
    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


async def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database per backend (tests using it run once on each)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'coopflow.db'}"
    else:
        assert PG_URL is not None
        url = PG_URL
        await _reset_postgres(url)
    import asyncio

    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture(scope="session")
async def db_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session_factory(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on an emptied database (activities own their transactions, so tests
    start from empty tables rather than rolling back)."""
    async with db_engine.begin() as conn:
        for table in reversed(all_models.load().metadata.sorted_tables):
            await conn.execute(table.delete())
    return make_session_factory(db_engine)


@pytest.fixture(scope="session")
def einvoice_rules_dir() -> Path:
    """The official e-invoice rule files (``COOPFLOW_EINVOICE_RULES_DIR``). Tests that run them
    skip only when the folder is absent; a folder with a rule set missing makes them fail (the
    validator reports RULES-NOT-RUN)."""
    path = Settings().einvoice_rules_dir
    if not path.is_dir():
        pytest.skip(f"no official e-invoice rules at {path} (COOPFLOW_EINVOICE_RULES_DIR)")
    return path
