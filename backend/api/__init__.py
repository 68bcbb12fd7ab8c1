"""The backend's own HTTP API (stations, operators, health); one router per audience."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """The routers to include, built fresh for each app."""
    from backend.api import commands, health, operator, station  # noqa: PLC0415

    return [health.router(), station.router(), commands.router(), operator.router()]
