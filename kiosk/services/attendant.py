"""What an attendant does to the station: a connector out of service and back."""

from __future__ import annotations

import logging

from kiosk.services.station_base import (
    StationBase,
)
from kiosk.station import FlowEvent

__all__ = ["Attendant"]

log = logging.getLogger(__name__)


class Attendant(StationBase):
    def set_out_of_service(self, connector_id: str, out: bool, actor: str) -> None:
        c = self._c(connector_id)
        with self.db.unit_of_work() as uow:
            uow.station_state.set(
                f"out_of_service:{connector_id}", "1" if out else "0", at=self.now()
            )
            uow.audit.append(
                actor,
                "connector.out_of_service" if out else "connector.in_service",
                connector_id,
                {},
                at=self.now(),
            )
            uow.commit()
        self._event(c, FlowEvent.OUT_OF_SERVICE if out else FlowEvent.IN_SERVICE, f"by {actor}")
