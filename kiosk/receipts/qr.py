"""The e-receipt QR code: one module matrix (segno), drawn as SVG or onto a PDF.

The matrix excludes the quiet zone; every drawing adds the 4 light modules the
standard asks for around it.
"""

from __future__ import annotations

from html import escape
from typing import Final

import segno

__all__ = ["QUIET_ZONE", "dark_runs", "qr_matrix", "qr_svg"]

QUIET_ZONE: Final = 4  # light modules on each side (ISO/IEC 18004)


def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of `data` (error correction M or better), dark modules True."""
    code = segno.make_qr(data, error="m")
    return tuple(tuple(bool(m) for m in row) for row in code.matrix_iter(scale=1, border=0))


def dark_runs(matrix: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        n = len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def qr_svg(data: str, *, size_px: int = 160, label: str = "") -> str:
    """An inline <svg> of the QR code of `data`, quiet zone included, crisp when scaled."""
    matrix = qr_matrix(data)
    side = len(matrix) + 2 * QUIET_ZONE
    path = "".join(
        f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{n}v1h-{n}z" for y, x, n in dark_runs(matrix)
    )
    title = f"<title>{escape(label)}</title>" if label else ""
    aria = f' aria-label="{escape(label)}"' if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{size_px}" height="{size_px}" role="img" shape-rendering="crispEdges"{aria}>'
        f"{title}"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )
