"""Typed wrappers over the few pyscard `smartcard.scard` calls the driver makes.

pyscard ships no types and answers with (hresult, ...) lists: these functions give
the rest of the package ints, strs and bytes, so no Any leaks out of this module.
Calls that fail with a PC/SC error raise `PcscError`; `get_status_change` and
`cancel` return the hresult instead, because timeouts and cancellations are control
flow there, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from smartcard import scard as _s

__all__ = [
    "CANCELLED",
    "COMM_ERROR",
    "INVALID_HANDLE",
    "NOT_TRANSACTED",
    "NO_READERS",
    "NO_SERVICE",
    "NO_SMARTCARD",
    "PNP_NOTIFICATION",
    "READER_UNAVAILABLE",
    "REMOVED_CARD",
    "RESET_CARD",
    "SERVICE_STOPPED",
    "STATE_CHANGED",
    "STATE_EMPTY",
    "STATE_IGNORE",
    "STATE_MUTE",
    "STATE_PRESENT",
    "STATE_UNAVAILABLE",
    "STATE_UNAWARE",
    "STATE_UNKNOWN",
    "SUCCESS",
    "TIMEOUT",
    "UNKNOWN_READER",
    "UNPOWERED_CARD",
    "UNRESPONSIVE_CARD",
    "PcscError",
    "ReaderState",
    "cancel",
    "connect",
    "disconnect",
    "error_text",
    "establish",
    "get_status_change",
    "list_readers",
    "release",
    "transmit",
]

_M: Any = _s  # one place where the untyped module is used

SUCCESS: Final[int] = int(_M.SCARD_S_SUCCESS)
TIMEOUT: Final[int] = int(_M.SCARD_E_TIMEOUT)
CANCELLED: Final[int] = int(_M.SCARD_E_CANCELLED)
NO_SERVICE: Final[int] = int(_M.SCARD_E_NO_SERVICE)
SERVICE_STOPPED: Final[int] = int(_M.SCARD_E_SERVICE_STOPPED)
INVALID_HANDLE: Final[int] = int(_M.SCARD_E_INVALID_HANDLE)
NO_READERS: Final[int] = int(_M.SCARD_E_NO_READERS_AVAILABLE)
UNKNOWN_READER: Final[int] = int(_M.SCARD_E_UNKNOWN_READER)
READER_UNAVAILABLE: Final[int] = int(_M.SCARD_E_READER_UNAVAILABLE)
NO_SMARTCARD: Final[int] = int(_M.SCARD_E_NO_SMARTCARD)
NOT_TRANSACTED: Final[int] = int(_M.SCARD_E_NOT_TRANSACTED)
COMM_ERROR: Final[int] = int(_M.SCARD_F_COMM_ERROR)
REMOVED_CARD: Final[int] = int(_M.SCARD_W_REMOVED_CARD)
RESET_CARD: Final[int] = int(_M.SCARD_W_RESET_CARD)
UNPOWERED_CARD: Final[int] = int(_M.SCARD_W_UNPOWERED_CARD)
UNRESPONSIVE_CARD: Final[int] = int(_M.SCARD_W_UNRESPONSIVE_CARD)

STATE_UNAWARE: Final[int] = int(_M.SCARD_STATE_UNAWARE)
STATE_IGNORE: Final[int] = int(_M.SCARD_STATE_IGNORE)
STATE_CHANGED: Final[int] = int(_M.SCARD_STATE_CHANGED)
STATE_UNKNOWN: Final[int] = int(_M.SCARD_STATE_UNKNOWN)
STATE_UNAVAILABLE: Final[int] = int(_M.SCARD_STATE_UNAVAILABLE)
STATE_EMPTY: Final[int] = int(_M.SCARD_STATE_EMPTY)
STATE_PRESENT: Final[int] = int(_M.SCARD_STATE_PRESENT)
STATE_MUTE: Final[int] = int(_M.SCARD_STATE_MUTE)

# the pseudo reader whose state changes when readers come and go (pcsc-lite, Windows)
PNP_NOTIFICATION: Final[str] = "\\\\?PnP?\\Notification"

_SCOPE_USER: Final[int] = int(_M.SCARD_SCOPE_USER)
_SHARE_SHARED: Final[int] = int(_M.SCARD_SHARE_SHARED)
_PROTOCOL_T0: Final[int] = int(_M.SCARD_PROTOCOL_T0)
_PROTOCOL_T1: Final[int] = int(_M.SCARD_PROTOCOL_T1)
_LEAVE_CARD: Final[int] = int(_M.SCARD_LEAVE_CARD)


def _hr(value: int) -> int:
    """An hresult as an unsigned 32-bit int (pyscard may hand back either sign)."""
    return int(value) & 0xFFFFFFFF


def error_text(hresult: int) -> str:
    """PC/SC's own wording of an hresult, with its code: 'Service not available. (0x…)'."""
    try:
        text = str(_M.SCardGetErrorMessage(hresult)).strip()
    except Exception:  # an unknown code must not turn into a second error
        text = "unknown PC/SC error"
    return f"{text} (0x{_hr(hresult):08X})"


class PcscError(Exception):
    """A PC/SC call failed; `hresult` says why."""

    def __init__(self, what: str, hresult: int) -> None:
        self.hresult = _hr(hresult)
        super().__init__(f"{what}: {error_text(self.hresult)}")


@dataclass(frozen=True, slots=True)
class ReaderState:
    """One reader's state from SCardGetStatusChange (`event` holds pcsc-lite's counter)."""

    name: str
    event: int
    atr: bytes

    @property
    def flags(self) -> int:
        """The state bits without pcsc-lite's event counter (the high 16 bits)."""
        return self.event & 0xFFFF

    @property
    def counter(self) -> int:
        """pcsc-lite counts insertions and removals in the high 16 bits."""
        return (self.event >> 16) & 0xFFFF


def establish() -> int:
    """A new context: each thread keeps its own (blocking calls are per context)."""
    result = _M.SCardEstablishContext(_SCOPE_USER)
    hresult = _hr(result[0])
    if hresult != SUCCESS:
        raise PcscError("cannot reach pcscd", hresult)
    return int(result[1])


def release(context: int) -> None:
    """Release a context; failures (pcscd already gone) are of no interest."""
    try:
        _M.SCardReleaseContext(context)
    except Exception:  # pyscard raises on a context it no longer knows
        return


def cancel(context: int) -> int:
    """Wake a SCardGetStatusChange blocked on `context` (callable from any thread)."""
    try:
        return _hr(_M.SCardCancel(context))
    except Exception:
        return INVALID_HANDLE


def list_readers(context: int) -> list[str]:
    """The readers pcscd knows now; none is an empty list, not an error."""
    result = _M.SCardListReaders(context, [])
    hresult = _hr(result[0])
    if hresult == NO_READERS:
        return []
    if hresult != SUCCESS:
        raise PcscError("cannot list the readers", hresult)
    return [str(name) for name in result[1]]


def get_status_change(
    context: int, timeout_ms: int, states: list[tuple[str, int]]
) -> tuple[int, list[ReaderState]]:
    """Block until a reader's state differs from `states` or the timeout; (hresult, states)."""
    result = _M.SCardGetStatusChange(context, timeout_ms, states)
    hresult = _hr(result[0])
    found: list[ReaderState] = []
    for item in result[1] or ():
        name, event, atr = item[0], item[1], item[2]
        found.append(ReaderState(str(name), int(event), bytes(b & 0xFF for b in atr or ())))
    return hresult, found


def connect(context: int, reader: str) -> tuple[int, int]:
    """Connect to the card in `reader`, shared, T=0 or T=1: (card handle, protocol)."""
    result = _M.SCardConnect(context, reader, _SHARE_SHARED, _PROTOCOL_T0 | _PROTOCOL_T1)
    hresult = _hr(result[0])
    if hresult != SUCCESS:
        raise PcscError("cannot connect to the card", hresult)
    return int(result[1]), int(result[2])


def disconnect(card: int) -> None:
    """Leave the card as it is (powered); a failure means it is gone anyway."""
    try:
        _M.SCardDisconnect(card, _LEAVE_CARD)
    except Exception:
        return


def transmit(card: int, protocol: int, command: bytes) -> bytes:
    """One exchange: the whole response, data and status word, as the reader gave it."""
    pci = _M.SCARD_PCI_T1 if protocol == _PROTOCOL_T1 else _M.SCARD_PCI_T0
    result = _M.SCardTransmit(card, pci, list(command))
    hresult = _hr(result[0])
    if hresult != SUCCESS:
        raise PcscError("transmit failed", hresult)
    return bytes(b & 0xFF for b in result[1] or ())
