"""Liveness: no auth, no database, no Temporal (``make run`` polls it)."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> Health:
    return Health()
