"""What the sync worker brings in from the backend, applied on the station loop.

The worker (kiosk/sync/worker.py) runs on its own thread and only reports; these are
its reports as the station takes them: the link up or down (offline mode: the QR way
to pay greys out, RFID cards are checked against the offline allow-list, records wait
in the outbox), the clock offset, a new tariff version, the outbox's progress.

A new tariff version is checked as a tariff file is (`kiosk.config.connector_tariffs`)
for every connector before any of it is used: one tariff the station cannot price
refuses the whole version (logged, audited) and the last good one stays. An accepted
version applies to sessions that start from then on (a running session priced with
the tariff it started with: the session keeps its own tariff JSON) and is kept in the
ledger, so a restart uses it rather than the files.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from kiosk.config import ConfigError, Settings, connector_tariffs
from kiosk.domain import jsonio
from kiosk.domain.errors import UserFacingError
from kiosk.domain.payment import DeclineCode, Payment, PaymentMethod, PaymentOperation
from kiosk.domain.session import ChargingSession, StopReason
from kiosk.domain.tariff import Tariff
from kiosk.ports import MobilePay, ProviderResult
from kiosk.services.flow import Flow
from kiosk.services.station_base import _Connector
from kiosk.station import FlowEvent, FlowState

__all__ = ["TARIFFS_KEY", "BackendLink"]

log = logging.getLogger(__name__)

TARIFFS_KEY: Final = "backend_tariffs"  # station_state: {"version": n, "connectors": {...}}
CLOCK_WARN_S: Final = 30.0  # a clock this far off the backend's is logged as a warning


class _Refused(Exception):
    """A remote command the station does not carry out (the reason goes to the backend)."""


class BackendLink(Flow):
    # where a remote command's outcome goes (the sync worker's `command_result`)
    command_results: Callable[[str, str, str, str | None], None] | None = None

    def _load_backend_tariffs(self) -> None:
        """At start: the last tariff version taken from the backend, if any."""
        with self.db.unit_of_work(write=False) as uow:
            kept = uow.station_state.get(TARIFFS_KEY)
        if not isinstance(kept, dict):
            return
        try:
            version = int(kept["version"])
            texts = {str(k): str(v) for k, v in dict(kept["connectors"]).items()}
            self._apply_tariffs(version, texts)
        except (KeyError, TypeError, ValueError, ConfigError) as exc:
            log.warning("the kept backend tariffs cannot be used (%s): the files' apply", exc)

    def backend_state(self, online: bool, detail: str) -> None:
        was = self.backend.get("online")
        self.backend["online"] = online
        self.backend["detail"] = detail
        if isinstance(self.providers.get(PaymentMethod.QR_WEB), MobilePay):
            self.devices["qr"] = "ok" if online else "missing"
        if was == online:
            return
        if online:
            log.info("backend reachable again: online")
        else:
            log.warning("backend unreachable, offline mode: %s", detail)
        with self.db.unit_of_work() as uow:
            uow.audit.append(
                "station",
                "backend.online" if online else "backend.offline",
                "backend",
                {"detail": detail[:200]},
                at=self.now(),
            )
            uow.commit()

    def clock_offset(self, offset_s: float, server_time: datetime) -> None:
        before = self.backend.get("offset_s")
        self.backend["offset_s"] = round(offset_s, 3)
        level = logging.WARNING if abs(offset_s) >= CLOCK_WARN_S else logging.INFO
        if before is None or abs(float(before) - offset_s) >= 1.0:
            log.log(
                level,
                "station clock is %+.3f s off the backend's (backend time %s)",
                -offset_s,
                server_time.isoformat(),
            )

    def outbox_state(self, pending: int, delivered_total: int, last_error: str | None) -> None:
        self.backend["pending"] = pending
        self.backend["delivered"] = delivered_total
        self.backend["outbox_error"] = last_error

    def allow_list_fetched(self, version: int, count: int) -> None:
        self.backend["allow_list_version"] = version
        log.info("offline allow-list version %d: %d cards", version, count)

    def tariffs_fetched(self, version: int, connectors: dict[str, str]) -> None:
        if version == self.backend.get("tariff_version"):
            return
        try:
            self._apply_tariffs(version, connectors)
        except ConfigError as exc:
            log.warning("tariff version %d refused, the last good one kept: %s", version, exc)
            with self.db.unit_of_work() as uow:
                uow.audit.append(
                    "backend",
                    "tariff.refused",
                    f"tariffs:{version}",
                    {"error": str(exc)[:500]},
                    at=self.now(),
                )
                uow.commit()
            return
        with self.db.unit_of_work() as uow:
            uow.station_state.set(
                TARIFFS_KEY, {"version": version, "connectors": dict(connectors)}, at=self.now()
            )
            uow.audit.append(
                "backend",
                "tariff.applied",
                f"tariffs:{version}",
                {"connectors": sorted(connectors)},
                at=self.now(),
            )
            uow.commit()
        log.info("tariff version %d applies to new sessions", version)

    def _apply_tariffs(self, version: int, connectors: dict[str, str]) -> None:
        """Check every connector's list first; then take them all, or none."""
        unknown = sorted(set(connectors) - set(self.connectors))
        if unknown:
            raise ConfigError(f"tariffs for connectors this station does not have: {unknown}")
        checked: dict[str, tuple[Tariff, ...]] = {}
        texts: dict[str, str] = {}
        for cid, text in connectors.items():
            config = self.connectors[cid].config
            found = connector_tariffs(text, config, f"connector {cid}")
            if not found:
                raise ConfigError(f"connector {cid}: an empty tariff list")
            currencies = {t.currency for t in found}
            if len(currencies) != 1:
                raise ConfigError(f"connector {cid}: tariffs in several currencies {currencies}")
            checked[cid] = found
            texts[cid] = jsonio.dumps_numbers(jsonio.loads(text))
        settings: Settings = dataclasses.replace(
            self.settings,
            tariffs={**self.settings.tariffs, **checked},
            tariff_texts={**self.settings.tariff_texts, **texts},
        )
        for cid in checked:
            for method in (PaymentMethod.BANK_CARD, PaymentMethod.ACCOUNT_TOKEN):
                try:
                    settings.tariff_for(cid, method, self.now())  # one applies now
                except UserFacingError as exc:
                    raise ConfigError(f"connector {cid}: {exc}") from None
        self.settings = settings
        for cid, found in checked.items():
            c = self.connectors[cid]
            c.tariffs, c.tariff_text = found, texts[cid]
        self.backend["tariff_version"] = version

    def remote_command(self, command: Any) -> None:
        """A driver signed in on the web app asked to start or stop (docs/backend-api.md,
        remote commands). A start pays by the driver's account, as a contract card would:
        the hold goes to the account gateway; the car is plugged in next (or already)."""
        cid = str(command.connector_id)
        answer = self.command_results
        try:
            c = self._c(cid) if cid in self.connectors else None
            if c is None:
                raise _Refused("no such connector")
            if command.type == "start":
                if not self.method_available(PaymentMethod.ACCOUNT_TOKEN):
                    raise _Refused("account payments are not available now")
                self.select(cid)
                self.choose_payment(cid, PaymentMethod.ACCOUNT_TOKEN)
                self._event(c, FlowEvent.CREDENTIAL, "started in the web app")
                c.remote_start = command.id  # answered with the hold's outcome
                try:
                    self._authorize(
                        c,
                        PaymentMethod.ACCOUNT_TOKEN,
                        None,
                        command.group,
                        contract_id=command.contract_id,
                    )
                except UserFacingError:
                    c.remote_start = None
                    raise
                return
            elif command.type == "stop":
                s = c.session
                if s is None or s.contract_id != command.contract_id:
                    raise _Refused("no session of this account runs on this connector")
                if c.flow.state is FlowState.WAITING_FOR_PLUG:  # no car yet: the hold released
                    self._cancel_before_plug(c, StopReason.REMOTE)
                else:
                    self.stop(cid, StopReason.REMOTE)
                session_id = s.id
            else:
                raise _Refused(f"unknown command {command.type!r}")
        except (UserFacingError, _Refused) as exc:
            log.info("remote %s on connector %s refused: %s", command.type, cid, exc)
            if answer is not None:
                answer(command.id, "rejected", str(exc), None)
            return
        log.info("remote %s on connector %s carried out", command.type, cid)
        if answer is not None:
            answer(command.id, "accepted", "", session_id)

    def _authorized(
        self,
        c: _Connector,
        session: ChargingSession,
        payment: Payment,
        op: PaymentOperation,
        result: ProviderResult,
        group: str | None,
        masked_ref: str | None,
    ) -> bool:
        """A remote start is answered once its hold is placed or refused: the app says
        "charging can start" only when it can, and names the session it started."""
        ok = super()._authorized(c, session, payment, op, result, group, masked_ref)
        command_id, c.remote_start = c.remote_start, None
        if command_id is not None and self.command_results is not None:
            if ok:
                log.info("remote start on connector %s carried out", c.config.id)
                self.command_results(command_id, "accepted", "", session.id)
            else:
                reason = (
                    f"the account hold was refused: {(result.code or DeclineCode.DECLINED).value}"
                    if not result.ok
                    else "cancelled at the station before charging started"
                )
                log.info("remote start on connector %s refused: %s", c.config.id, reason)
                self.command_results(command_id, "rejected", reason, session.id)
        return ok

    def backend_figures(self) -> dict[str, Any]:
        """For the snapshot: online, clock offset, outbox, versions."""
        return dict(self.backend)
