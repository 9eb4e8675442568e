"""Fixtures for the adapter tests: real directories under tmp_path and a real SMTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.banking.sepa import LocalSepaBanking
from dev.mail_sink import MaildirSink, find_free_port

COOP_IBAN = "DE89370400440532013000"
COOP_BIC = "COBADEFFXXX"


@pytest.fixture
def payout_dir(tmp_path: Path) -> Path:
    return tmp_path / "payouts"


@pytest.fixture
def banking(payout_dir: Path) -> LocalSepaBanking:
    return LocalSepaBanking(
        payout_dir, debtor_name="coopflow SCE", debtor_iban=COOP_IBAN, debtor_bic=COOP_BIC
    )


@pytest.fixture
def mail_sink(tmp_path: Path) -> Iterator[MaildirSink]:
    sink = MaildirSink(tmp_path / "sink-maildir", port=find_free_port())
    sink.start()
    yield sink
    sink.stop()
