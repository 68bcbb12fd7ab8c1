"""The simulated account gateway: who may charge and the holds on their accounts, as
one `PaymentGateway` (what the backend will be)."""

from __future__ import annotations

from decimal import Decimal

from kiosk.domain.payment import DeclineCode
from kiosk.ports import PaymentGateway
from kiosk.sim.psp import SimulatedAccounts, SimulatedGateway


def test_one_provider_checks_the_card_and_holds_on_the_account() -> None:
    gateway: PaymentGateway = SimulatedGateway(None)
    assert gateway.authorize_token("04A1B2C3D4").allowed
    refused = gateway.authorize_token("04B10C4ED0")
    assert not refused.allowed
    assert refused.code is DeclineCode.BLOCKED
    hold = gateway.authorize(
        idempotency_key="k1", amount=Decimal("100.00"), currency="EUR", reference="S1:s1"
    )
    assert hold.ok
    assert hold.provider_ref is not None
    more = gateway.increment(
        idempotency_key="k2", provider_ref=hold.provider_ref, amount=Decimal("25"), currency="EUR"
    )
    assert more.ok
    taken = gateway.capture(
        idempotency_key="k3",
        provider_ref=hold.provider_ref,
        amount=Decimal("112.40"),
        currency="EUR",
    )
    assert taken.ok
    assert gateway.lookup(idempotency_key="k3") == taken
    assert isinstance(gateway, SimulatedGateway)
    gateway.close()


def test_it_takes_its_own_allow_list() -> None:
    from kiosk.ports import TokenAuthorization

    accounts = SimulatedAccounts({"A1B2C3D4": TokenAuthorization(True, "fleet", "C-1")})
    gateway = SimulatedGateway(None, accounts)
    assert gateway.authorize_token("a1b2c3d4").customer_group == "fleet"
    assert gateway.authorize_token("04A1B2C3D4").code is DeclineCode.UNKNOWN_CARD
    gateway.close()
