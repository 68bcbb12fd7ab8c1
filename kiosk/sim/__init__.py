"""Stand-ins for the far side of payments (a PSP, the account backend).

Used by the headless simulation, the demo and tests.
"""
