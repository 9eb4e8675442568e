"""Documents rendered in processes of their own: WeasyPrint and Saxon hold the GIL while they
work (and are not safe to share between threads), so rendered in the worker's threads they
starve its event loop and its workflow tasks. A bounded pool of spawned processes renders the
invoices (PDF/A-3, CII, UBL, XRechnung, with their validation) and the payslip PDFs instead;
the worker's event loop only waits for the result. Each process keeps its own validator
(compiled rules) and render lock. ``COOPFLOW_RENDER_PROCESSES`` sets the pool's size; 0 keeps
the former threads (the tests, which build many workers)."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

R = TypeVar("R")


class RenderPool:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn")
        )

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def render_pool(processes: int) -> RenderPool | None:
    return RenderPool(processes) if processes > 0 else None


# ---- what runs in the pool's processes (module level: they are pickled by name)

_validators: dict[Path, Any] = {}


def render_invoice_mail(out_dir: Path, rules_dir: Path, doc: Any) -> Any:
    """``InvoiceDocuments``' rendering, in a pool process with its own validator."""
    from adapters.documents.einvoice_validation import EinvoiceValidator
    from adapters.documents.invoice_documents import InvoiceDocuments

    validator = _validators.get(rules_dir)
    if validator is None:
        validator = _validators[rules_dir] = EinvoiceValidator(rules_dir)
    return InvoiceDocuments(out_dir, _no_seller, validator).render_now(doc)


def render_payslip_in_pool(path: Path, document: Any) -> Path:
    """A payslip's PDF, in a pool process (written once)."""
    from adapters.documents.payslip_pdf import write_payslip_now

    return write_payslip_now(path, document)


def _no_seller(jurisdiction: str) -> Any:
    raise AssertionError("the pool renders documents that are already built")
