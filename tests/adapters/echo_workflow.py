"""A workflow that returns what it was given: enough to see what the server stores."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn
class EchoWorkflow:
    @workflow.run
    async def run(self, member: dict[str, str]) -> dict[str, str]:
        return member
