"""Stand-ins for the far side of payments (PSP, account backend) used by the headless simulation, the demo and tests."""
