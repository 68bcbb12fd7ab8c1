"""A real PostgreSQL server for tests and benchmarks: started once, one database a test.

The server binaries are in /usr/lib/postgresql/15/bin (shared/TEST-INFRA.md); initdb and
postgres refuse root, so as root they run as the `postgres` user through setpriv
(which execs: the child's pid is the postmaster's). Stopped with SIGINT (fast shutdown).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(os.environ.get("KIOSK_PG_BIN", "/usr/lib/postgresql/15/bin"))
READY_TIMEOUT_S = 30.0


def unavailable_reason() -> str | None:
    """Why PostgreSQL cannot be started here, or None."""
    for tool in ("initdb", "postgres"):
        if not (BIN / tool).is_file():
            return f"PostgreSQL is not installed ({BIN / tool} is missing)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
        if shutil.which("setpriv") is None:
            return "setpriv is missing (util-linux)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A fresh database (empty, or a copy of `template`); returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            copy = f' TEMPLATE "{template}"' if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def database_name(self, url: str) -> str:
        return url.rsplit("/", 1)[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    user = pwd.getpwnam("postgres")
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        *command,
    ]


def start_postgres() -> PostgresServer:
    """Init a cluster in a temp dir and start it on a free loopback port."""
    reason = unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o700)
    init = subprocess.run(
        _as_postgres(
            [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.decode(errors='replace')[-2000:]}")
    port = _free_port()
    log_path = root / "postgres.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        _as_postgres(
            [
                str(BIN / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=64MB",
            ]
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = PostgresServer(root, port, process, log_path)
    deadline = time.monotonic() + READY_TIMEOUT_S
    import psycopg

    while True:
        if process.poll() is not None:
            text = log_path.read_text(errors="replace")[-2000:]
            server.stop()
            raise RuntimeError(f"postgres exited: {text}")
        try:
            with psycopg.connect(
                f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=2
            ):
                return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("postgres did not get ready in time") from None
            time.sleep(0.1)
