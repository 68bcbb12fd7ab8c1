"""Images made on the fly for QML: `image://qr/<url-encoded text>` is a QR code."""

from __future__ import annotations

import io
from urllib.parse import unquote

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

__all__ = ["QrImageProvider"]


class QrImageProvider(QQuickImageProvider):
    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)

    def requestImage(self, image_id: str, size: QSize, requested: QSize) -> QImage:
        import segno  # noqa: PLC0415 - only when a QR screen shows, not at start-up

        text = unquote(image_id)
        qr = segno.make(text or " ", error="m")
        side = max(requested.width(), requested.height(), 256)
        modules = qr.symbol_size(scale=1, border=2)[0]
        buffer = io.BytesIO()
        qr.save(buffer, kind="png", scale=max(1, side // modules), border=2)
        image = QImage.fromData(buffer.getvalue())
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
