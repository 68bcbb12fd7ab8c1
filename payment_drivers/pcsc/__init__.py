"""PC/SC RFID readers (pcscd, pyscard): the kiosk's `TokenReader` for charging cards.

`PcscReader` is the driver; `list_readers` and `test_reader` are what an installer
runs on site. A bank card held to the RFID reader is recognised and reported as such,
and nothing of it is read or kept.
"""

from payment_drivers.pcsc.diagnostics import PcscUnavailable, ReaderInfo, list_readers, test_reader
from payment_drivers.pcsc.reader import PcscReader

__all__ = ["PcscReader", "PcscUnavailable", "ReaderInfo", "list_readers", "test_reader"]
