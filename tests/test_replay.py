"""Replay every saved history in ``tests/histories/`` against today's workflow code: a change
that would break running orders fails here (it needs ``workflow.patched``).

Record new histories with ``COOPFLOW_RECORD_HISTORIES=1 make test`` (workflow tests save them
into ``tests/histories/``). Histories of orders started before a patch stay in a folder named
for it (``before-lean-history/``): they keep proving that running orders replay.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.order import OrderLifecycleWorkflow
from workflows.payout_run import PayoutRunWorkflow
from workflows.periodic_declarations import MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow
from workflows.reconciliation import BankInboxWorkflow, BankReconciliationWorkflow
from workflows.salary import MonthlySalaryWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").rglob("*.json"))


def test_histories_are_saved() -> None:
    assert len(HISTORIES) >= 1, "tests/histories/ holds no saved workflow history"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replay(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[
            OrderLifecycleWorkflow,
            MonthlyDeclarationsWorkflow,
            QuarterlyDmfaWorkflow,
            BankReconciliationWorkflow,
            BankInboxWorkflow,
            PayoutRunWorkflow,
            MonthlySalaryWorkflow,
        ],
        data_converter=pydantic_data_converter,
        # Replay checks determinism, not speed: a garbage collection of the whole test process
        # (hypothesis hooks one) inside a workflow task must not count as a deadlock.
        debug_mode=True,
    )
    await replayer.replay_workflow(history)
