"""The real pcscd with a virtual reader, for every driver test that needs it (vpcd.py)."""

from tests.payment_drivers.pcsc.vpcd import pcscd, pcscd_service

__all__ = ["pcscd", "pcscd_service"]
