"""Money, tariffs, pricing and the session and payment aggregates."""
