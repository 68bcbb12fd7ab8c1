"""The station key file: made once with mode 0600, read back, refused when short."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.station_keys import StationKeyError, load_station_keys


def test_created_once_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "station.key"
    assert load_station_keys(path, create=False) is None
    first = load_station_keys(path, create=True)
    assert first is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_station_keys(path, create=False)
    assert again == first
    assert first.audit != first.tokens
    assert again is not None
    assert first.token_hash("04A1B2C3") == again.token_hash("04A1B2C3")
    assert first.token_hash("04A1B2C3") != first.token_hash("04A1B2C4")
    assert "04A1B2C3" not in first.token_hash("04A1B2C3")


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "station.key"
    path.write_bytes(b"short")
    with pytest.raises(StationKeyError, match="at least 32"):
        load_station_keys(path, create=True)
