"""The fake backend and the fault proxy in front of it, for every sync test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kiosk.sync.fake_backend import FakeBackend
from tests.kiosk.sync.fault_proxy import FaultProxy


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    with FakeBackend() as backend:
        yield backend


@pytest.fixture
def proxy(fake: FakeBackend) -> Iterator[FaultProxy]:
    with FaultProxy(fake.port) as p:
        yield p
