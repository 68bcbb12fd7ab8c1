"""Backend ingestion benchmark: completed sessions per second through POST /v1/events.

A real PostgreSQL (tests/backend/postgres.py), a real backend process
(`python -m backend.cli serve`, uvicorn) on loopback, and signing clients posting
batches of 500 `session.completed` events, each with an OCPI CDR of several charging
periods and its embedded tariff (assets/tariffs/ac_simple.json), priced beforehand with
kiosk.domain as the kiosk does. The backend stores every event, writes the session,
prices its CDR again and compares. The clock runs from the first request to the last
answer; generating the events is not timed.

Run: .venv/bin/python benchmarks/backend_ingest.py [--sessions N] [--clients C]
Target: at least 1,000 sessions/s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.auth import sign  # noqa: E402
from backend.db import make_engine, migrate  # noqa: E402
from backend.ingest import PricingCache, reprice  # noqa: E402
from backend.stations import add_station  # noqa: E402
from kiosk.domain import jsonio  # noqa: E402
from tests.backend.postgres import start_postgres  # noqa: E402

BATCH = 500
STATION = "DE-KIO-B1"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _event(i: int, tariff: dict[str, Any], cache: PricingCache) -> dict[str, Any]:
    """One completed AC session: 6 periods of 10 minutes at a varying power."""
    session_id = f"{i:08d}-{secrets.token_hex(4)}"
    start = datetime(2026, 12, 1, 6, 0, tzinfo=UTC) + timedelta(minutes=7 * i)
    periods, energy = [], Decimal(0)
    for p in range(6):
        kwh = Decimal(1100 + (i * 37 + p * 211) % 900) / Decimal(1000)
        energy += kwh
        periods.append(
            {
                "start_date_time": _iso(start + timedelta(minutes=10 * p)),
                "dimensions": [
                    {"type": "ENERGY", "volume": kwh},
                    {"type": "TIME", "volume": Decimal(1) / Decimal(6)},
                ],
                "tariff_id": tariff["id"],
            }
        )
    end = start + timedelta(minutes=60)
    cdr: dict[str, Any] = {
        "country_code": "DE",
        "party_id": "EVK",
        "id": session_id.replace("-", ""),
        "start_date_time": _iso(start),
        "end_date_time": _iso(end),
        "session_id": session_id,
        "cdr_token": {"uid": session_id[:32], "type": "AD_HOC_USER", "contract_id": session_id},
        "auth_method": "COMMAND",
        "cdr_location": {"id": "LOC-1", "evse_id": "DE*EVK*E0001", "connector_id": "1"},
        "currency": "EUR",
        "tariffs": [tariff],
        "charging_periods": periods,
        "total_energy": energy,
        "total_time": Decimal(1),
        "last_updated": _iso(end),
    }
    cost = reprice(cdr, "Europe/Berlin", list, cache)
    cdr["total_cost"] = {"excl_vat": cost, "incl_vat": cost}
    token = secrets.token_hex(16)
    return {
        "idempotency_key": f"{session_id}:completed",
        "topic": "session.completed",
        "aggregate_id": session_id,
        "created_at": _iso(end),
        "payload": {
            "session_id": session_id,
            "cost": str(cost),
            "receipt_token": token,
            "session": {
                "id": session_id,
                "connector_id": "1",
                "evse_id": "DE*EVK*E0001",
                "started_at": start.isoformat(),
                "ended_at": end.isoformat(),
                "energy_kwh": str(energy),
                "cost": str(cost),
                "currency": "EUR",
                "stop_reason": "driver",
                "token_type": "AD_HOC_USER",
                "contract_id": None,
                "customer_group": None,
                "payment_method": "qr",
                "payment_ref": f"pi_{secrets.token_hex(10)}",
                "receipt_token": token,
                "tz": "Europe/Berlin",
            },
            "cdr": cdr,
        },
    }


def _post(base: str, secret: str, body: bytes) -> dict[str, Any]:
    path = "/v1/events"
    ts, nonce = int(time.time()), secrets.token_hex(16)
    headers = {
        "X-Station-Id": STATION,
        "X-Timestamp": str(ts),
        "X-Nonce": nonce,
        "X-Signature": sign(secret, "POST", path, ts, nonce, body),
        "Idempotency-Key": secrets.token_hex(16),
        "Content-Type": "application/json",
    }
    r = requests.post(base + path, data=body, headers=headers, timeout=120)
    r.raise_for_status()
    answer: dict[str, Any] = r.json()
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2, help="concurrent posting clients")
    args = parser.parse_args()

    tariff = jsonio.loads((ROOT / "assets" / "tariffs" / "ac_simple.json").read_bytes())
    cache = PricingCache()
    t0 = time.monotonic()
    events = [_event(i, tariff, cache) for i in range(args.sessions)]
    bodies = [
        jsonio.dumps_numbers({"events": events[i : i + BATCH]}).encode()
        for i in range(0, len(events), BATCH)
    ]
    print(f"generated {len(events)} events in {len(bodies)} batches "
          f"({sum(map(len, bodies)) / len(bodies) / 1e6:.2f} MB a batch) "
          f"in {time.monotonic() - t0:.1f} s")  # fmt: skip

    server = start_postgres()
    process = None
    try:
        url = server.create_database("bench")
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as s:
            secret = add_station(s, STATION, name=None, time_zone="Europe/Berlin",
                                 now=datetime.now(UTC))  # fmt: skip
            s.commit()
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it until the end)
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--db", url, "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                log.seek(0)
                print(log.read().decode(errors="replace")[-3000:])
                return 1
            time.sleep(0.1)
        _post(base, secret, jsonio.dumps_numbers({"events": [_event(-1, tariff, cache)]}).encode())

        queue = list(reversed(bodies))
        lock = threading.Lock()
        statuses: dict[str, int] = {}

        def worker() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                answer = _post(base, secret, body)
                with lock:
                    for result in answer["results"]:
                        statuses[result["status"]] = statuses.get(result["status"], 0) + 1

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        with engine.connect() as connection:
            from sqlalchemy import text

            stored = connection.execute(text("SELECT count(*) FROM sessions")).scalar_one()
            mismatches = connection.execute(
                text("SELECT count(*) FROM sessions WHERE price_mismatch")
            ).scalar_one()
        engine.dispose()
        print(f"results: {json.dumps(statuses, sort_keys=True)}; sessions stored {stored - 1}; "
              f"price mismatches {mismatches}")  # fmt: skip
        print(f"ingestion: {len(events) / elapsed:,.0f} sessions/s "
              f"({len(events)} sessions, {args.clients} clients, batches of {BATCH}, "
              f"{elapsed:.2f} s)")  # fmt: skip
        return 0
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
