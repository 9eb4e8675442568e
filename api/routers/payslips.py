"""Payslips (members: their own)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from fastapi.responses import FileResponse

from adapters.documents.payslip_pdf import payslip_pdf_path
from api.auth import AnyPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import AppConfig, DbSession
from api.errors import ProblemError
from api.schemas import PayslipOut
from api.services import books

router = APIRouter(prefix="/payslips", tags=["payslips"])


@router.get("")
async def list_payslips(
    principal: AnyPrincipal,
    session: DbSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[PayslipOut]:
    payslips = await books.list_payslips(session, principal, limit=limit, offset=offset)
    return [PayslipOut.model_validate(p) for p in payslips]


@router.get("/{payslip_id}")
async def get_payslip(
    payslip_id: IdPath, principal: AnyPrincipal, session: DbSession
) -> PayslipOut:
    return PayslipOut.model_validate(await books.payslip(session, principal, payslip_id))


@router.get(
    "/{payslip_id}/pdf",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}, "description": "The payslip PDF"}},
)
async def get_payslip_pdf(
    payslip_id: IdPath, principal: AnyPrincipal, session: DbSession, config: AppConfig
) -> FileResponse:
    """The PDF the worker filed for the payslip, in the member's language."""
    payslip = await books.payslip(session, principal, payslip_id)
    path = payslip_pdf_path(
        config.payslip_dir, payslip.jurisdiction, payslip.pay_date, str(payslip.id)
    )
    if not path.is_file():
        raise ProblemError(
            404,
            "payslip-pdf-missing",
            f"Payslip {payslip_id} has no PDF yet: the payroll step files it right after the "
            "wage is computed (a payslip stored before the PDFs existed has none).",
        )
    return FileResponse(path, media_type="application/pdf", filename=path.name)
