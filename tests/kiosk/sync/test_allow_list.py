"""The offline allow-list: decisions from the stored list, persisted atomically, damage survived."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.domain.payment import DeclineCode
from kiosk.sync.allow_list import AllowList
from kiosk.sync.wire import AllowListToken

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def tokens() -> list[AllowListToken]:
    return [
        AllowListToken("04A1B2C3D4", "ALLOWED_OFFLINE", True, "DE-KIO-C00001-7", "member"),
        AllowListToken("04F1EE7A01", "ALWAYS", True, "DE-KIO-C00042-3", "fleet"),
        AllowListToken("0455AFF001", "ALLOWED", True, "DE-KIO-C00100-1", "staff"),
        AllowListToken("04000000AA", "NEVER", True, "DE-KIO-C00101-9", "member"),
        AllowListToken("04B10C4ED0", "ALWAYS", False, "DE-KIO-C00102-7", "member"),
        AllowListToken(
            "04E0E0E0E0", "ALWAYS", True, "DE-KIO-C00103-5", "member", NOW - timedelta(seconds=1)
        ),
        AllowListToken(
            "04F0F0F0F0", "ALWAYS", True, "DE-KIO-C00104-3", "member", NOW + timedelta(days=1)
        ),
    ]


def test_offline_decisions_follow_the_whitelist_validity_and_expiry(tmp_path: Path) -> None:
    allow = AllowList(tmp_path / "allow-list.json")
    assert len(allow) == 0
    allow.replace(3, tokens())
    member = allow.check("04a1b2c3d4", NOW)  # UIDs compare upper-case
    assert member.allowed
    assert (member.customer_group, member.contract_id) == ("member", "DE-KIO-C00001-7")
    assert allow.check("04F1EE7A01", NOW).allowed
    assert allow.check("04F0F0F0F0", NOW).allowed  # expires tomorrow
    refused = {
        uid: (allow.check(uid, NOW).code, allow.check(uid, NOW).reason)
        for uid in ("0455AFF001", "04000000AA", "04B10C4ED0", "04E0E0E0E0", "0499999999")
    }
    assert refused["0455AFF001"][0] is DeclineCode.UNAVAILABLE  # needs the backend
    assert refused["04000000AA"][0] is DeclineCode.UNAVAILABLE
    assert refused["04B10C4ED0"][0] is DeclineCode.BLOCKED
    assert refused["04E0E0E0E0"][0] is DeclineCode.EXPIRED
    assert refused["0499999999"] == (DeclineCode.UNKNOWN_CARD, "not on the offline list")


def test_the_list_is_persisted_atomically_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "sync" / "allow-list.json"
    AllowList(path).replace(3, tokens())
    again = AllowList(path)
    assert again.version == 3
    assert len(again) == 7
    assert again.check("04A1B2C3D4", NOW).allowed
    again.replace(4, tokens()[:1])
    assert AllowList(path).version == 4
    assert len(AllowList(path)) == 1
    assert [p.name for p in path.parent.iterdir()] == ["allow-list.json"]  # no temp file left


def test_a_damaged_file_is_an_empty_list_and_a_warning(
    tmp_path: Path, expect_warnings: Any
) -> None:
    expect_warnings("is damaged")
    path = tmp_path / "allow-list.json"
    AllowList(path).replace(3, tokens())
    path.write_bytes(path.read_bytes()[:40])  # a torn write by something else
    damaged = AllowList(path)
    assert damaged.version == 0
    assert len(damaged) == 0
    assert damaged.check("04A1B2C3D4", NOW).code is DeclineCode.UNKNOWN_CARD
    path.write_text('{"format": 1, "version": "three", "tokens": []}')
    assert AllowList(path).version == 0
    damaged.replace(5, tokens())  # the next fetch repairs it
    assert AllowList(path).version == 5
