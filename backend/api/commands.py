"""Routes (being built)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]


def router() -> APIRouter:
    return APIRouter()
