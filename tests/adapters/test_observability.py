"""Structured logs carry the workflow and run of the activity that logged; the worker's
runtime serves the Temporal SDK's metrics for Prometheus."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid

import httpx
from temporalio import activity
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from adapters.observability import JsonFormatter, metrics_runtime
from tests.adapters.echo_workflow import EchoWorkflow
from tests.conftest import TEMPORAL_TEST_SERVER


def _record(message: str, **extra: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "coopflow.test", "levelname": "WARNING", "msg": message} | extra
    )


def test_a_log_line_is_one_json_object_with_its_extras() -> None:
    line = json.loads(JsonFormatter("api").format(_record("payout %s", args=None, order_id=42)))
    assert line["message"] == "payout %s"
    assert (line["level"], line["logger"], line["process"]) == ("warning", "coopflow.test", "api")
    assert line["order_id"] == 42
    assert "workflow_id" not in line


async def test_a_log_line_inside_an_activity_names_its_workflow_and_run() -> None:
    formatter = JsonFormatter("worker")

    @activity.defn
    async def logs() -> str:
        return formatter.format(_record("charged interest"))

    env = ActivityEnvironment()
    line = json.loads(await env.run(logs))
    assert line["workflow_id"] == env.info.workflow_id
    assert line["run_id"] == env.info.workflow_run_id
    assert line["activity"] == env.info.activity_type


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_worker_runtime_serves_the_sdk_metrics() -> None:
    address = f"127.0.0.1:{_free_port()}"
    runtime = metrics_runtime(address)
    assert runtime is not None
    assert metrics_runtime("") is None
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER)
    )
    async with env:
        client = await Client.connect(env.client.service_client.config.target_host, runtime=runtime)
        queue = f"metrics-{uuid.uuid4().hex[:6]}"
        async with Worker(client, task_queue=queue, workflows=[EchoWorkflow]):
            result = await client.execute_workflow(
                EchoWorkflow.run, {"a": "b"}, id=f"m-{uuid.uuid4().hex[:6]}", task_queue=queue
            )
            assert result == {"a": "b"}
            text = ""
            for _ in range(50):
                async with httpx.AsyncClient() as http:
                    text = (await http.get(f"http://{address}/metrics")).text
                if "temporal_workflow_completed" in text:
                    break
                await asyncio.sleep(0.1)
    assert "temporal_workflow_completed" in text
    assert "temporal_workflow_task_execution_latency" in text
