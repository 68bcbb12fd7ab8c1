"""The station fixture of test_station_service, for every test of the services."""

from tests.kiosk.services.test_station_service import station

__all__ = ["station"]
