"""The station runtime: one loop owns the station; devices, the UI and the sync feed it."""
