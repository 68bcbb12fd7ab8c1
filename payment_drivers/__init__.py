"""Hardware adapters (PC/SC readers, payment terminals, QR pay) for the kiosk's ports."""
