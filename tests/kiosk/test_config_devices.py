"""The `[devices]` section: what `kiosk run` wires, named exactly, checked once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.config import ConfigError, demo_settings, load_settings, load_settings_text

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "config" / "station.example.toml"


def _with_devices(devices: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    return text[: text.index("[devices]")] + devices


def test_the_example_names_a_pcsc_reader_and_a_zvt_terminal() -> None:
    devices = load_settings(EXAMPLE).devices
    assert devices is not None
    assert devices.reader.driver == "pcsc"
    assert devices.terminal.driver == "zvt"
    assert devices.terminal.host
    assert devices.terminal.port == 20007


def test_the_demo_names_its_simulators() -> None:
    devices = demo_settings(Path("/nonexistent/demo.sqlite")).devices
    assert devices is not None
    assert (devices.charger, devices.reader.driver, devices.terminal.driver) == (
        "simulated",
        "simulated",
        "simulated",
    )


def test_a_file_without_devices_names_none() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    settings = load_settings_text(text[: text.index("[devices]")], EXAMPLE.parent)
    assert settings.devices is None


@pytest.mark.parametrize(
    ("devices", "error"),
    [
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "pcsc" }\n'
            'terminal = { driver = "zvt" }\n',
            "devices.terminal.host",
        ),
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "pcsc" }\n'
            'terminal = { driver = "zvt", host = "10.0.0.5", port = 70000 }\n',
            "devices.terminal.port",
        ),
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "pcsc" }\n'
            'terminal = { driver = "zvt", host = "10.0.0.5", password = "12ab" }\n',
            "devices.terminal.password",
        ),
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "usb-hid" }\n'
            'terminal = { driver = "none" }\n',
            "devices.reader.driver",
        ),
        (
            '[devices]\ncharger = "ocpp"\nreader = { driver = "none" }\n'
            'terminal = { driver = "none" }\n',
            "devices.charger",
        ),
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "none", speed = 3 }\n'
            'terminal = { driver = "none" }\n',
            "speed",
        ),
        (
            '[devices]\ncharger = "simulated"\nreader = { driver = "none" }\n'
            'terminal = { driver = "none", end_of_day = "25:00" }\n',
            "devices.terminal.end_of_day",
        ),
    ],
)
def test_bad_devices_are_refused_by_name(devices: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error.replace(".", r"\.")):
        load_settings_text(_with_devices(devices), EXAMPLE.parent)


def test_an_empty_end_of_day_means_never() -> None:
    devices = load_settings_text(
        _with_devices(
            '[devices]\ncharger = "simulated"\nreader = { driver = "none" }\n'
            'terminal = { driver = "none", end_of_day = "" }\n'
        ),
        EXAMPLE.parent,
    ).devices
    assert devices is not None
    assert devices.terminal.end_of_day is None


def test_the_example_names_its_backend() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.backend is not None
    assert settings.backend.url == "https://backend.example.org"
    assert settings.backend_secret_file == EXAMPLE.parent / "station.backend-secret"
    assert settings.devices is not None
    assert (settings.devices.accounts, settings.devices.qr) == ("backend", "backend")


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        ("", "needs a [backend] section"),
        ('[backend]\nurl = "http://backend.example.org"\n', "plain http only to this machine"),
        ('[backend]\nurl = "ftp://x"\n', "is not an http(s) URL"),
        ('[backend]\nurl = "https://b.example.org"\nread_timeout_s = 0\n', "between 0 and 600"),
    ],
)
def test_a_backend_that_cannot_be_used_is_refused(backend: str, message: str) -> None:
    devices = (
        '[devices]\ncharger = "simulated"\naccounts = "backend"\n'
        'reader = { driver = "none" }\nterminal = { driver = "none" }\n'
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings_text(_with_devices(devices + backend), EXAMPLE.parent)
