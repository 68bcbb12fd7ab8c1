"""The reference backend: the HTTP API the kiosks speak (docs/backend-api.md), the
checkout and receipt pages, and the operator's records. It reuses `kiosk.domain` only."""
