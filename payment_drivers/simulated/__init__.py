"""In-process stand-ins for hardware no developer has on the desk: card reader, terminal."""
