"""docs/openapi.json is what a fresh backend serves at /openapi.json (regenerate it with
`kiosk backend openapi > docs/openapi.json` whenever a route changes)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backend.conftest import Backend

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_served_one(sqlite_backend: Backend) -> None:
    served = sqlite_backend.http.get(sqlite_backend.base + "/openapi.json", timeout=10).json()
    text = json.dumps(served, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert text == DOC.read_text(encoding="utf-8"), (
        "docs/openapi.json is stale: regenerate it with `kiosk backend openapi`"
    )


def test_money_is_a_string_in_the_document() -> None:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    live = doc["paths"]["/v1/heartbeat"]["post"]["requestBody"]["content"]["application/json"]
    cost = live["schema"]["properties"]["sessions"]["items"]["properties"]["cost"]
    assert cost["type"] == "string"
