"""Where the kiosk finds its shipped files, from source, installed, or frozen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["assets_dir"]


def assets_dir() -> Path:
    """The `assets/` folder: $KIOSK_ASSETS, the PyInstaller bundle, or the source tree."""
    override = os.environ.get("KIOSK_ASSETS")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"
