"""First contentful paint of the phone's checkout page: a real backend, a real Chromium.

The backend (uvicorn on loopback, a SQLite file, the simulated PSP, a tariff on the
connector) serves a fresh checkout page; headless Chromium loads it at phone size
(390×844, scale 2) in a new browser context each time (cold cache: the CSS and the
script are fetched again) and reads `performance.getEntriesByType('paint')`. Prints the
median and the spread of the loads' first-contentful-paint in ms.

    .venv/bin/python benchmarks/checkout_paint.py [--loads 20]
"""

from __future__ import annotations

import argparse
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.models import Station  # noqa: E402
from backend.payments.service import IntentService  # noqa: E402
from backend.settings import BackendSettings  # noqa: E402
from backend.tariffs import assign, put_tariff  # noqa: E402
from backend.web.records import account_status  # noqa: E402
from kiosk.domain import jsonio  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# the FCP entry, waited for with a buffered observer (it may come after "load")
FCP_JS = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === 'first-contentful-paint') resolve(e.startTime);
    }
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(null), 5000);
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = BackendSettings(
            db_url=f"sqlite:///{Path(tmp) / 'backend.db'}", public_url=f"http://127.0.0.1:{port}"
        )
        app = create_app(settings)
        with app.state.sessions() as s:
            s.add(
                Station(
                    id="S1",
                    secret=secrets.token_hex(16),
                    name="Kiosk",
                    created_at=datetime.now(UTC),
                )
            )
            tariffs = jsonio.loads((ROOT / "assets/tariffs/ac_member_groups.json").read_bytes())
            for tariff in tariffs:
                put_tariff(s, tariff["id"], tariff, datetime.now(UTC))
            assign(s, "S1", "1", [t["id"] for t in tariffs])
            service = IntentService(s, app.state.psp, clock=settings.clock, accounts=account_status)
            body = {"kind": "qr", "connector_id": "1", "amount": "30.00", "currency": "EUR"}
            ids = [
                service.create("S1", {**body, "expires_in_s": 900}).id
                for _ in range(args.loads + 1)
            ]
            s.commit()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        paints: list[float] = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                for i, intent_id in enumerate(ids):
                    context = browser.new_context(
                        viewport={"width": 390, "height": 844}, device_scale_factor=2
                    )
                    page = context.new_page()
                    page.goto(f"{settings.public_url}/checkout/{intent_id}", wait_until="load")
                    fcp = page.evaluate(FCP_JS)
                    context.close()
                    if i > 0:  # the first load warms the server process, not the browser
                        paints.append(float(fcp))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)
    print(
        f"checkout first-contentful-paint: median {statistics.median(paints):.0f} ms "
        f"(min {min(paints):.0f}, max {max(paints):.0f}; {len(paints)} cold loads, 390x844@2)"
    )


if __name__ == "__main__":
    main()
