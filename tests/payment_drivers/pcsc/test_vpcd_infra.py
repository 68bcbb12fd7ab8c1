"""The test infrastructure itself: skip on a laptop without pcscd, fail in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.payment_drivers.pcsc import vpcd


@pytest.mark.parametrize("ci", ["", "false", "true", "1"])
def test_missing_pcscd_skips_or_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str
) -> None:
    monkeypatch.setattr(vpcd, "PCSCD", tmp_path / "pcscd")
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci in ("true", "1") else pytest.skip.Exception
    with pytest.raises(expected, match="pcscd is missing"):
        vpcd.require_components()


def test_missing_vpcd_driver_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(vpcd, "VPCD_DRIVER", tmp_path / "libifdvpcd.so")
    assert "vsmartcard-vpcd" in (vpcd.missing_component() or "")


def test_nothing_is_missing_here() -> None:
    vpcd.require_components()  # skips on a laptop without pcscd (fails in CI)
    assert vpcd.missing_component() is None


def test_one_socket_path_per_process(pcscd: vpcd.Pcscd) -> None:
    assert os.environ["PCSCLITE_CSOCK_NAME"] == vpcd.SOCKET_PATH == str(pcscd.socket_path)
    assert pcscd.socket_path.is_socket()
    assert pcscd.ports == (pcscd.port, pcscd.port + 1)
