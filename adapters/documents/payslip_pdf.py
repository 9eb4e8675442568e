"""Payslip PDFs in the member's language (de, en, fr, nl, it, pl): the HTML of
``payslip_html`` printed by WeasyPrint (offline, in the invoices' vendored fonts), and
``PayslipPdfs``, which files them once per payslip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path

from adapters.documents.payslip_document import PayslipDocument, PayslipEmployer
from adapters.documents.payslip_html import render_payslip_html
from adapters.documents.payslip_labels import TEMPLATES
from adapters.documents.pdf_engine import shared_fonts
from adapters.documents.render_pool import RenderPool, render_payslip_in_pool
from adapters.documents.rendering import RENDER_LOCK
from adapters.files import write_once


def render_payslip_pdf(doc: PayslipDocument, directory: Path = TEMPLATES) -> bytes:
    """The payslip as PDF, set in the invoices' vendored fonts (they cover the six languages),
    registered once per process and embedded whole: subsetting a system font such as DejaVu
    per document took more than a second."""
    engine = shared_fonts()
    pdf = engine.html(string=render_payslip_html(doc, directory)).write_pdf(
        stylesheets=[engine.stylesheet_fonts_only],
        font_config=engine.fonts,
        full_fonts=not engine.subset_fonts,
    )
    return bytes(pdf)


def write_payslip_pdf(doc: PayslipDocument, out_dir: Path) -> Path:
    """``<out_dir>/payslip-<id>-<language>.pdf``, written once (a second call keeps the first)."""
    path = out_dir / f"payslip-{doc.payslip_id}-{doc.language}.pdf"
    if not path.exists():
        write_once(path, render_payslip_pdf(doc))
    return path


def payslip_pdf_path(root: Path, jurisdiction: str, pay_date: date, payslip_id: str) -> Path:
    """Where the PDF of a payslip is filed (the worker writes it, the API serves it)."""
    return Path(root) / jurisdiction / f"{pay_date.year:04d}" / f"payslip-{payslip_id}.pdf"


class PayslipPdfs:
    """One PDF per payslip at ``<root>/<jurisdiction>/<year of pay date>/payslip-<id>.pdf``.

    Written once: a file already there is kept and nothing is rendered again, so a retried
    payroll step neither changes the member's payslip nor fails on it. Rendering runs in a
    thread (off the event loop) under the process-wide render lock the invoices use:
    WeasyPrint is not safe to drive from several threads at once.
    """

    def __init__(
        self,
        root: Path,
        employer: Callable[[str], PayslipEmployer],
        pool: RenderPool | None = None,
    ) -> None:
        self._root = Path(root)
        self.employer = employer  # the employer on a payslip of a jurisdiction
        self._pool = pool  # render in its processes (adapters.documents.render_pool)

    def path_for(self, jurisdiction: str, pay_date: date, payslip_id: str) -> Path:
        return payslip_pdf_path(self._root, jurisdiction, pay_date, payslip_id)

    async def write(self, path: Path, document: Callable[[], PayslipDocument]) -> Path:
        """Render ``document()`` to ``path`` unless a file is there; ``document`` is only
        called when a render is needed."""
        if path.exists():
            return path
        if self._pool is not None:
            written: Path = await self._pool.run(render_payslip_in_pool, path, document())
            return written
        return await asyncio.to_thread(write_payslip_now, path, document)


def write_payslip_now(
    path: Path, document: PayslipDocument | Callable[[], PayslipDocument]
) -> Path:
    """Render the payslip to ``path`` unless a file is there (a thread, or a pool process);
    a callable ``document`` is only called when a render is needed, under the lock."""
    # One lock per process for every WeasyPrint render (invoices and payslips alike).
    with RENDER_LOCK:
        if not path.exists():
            doc = document if isinstance(document, PayslipDocument) else document()
            write_once(path, render_payslip_pdf(doc))
    return path
