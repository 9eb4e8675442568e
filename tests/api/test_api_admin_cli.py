"""``python -m api.admin``: members and tokens straight into the database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import admin
from config import get_settings
from db.models import ApiToken, Member
from domain.capability import token_hash as hash_token


@pytest.fixture
def cli_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COOPFLOW_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _token(output: str) -> str:
    return output.strip().splitlines()[-1].removeprefix("token: ")


@pytest.mark.usefixtures("cli_database")
async def test_create_member_and_tokens(
    session_factory: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    run = asyncio.to_thread
    code = await run(
        admin.main,
        [
            "create-member",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--jurisdiction",
            "DE",
            "--iban",
            "DE89 3704 0044 0532 0130 00",
        ],
    )
    assert code == 0
    member_token = _token(capsys.readouterr().out)
    assert await run(admin.main, ["create-token", "--role", "finance", "--label", "Fiona"]) == 0
    finance = _token(capsys.readouterr().out)
    async with session_factory() as session:
        member = await session.scalar(select(Member))
        assert member is not None
        assert member.iban == "DE89370400440532013000"
        tokens = {t.token_hash: t for t in await session.scalars(select(ApiToken))}
    assert tokens[hash_token(member_token)].member_id == member.id
    assert tokens[hash_token(finance)].role == "finance"
    assert tokens[hash_token(finance)].label == "Fiona"

    bad = await run(
        admin.main,
        [
            "create-member",
            "--name",
            "X",
            "--email",
            "x@example.org",
            "--jurisdiction",
            "BE",
            "--iban",
            "BE00539007547034",
        ],
    )
    assert bad == 2
    assert "--iban" in capsys.readouterr().err
