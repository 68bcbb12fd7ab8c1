"""How fast the outbox relay drains a backlog after an outage, into the real backend.

A kiosk ledger (SQLite file) with N queued `session.completed` records of about 3 KB
each (the session and its OCPI CDR), the reference backend (`backend.app.create_app`
on SQLite, served by uvicorn on loopback, HMAC and idempotency as in production), and
the relay draining everything. Prints records/s and the total time.

    .venv/bin/python benchmarks/outbox_drain.py [--records 5000] [--batch 100]
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STATION = "DE-KIO-S1"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _token(kind: str, i: int) -> str:
    return hashlib.sha256(f"{kind}:{i}".encode()).hexdigest()[:32]


def cdr_payload(i: int) -> dict[str, Any]:
    """A completed session and its CDR, shaped as the kiosk sends them (about 3 KB)."""
    session_id = str(uuid.UUID(int=i + 1))
    start = T0 + timedelta(minutes=7 * i)
    end = start + timedelta(minutes=47)
    energy = Decimal("18.431") + Decimal(i % 50) / 10
    cost = (energy * Decimal("0.39")).quantize(Decimal("0.01"))
    periods = [
        {
            "start_date_time": (start + timedelta(minutes=5 * p))
            .isoformat()
            .replace("+00:00", "Z"),
            "dimensions": [
                {"type": "ENERGY", "volume": str(energy / 8)},
                {"type": "TIME", "volume": "0.0833"},
                {"type": "MAX_POWER", "volume": "22.000"},
                {"type": "MIN_CURRENT", "volume": "30.1"},
            ],
            "tariff_id": "AC-TOU",
        }
        for p in range(8)
    ]
    return {
        "session": {
            "id": session_id,
            "connector_id": str(1 + i % 2),
            "evse_id": f"DE*KIO*E{1 + i % 2}",
            "started_at": start.isoformat().replace("+00:00", "Z"),
            "ended_at": end.isoformat().replace("+00:00", "Z"),
            "energy_kwh": str(energy),
            "cost": str(cost),
            "currency": "EUR",
            "stop_reason": "driver",
            "token_type": "AD_HOC_USER",
            "contract_id": None,
            "customer_group": None,
            "payment_method": "bank_card",
            "payment_ref": f"terminal-{_token('ref', i)}",
            "receipt_token": _token("receipt", i),
            "tz": "Europe/Berlin",
        },
        "cdr": {
            "country_code": "DE",
            "party_id": "KIO",
            "id": session_id,
            "start_date_time": start.isoformat().replace("+00:00", "Z"),
            "end_date_time": end.isoformat().replace("+00:00", "Z"),
            "currency": "EUR",
            "cdr_token": {"uid": "AD-HOC", "type": "AD_HOC_USER", "contract_id": "AD-HOC"},
            "auth_method": "COMMAND",
            "cdr_location": {
                "id": STATION,
                "address": "Hauptstrasse 1",
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DEU",
                "coordinates": {"latitude": "52.520008", "longitude": "13.404954"},
                "evse_uid": f"E{1 + i % 2}",
                "evse_id": f"DE*KIO*E{1 + i % 2}",
                "connector_id": str(1 + i % 2),
                "connector_standard": "IEC_62196_T2",
                "connector_format": "SOCKET",
                "connector_power_type": "AC_3_PHASE",
            },
            "charging_periods": periods,
            "total_cost": {
                "excl_vat": str((cost / Decimal("1.19")).quantize(Decimal("0.01"))),
                "incl_vat": str(cost),
            },
            "total_energy": str(energy),
            "total_time": "0.7833",
            "last_updated": end.isoformat().replace("+00:00", "Z"),
        },
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_backend(folder: Path) -> tuple[str, str, Any]:
    """The reference backend on loopback; (url, station secret, server)."""
    import uvicorn

    from backend.app import create_app
    from backend.settings import BackendSettings
    from backend.stations import add_station

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(BackendSettings(db_url=f"sqlite:///{folder / 'backend.db'}", public_url=url))
    with app.state.sessions() as session:
        secret = add_station(session, STATION, name=None, time_zone="Europe/Berlin", now=T0)
        session.commit()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the backend did not start")
        time.sleep(0.05)
    return url, secret, (server, thread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    from kiosk.domain import jsonio
    from kiosk.store import open_database
    from kiosk.sync.client import BackendClient
    from kiosk.sync.relay import OutboxRelay

    with tempfile.TemporaryDirectory(prefix="outbox-drain-") as tmp:
        folder = Path(tmp)
        url, secret, (server, thread) = serve_backend(folder)
        db = open_database(folder / "kiosk.db")
        sizes = 0
        queued = time.perf_counter()
        with db.unit_of_work() as uow:
            for i in range(args.records):
                payload = jsonio.dumps_numbers(cdr_payload(i))
                sizes += len(payload)
                session_id = str(uuid.UUID(int=i + 1))
                uow.outbox.add("session.completed", session_id, payload, f"{session_id}:completed")
            uow.commit()
        queued = time.perf_counter() - queued
        client = BackendClient(url, STATION, secret, read_timeout_s=60)
        relay = OutboxRelay(db, client, batch=args.batch)
        started = time.perf_counter()
        result = relay.drain()
        elapsed = time.perf_counter() - started
        db.close()
        client.close()
        server.should_exit = True
        thread.join(10)
    if result.pending or result.delivered != args.records:
        raise SystemExit(f"not all delivered: {result}")
    print(
        f"outbox drain: {args.records} records of {sizes / args.records / 1024:.1f} KB"
        f" (session + CDR), batch {args.batch}, to the reference backend (SQLite, uvicorn,"
        f" loopback)"
    )
    print(f"  queued in {queued:.2f} s; rejected by the backend: {result.rejected}")
    print(f"  drained in {elapsed:.2f} s: {args.records / elapsed:.0f} records/s")


if __name__ == "__main__":
    main()
