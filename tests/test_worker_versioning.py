"""A release's worker runs as a version of the worker deployment: once it is made current,
new workflows run on it and say so (the rollout in docs/production.md, "Releasing")."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config import Settings
from tests.adapters.echo_workflow import EchoWorkflow
from tests.conftest import TEMPORAL_CLI
from worker import deployment_config


async def test_a_release_runs_as_the_current_version_of_the_deployment() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, worker_deployment_name="coopflow-test", worker_build_id="release-2"
    )
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI), dev_server_log_level="error"
    )
    async with env:
        client = env.client
        queue = f"versioned-{uuid.uuid4().hex[:6]}"
        async with Worker(
            client,
            task_queue=queue,
            workflows=[EchoWorkflow],
            deployment_config=deployment_config(settings),
        ):
            for _ in range(100):  # the version exists once the worker has polled
                try:
                    await client.workflow_service.set_worker_deployment_current_version(
                        SetWorkerDeploymentCurrentVersionRequest(
                            namespace=client.namespace,
                            deployment_name="coopflow-test",
                            build_id="release-2",
                        )
                    )
                    break
                except RPCError:
                    await asyncio.sleep(0.1)
            handle = await client.start_workflow(
                EchoWorkflow.run, {"a": "b"}, id=f"v-{uuid.uuid4().hex[:6]}", task_queue=queue
            )
            assert await handle.result() == {"a": "b"}
            described = await handle.describe()
    info = described.raw_description.workflow_execution_info.versioning_info
    assert info.deployment_version.build_id == "release-2"
    assert info.deployment_version.deployment_name == "coopflow-test"
