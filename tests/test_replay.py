"""Replay every saved history in ``tests/histories/`` against today's workflow code: a change
that would break running orders fails here (it needs ``workflow.patched``).

Record new histories with ``COOPFLOW_RECORD_HISTORIES=1 make test`` (workflow tests save them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.order import OrderLifecycleWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_histories_are_saved() -> None:
    assert len(HISTORIES) >= 1, "tests/histories/ holds no saved workflow history"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replay(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=[OrderLifecycleWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
