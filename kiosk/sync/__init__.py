"""The kiosk's side of the backend API (docs/backend-api.md): client, outbox relay, sync worker,
account gateway with the offline allow-list, and QR checkout. Import the modules you need."""
