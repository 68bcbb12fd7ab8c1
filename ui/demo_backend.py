"""The demo's backend: the reference backend in this process, on loopback, with SQLite.

`kiosk demo` runs it so that the QR code on the screen opens a real checkout page a
browser on this machine can pay (http://127.0.0.1:<port>/checkout/...), the outbox
is delivered, and the e-receipt links work. It is provisioned like an operator
would: this station with its own secret, its connectors' tariffs, the demo's RFID
cards and one account (demo@example.org, password "demo"). The developer panel can
take it away ("Go offline") and bring it back, as a network outage would.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.config import Settings

__all__ = ["DEMO_ACCOUNT", "EmbeddedBackend"]

log = logging.getLogger(__name__)

DEMO_ACCOUNT = ("demo@example.org", "demo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedBackend:
    """The backend app served by uvicorn on a thread of its own."""

    def __init__(self, database: Path, port: int = 0) -> None:
        self.database = database
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._app: Any = None

    def _build(self) -> Any:
        from backend.app import create_app  # noqa: PLC0415 - the demo only
        from backend.settings import BackendSettings  # noqa: PLC0415

        return create_app(
            BackendSettings(
                db_url=f"sqlite:///{self.database}",
                public_url=self.url,
                cookie_secret=secrets.token_bytes(32),
                clock=lambda: datetime.now(UTC),
            )
        )

    def start(self) -> str:
        """Serve (migrations applied); returns the base URL once it answers."""
        import uvicorn  # noqa: PLC0415

        if self._app is None:
            self._app = self._build()
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # longer than the demo's 5 s heartbeat: a server closing an idle connection
            # just as the kiosk reuses it resets the request (retried, but a warning)
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # not the main thread
        self._thread = threading.Thread(target=self._server.run, name="demo-backend", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the demo backend did not start on {self.url}")
            time.sleep(0.02)
        log.info("demo backend on %s", self.url)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    def sessions(self) -> Any:
        """A database session of the backend (the tests read what arrived)."""
        if self._app is None:
            self._app = self._build()
        return self._app.state.sessions()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_outage(self, down: bool) -> None:
        """The developer panel's "Go offline": the backend goes away, then comes back."""
        if down and self.running:
            log.info("demo backend stopped: an outage")
            self.stop()
        elif not down and not self.running:
            self.start()

    def pay(self, checkout_url: str, card: str = "visa-ok") -> None:
        """The developer panel's "QR checkout paid": the checkout page's form posted, as
        the phone would, on a thread of its own (the backend then tells the station)."""

        def post() -> None:
            import requests  # noqa: PLC0415

            try:
                answer = requests.post(
                    f"{checkout_url}/pay",
                    data={"method": card, "attempt": secrets.token_hex(16)},
                    timeout=(3.05, 10),
                    allow_redirects=False,
                )
                log.info("demo: the QR checkout paid with %s: HTTP %d", card, answer.status_code)
            except requests.RequestException as exc:
                log.warning("demo: the QR checkout could not be paid: %s", exc)

        threading.Thread(target=post, name="demo-pay-qr", daemon=True).start()

    def provision(self, settings: Settings) -> str:
        """This station, its tariffs, the demo cards and account; returns its secret."""
        from backend.demo import provision_demo  # noqa: PLC0415

        if self._app is None:
            self._app = self._build()
        return provision_demo(self._app, settings_station(settings), DEMO_ACCOUNT)


def settings_station(settings: Settings) -> dict[str, Any]:
    """What the backend needs to know of this station to serve it."""
    from ui.demo_wiring import demo_tokens  # noqa: PLC0415

    return {
        "id": settings.station.id,
        "name": settings.station.name,
        "connectors": {
            c.id: {"evse_id": c.evse_id, "label": c.label, "tariffs": settings.tariff_texts[c.id]}
            for c in settings.connectors
        },
        "tokens": demo_tokens(),
    }


def with_backend(settings: Settings) -> tuple[Settings, EmbeddedBackend]:
    """The demo station on its own backend: provisioned, served, and named in a
    `[backend]` with accounts and QR pay through it (its secret in a file beside the
    ledger, as an operator's station has it)."""
    import dataclasses  # noqa: PLC0415

    from kiosk.config import demo_config_text, load_settings_text  # noqa: PLC0415
    from kiosk.paths import assets_dir  # noqa: PLC0415

    base = settings.database
    backend = EmbeddedBackend(base.with_name(f"{base.name}.backend.sqlite"))
    secret = backend.provision(settings)
    url = backend.start()
    secret_file = base.with_name(f"{base.name}.backend-secret")
    secret_file.write_text(secret + "\n", encoding="utf-8")
    secret_file.chmod(0o600)
    text = demo_config_text(
        "[devices]\n"
        'charger = "simulated"\n'
        'accounts = "backend"\n'
        'qr = "backend"\n'
        'reader = { driver = "simulated" }\n'
        'terminal = { driver = "simulated" }\n'
        "\n[backend]\n"
        f'url = "{url}"\n'
        f'secret_file = "{secret_file}"\n'
        "heartbeat_s = 5\n"
    )
    with_link = load_settings_text(text, assets_dir(), base)
    return dataclasses.replace(with_link, e_receipt_base_url=f"{url}/r/"), backend
