"""Use cases: what the station does for drivers and attendants."""
