"""Alembic environment: async engine, URL from ``-x url=...``, the config, or the settings.

The migrations are run as a process of their own (``alembic upgrade heads``, the compose job),
so this is one of the few places that read the process settings (``config.py``): the database
URL only, when neither ``-x url=`` nor the caller gave one.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db import all_models
from db.session import make_engine

config = context.config
target_metadata = all_models.load().metadata


def _url() -> str:
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    if x_url:
        return x_url
    # The configuration lives in pyproject.toml ([tool.alembic]); there is no ini file to read a
    # sqlalchemy.url from, so tests pass the URL as a config attribute.
    configured = config.attributes.get("url")
    if configured:
        return str(configured)
    from config import get_settings  # the module config.py, not the Alembic config above

    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
