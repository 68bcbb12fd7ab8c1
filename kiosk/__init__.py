"""The kiosk core: domain, use cases, storage and sync. Pure Python, no Qt."""
