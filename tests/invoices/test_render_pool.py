"""Invoices and payslips rendered in a process of their own give the same documents as in the
worker's threads, and a refusal in the pool process still reaches the activity as itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_documents import InvalidInvoiceDocument, InvoiceDocuments
from adapters.documents.payslip_pdf import PayslipPdfs
from adapters.documents.render_pool import RenderPool
from config import default_seller
from tests.invoices import cases
from tests.payroll_de.test_payslip_pdf import EMPLOYER_DE, PAY_DATE, _provisional


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    rendering = RenderPool(1)
    yield rendering
    rendering.close()


async def test_an_invoice_rendered_in_the_pool_is_the_one_the_thread_renders(
    tmp_path: Path, official_validator: EinvoiceValidator, pool: RenderPool
) -> None:
    doc = cases.de_public_buyer()
    in_pool = await InvoiceDocuments(
        tmp_path / "pool", default_seller, official_validator, pool
    ).mail_for(doc)
    in_thread = await InvoiceDocuments(
        tmp_path / "thread", default_seller, official_validator
    ).mail_for(doc)
    assert [a.filename for a in in_pool.attachments] == [a.filename for a in in_thread.attachments]
    assert in_pool.subject == in_thread.subject
    assert in_pool.attachments[1].content == in_thread.attachments[1].content  # the XRechnung
    assert (tmp_path / "pool" / f"{doc.number}.pdf").stat().st_size > 10_000


async def test_a_refusal_in_the_pool_comes_back_as_itself(tmp_path: Path, pool: RenderPool) -> None:
    documents = InvoiceDocuments(
        tmp_path / "out", default_seller, EinvoiceValidator(tmp_path / "no-rules"), pool
    )
    with pytest.raises(InvalidInvoiceDocument, match="RULES-NOT-RUN"):
        await documents.mail_for(cases.be_domestic_21())


async def test_a_payslip_pdf_is_written_once_by_the_pool(tmp_path: Path, pool: RenderPool) -> None:
    pdfs = PayslipPdfs(tmp_path, lambda jurisdiction: EMPLOYER_DE, pool)
    path = pdfs.path_for("DE", PAY_DATE, "44")
    assert await pdfs.write(path, lambda: _provisional("DE", "de")) == path
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    await pdfs.write(path, lambda: pytest.fail("rendered again"))
    assert path.read_bytes() == content
