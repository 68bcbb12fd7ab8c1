"""Where the kiosk finds its shipped files, from source, installed, or frozen."""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

__all__ = ["assets_dir"]


def assets_dir() -> Path:
    """The `assets/` folder: $KIOSK_ASSETS, the PyInstaller bundle, the installed
    package's `kiosk/assets` (a wheel: setup.py's BuildPy), or the source tree."""
    override = os.environ.get("KIOSK_ASSETS")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "assets"
    packaged = files("kiosk").joinpath("assets")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "assets"
