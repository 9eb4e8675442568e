"""What the Dimona client works with: its errors, who is declared (employer, workers and where
their national numbers come from) and its own record of each submission (``DimonaSubmission``
in a ``SubmissionStore``). The client is ``adapters.social_security.dimona``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from adapters.errors import AdapterError, DeclarationRefused, PermanentAdapterError

# ---------------------------------------------------------------------------- errors


class DimonaStillWaiting(AdapterError):
    """Not processed yet (or waiting for the worker's identification): retry later."""


class DimonaUnavailable(AdapterError):
    """The service answered 5xx or could not be reached: retry later."""


class DimonaRefused(DeclarationRefused):
    """Result B: ONSS refused the declaration; ``anomalies`` are its (code, label) pairs."""

    def __init__(self, message: str, anomalies: tuple[tuple[str, str], ...]) -> None:
        super().__init__(message)
        self.anomalies = anomalies


class DimonaOutcomeUnknown(PermanentAdapterError):
    """A POST was sent but its answer was lost: whether ONSS has it is unknown."""


# ---------------------------------------------------------------------------- who is declared


class DimonaEmployer(BaseModel):
    model_config = ConfigDict(frozen=True)

    nsso_registration_number: int  # the employer's ONSS number
    joint_committee: str = "200"  # default joint committee (paritair comité / CP) of workers
    worker_type: str = "OTH"  # Dimona worker type: OTH = ordinary worker


class DimonaWorker(BaseModel):
    model_config = ConfigDict(frozen=True)

    ssin: str  # INSS / national number, 11 digits
    joint_committee: str | None = None  # overrides the employer's default
    worker_type: str | None = None


class WorkerDirectory(Protocol):
    async def dimona_worker(self, member_id: str) -> DimonaWorker | None: ...


class MappingWorkerDirectory:
    """Workers by member id from a mapping (tests, small setups)."""

    def __init__(self, workers: Mapping[str, DimonaWorker]) -> None:
        self._workers = workers  # not copied: edits to the mapping show

    async def dimona_worker(self, member_id: str) -> DimonaWorker | None:
        return self._workers.get(member_id)


# ---------------------------------------------------------------------------- submissions


class DimonaSubmission(BaseModel):
    """The client's own record of one declaration key."""

    model_config = ConfigDict(frozen=True)

    declaration_key: str
    fingerprint: str  # of the EmploymentDeclaration: a key is never reused for other data
    order_id: str
    kind: Literal["start", "end"]
    state: Literal["posting", "posted", "final"]
    claimed_at: float  # wall-clock seconds when the POST was claimed
    dimona_number: str | None = None
    period_id: str | None = None
    result: Literal["A", "W", "B"] | None = None
    anomalies: tuple[tuple[str, str], ...] = ()


class SubmissionStore(Protocol):
    async def get(self, key: str) -> DimonaSubmission | None: ...

    async def claim(self, submission: DimonaSubmission) -> DimonaSubmission:
        """Store ``submission`` unless the key exists; return what is stored."""
        ...

    async def save(self, submission: DimonaSubmission) -> None: ...

    async def forget(self, key: str) -> None: ...

    async def retire(self, key: str) -> None:
        """Keep a refused submission aside (history) and free its key for a new one."""
        ...

    async def period_of(self, order_id: str) -> str | None:
        """The Dimona period id of the order's accepted IN (an OUT closes it)."""
        ...
