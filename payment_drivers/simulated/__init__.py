"""In-process stand-ins for what no kiosk developer has locally: a card scheme, a PSP."""
