"""The station's use cases: choose, pay, charge, stop, settle, recover.

One `StationService` per kiosk. It owns the connectors' flows and drives the ports
(charger, payment providers, token authorizer) and the store. It is composed of one
class per seam, each in its own module over `station_base.StationBase`: the driver's
actions (flow.py), the meter and the hold's limits (metering.py), the money saga
(money.py), recovery (recovery.py), the attendant's actions (attendant.py), the tick
and timeouts (timeouts.py), the devices' states (device_states.py). Money moves only
through `_authorize` and `_settle`, which follow one pattern: record the operation
with its idempotency key and commit, call the provider, record the answer and
commit, each state change with its outbox and audit rows in the same transaction.

Threading: every method runs on the station loop's thread (kiosk/runtime/loop.py)
and may block on the database, never on a provider: every provider call goes through
the `PaymentRunner`, which runs it on its device's thread and brings the answer back to
the loop (`_authorized`, `_completed`). Meanwhile the connector waits in AUTHORIZING (a
terminal's prompts on its screen, Cancel sent to the terminal as an abort) and the
payment's operation stays pending in the ledger, as after a crash: recovery asks the
provider about its key. Start-up recovery itself calls the providers directly, before
the station takes its first event.

Provider answers are checked, never assumed. Every provider sits behind the boundary
(`provider_boundary.GuardedProvider`: its texts redacted, masked references rebuilt),
and every answer is compared with what the ledger asked for: the amount, the kind of
operation and the reference (`_discrepancies`). A mismatch is recorded as a
`Discrepancy` (table `discrepancies`), audited, sent through the outbox and logged as a
warning, in the transaction that records the answer; the payment then records what
the provider did (its amount captured, a void where it voided), never the kiosk's own
figure. Start-up recovery also asks every provider that can list its open holds for
this station's (`HoldListing`) and voids every hold no unsettled payment owns
(`_sweep_orphan_holds`).

RFID UIDs and stop codes are kept as keyed hashes (`StationKeys.token_hash`): the same
card tapped again, or the stop code typed in, is recognised by comparing hashes.
"""

from __future__ import annotations

from typing import Any

from kiosk.services.attendant import Attendant
from kiosk.services.backend_link import BackendLink
from kiosk.services.recovery import Recovery
from kiosk.services.station_base import (
    RECEIPT_ON_CARD_S,
    RECENT_RECEIPTS_S,
    TERMINAL_PROBE_S,
    CodeAnswer,
    CodeOutcome,
    ConnectorView,
)

__all__ = [
    "RECEIPT_ON_CARD_S",
    "RECENT_RECEIPTS_S",
    "TERMINAL_PROBE_S",
    "CodeAnswer",
    "CodeOutcome",
    "ConnectorView",
    "StationService",
]


class StationService(BackendLink, Attendant, Recovery):
    """The station: every seam over one shared state (station_base.StationBase)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._load_backend_tariffs()  # the last version taken from the backend, if any
