"""Payment intents: a QR checkout paid on a phone or an account hold, behind the PSP port."""
