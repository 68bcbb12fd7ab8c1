"""Bank-card terminals speaking ZVT (the German ECR interface) over TCP."""

from payment_drivers.zvt.diagnostics import probe, test_terminal
from payment_drivers.zvt.protocol import ZvtProtocolError
from payment_drivers.zvt.terminal import ZvtTerminal, ZvtUnavailable

__all__ = ["ZvtProtocolError", "ZvtTerminal", "ZvtUnavailable", "probe", "test_terminal"]
