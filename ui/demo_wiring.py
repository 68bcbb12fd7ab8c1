"""The simulators, for the demo and for a configuration that names them: the one
module of `ui` that may import them (tests/test_architecture.py)."""

from __future__ import annotations

import logging
import random
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.charger.simulator import SimulatedCharger, spec_for
from kiosk.charger.vehicles import MIDSIZE_400V, PERFORMANCE_800V
from kiosk.config import Settings
from kiosk.domain.payment import PaymentMethod
from kiosk.sim.psp import TEST_TOKENS, SimulatedGateway, SimulatedPsp
from kiosk.sim.zvt_terminal import ZvtSimulator

__all__ = ["charger", "demo_tokens", "developer_action", "gateway", "psp", "zvt_simulator"]

log = logging.getLogger(__name__)


def charger(settings: Settings, start: datetime) -> SimulatedCharger:
    """A physically plausible charger and cars, one meter sample a second."""
    return SimulatedCharger(
        [spec_for(c) for c in settings.connectors],
        start=start,
        rng=random.Random(),  # noqa: S311 - physics noise
        meter_interval_s=1,
    )


def _psp_file(settings: Settings, method: PaymentMethod) -> Path:
    """Beside the ledger: a PSP outlives the kiosk, and its files go with the ledger's."""
    base = settings.database
    return base.with_name(f"{base.name}.psp-{method.value}.sqlite")


def psp(settings: Settings, method: PaymentMethod) -> SimulatedPsp:
    """The far side of a payment, durable beside the ledger."""
    return SimulatedPsp(_psp_file(settings, method), method.value)


def gateway(settings: Settings) -> SimulatedGateway:
    """RFID contract accounts: the allow-list and the holds on the accounts, one provider."""
    return SimulatedGateway(_psp_file(settings, PaymentMethod.ACCOUNT_TOKEN))


def demo_tokens() -> dict[str, dict[str, Any]]:
    """The demo's RFID cards, for its backend: uid -> contract, group, valid."""
    return {
        uid: {"contract_id": t.contract_id, "group": t.customer_group, "valid": t.allowed}
        for uid, t in TEST_TOKENS.items()
    }


def zvt_simulator(state: Path) -> ZvtSimulator:
    """A ZVT terminal on loopback that waits for a person to present a card (the
    developer panel's card buttons), so the demo drives the real ZVT driver over TCP."""
    # a second a step, as a real terminal takes: the driver sees "Enter PIN" and the rest
    sim = ZvtSimulator(no_card_timeout_s=110.0, state_path=state, step_delay_s=1.0)
    sim.wait_for_card = True
    port = sim.start()
    log.info("ZVT terminal simulator on 127.0.0.1:%d", port)
    return sim


def developer_action(charger: object, settings: Settings, cid: str, what: str) -> None:
    """The developer panel: a car arrives or leaves, a fault comes or goes."""
    if not isinstance(charger, SimulatedCharger):
        log.info("developer panel: %s ignored, the charger is not simulated", what)
        return
    if what == "plug":
        dc = settings.connector(cid).power_type == "DC"
        charger.arrive(cid, PERFORMANCE_800V if dc else MIDSIZE_400V, 25, 80)
    elif what == "unplug":
        charger.depart(cid)
    elif what == "fault":
        charger.inject_fault(cid, "residual current detected")
    else:
        charger.clear_fault(cid)
