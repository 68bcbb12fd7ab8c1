"""Entry point of the frozen kiosk (PyInstaller, kiosk.spec): the `kiosk` command.

The bundle leaves Pillow out on purpose (see kiosk.spec): fpdf2 then warns once, on
import, that it cannot embed raster images. The receipts embed none, so the warning
is silenced here rather than printed before every command's output.
"""

import sys
import warnings

warnings.filterwarnings("ignore", message="Pillow could not be imported", category=UserWarning)

from ui.main import main  # noqa: E402 - after the warning filter

if __name__ == "__main__":
    sys.exit(main())
