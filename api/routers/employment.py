"""Employment records (admin): what payroll needs to know about a member.

Germany: tax class, children, church, federal state, health fund and its Zusatzbeitrag, birth
year (``EmploymentRecordDE``). Belgium: contract (standard, artist, blue-collar) and the tax
record of the key formula (``BelgianEmployment``). Without a record, wages are provisional.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import ValidationError

from api.auth import AdminPrincipal
from api.bounds import IdPath
from api.deps import DbSession
from api.errors import ProblemError, not_found
from db.models import Member
from db.models_payroll import EmploymentRecord
from domain.errors import DomainError
from domain.payroll.employment import parse_record

router = APIRouter(prefix="/members", tags=["members"])


@router.put("/{member_id}/employment")
async def put_employment(
    member_id: IdPath,
    _: AdminPrincipal,
    session: DbSession,
    record: Annotated[dict[str, Any], Body(description="EmploymentRecordDE or BelgianEmployment")],
) -> dict[str, Any]:
    member = await session.get(Member, member_id)
    if member is None:
        raise not_found("member", member_id)
    try:
        parsed = parse_record(member.jurisdiction, _json(record))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ProblemError(
            422,
            "invalid-employment-record",
            f"the {member.jurisdiction} employment record is not valid: {problems}",
        ) from exc
    except DomainError as exc:
        raise ProblemError(422, exc.code, exc.message) from exc
    stored = await session.get(EmploymentRecord, member_id)
    if stored is None:
        stored = EmploymentRecord(member_id=member_id, jurisdiction=member.jurisdiction, data="")
        session.add(stored)
    stored.data = parsed.model_dump_json()
    stored.jurisdiction = member.jurisdiction
    await session.flush()
    return {
        "member_id": member_id,
        "jurisdiction": member.jurisdiction,
        "record": parsed.model_dump(mode="json"),
    }


@router.get("/{member_id}/employment")
async def get_employment(
    member_id: IdPath, _: AdminPrincipal, session: DbSession
) -> dict[str, Any]:
    stored = await session.get(EmploymentRecord, member_id)
    if stored is None:
        raise not_found("employment record of member", member_id)
    return {
        "member_id": member_id,
        "jurisdiction": stored.jurisdiction,
        "record": parse_record(stored.jurisdiction, stored.data).model_dump(mode="json"),
    }


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record)
