"""`/v1/payment-intents`: the station's calls on its holds (docs/backend-api.md)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/v1/payment-intents", tags=["payment-intents"])
