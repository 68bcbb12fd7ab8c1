"""The demo's provisioning: what an operator does for a new station, in one call.

`kiosk demo` runs the backend in-process (ui/demo_backend.py) and provisions it here:
the station with a secret of its own (kept when it exists: the demo's ledger and the
backend stay paired across restarts), its connectors (the kiosk's labels and EVSE ids)
with each one's tariff list, the demo's RFID
cards (allowed offline, so the offline mode can be tried) and one account to sign in
with in the web app.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from backend.connectors import ConnectorSpec, put_connectors
from backend.models import Account, Station, Token
from backend.tariffs import set_connector_tariffs
from backend.tokens import bump_allow_list
from backend.web.app_auth import hash_password
from kiosk.domain import jsonio

__all__ = ["provision_demo"]


def provision_demo(app: FastAPI, station: dict[str, Any], account: tuple[str, str]) -> str:
    """Provision `station` ({id, name, connectors: {id: {label, evse_id, tariffs}},
    tokens}); its secret."""
    now = datetime.now(UTC)
    with app.state.sessions() as session:
        found = session.get(Station, station["id"])
        if found is None:
            found = Station(
                id=station["id"],
                secret=secrets.token_urlsafe(32),
                name=station["name"],
                created_at=now,
                tariff_version=0,
            )
            session.add(found)
            session.flush()
        specs = [
            ConnectorSpec(cid, c["label"], c.get("evse_id") or None)
            for cid, c in station["connectors"].items()
        ]
        put_connectors(session, found.id, specs)
        for cid, connector in station["connectors"].items():
            set_connector_tariffs(session, found.id, cid, jsonio.loads(connector["tariffs"]), now)
        email, password = account
        holder = session.execute(select(Account).where(Account.email == email)).scalar_one_or_none()
        tokens: dict[str, dict[str, Any]] = station["tokens"]
        first = next(iter(tokens.values()), None)
        if holder is None and first is not None and first["contract_id"]:
            holder = Account(
                id=f"acc_{uuid.uuid4().hex[:20]}",
                email=email,
                name="Demo Driver",
                password_hash=hash_password(password),
                contract_id=first["contract_id"],
                customer_group=first["group"],
                blocked=False,
                created_at=now,
            )
            session.add(holder)
            session.flush()
        for uid, t in tokens.items():
            if session.get(Token, uid) is not None:
                continue
            session.add(
                Token(
                    uid=uid,
                    contract_id=t["contract_id"] or f"DE-KIO-X{uid[-6:]}",
                    customer_group=t["group"],
                    whitelist="ALLOWED_OFFLINE" if t["valid"] else "NEVER",
                    valid=bool(t["valid"]),
                    expires_at=None,
                    account_id=holder.id
                    if holder is not None and t["contract_id"] == holder.contract_id
                    else None,
                    updated_at=now,
                )
            )
        bump_allow_list(session)
        session.commit()
        return str(found.secret)
