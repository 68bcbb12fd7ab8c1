"""The connector flow's transition table, without a GUI or hardware."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from kiosk.station import (
    _IGNORED,
    TRANSITIONS,
    ConnectorFlow,
    FlowEvent,
    FlowState,
    InvalidTransition,
)
from tests.conftest import ExpectedWarnings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


_TRANSITION_KEYS: list[tuple[FlowState, FlowEvent]] = list(TRANSITIONS)
_IGNORED_KEYS: list[tuple[FlowState, FlowEvent]] = list(_IGNORED)


def _order(key: tuple[FlowState, FlowEvent]) -> tuple[str, str]:
    return (str(key[0].value), str(key[1].value))


_TRANSITION_CASES = sorted(_TRANSITION_KEYS, key=_order)
_IGNORED_CASES = sorted(_IGNORED_KEYS, key=_order)


@pytest.mark.parametrize(("source", "event"), _TRANSITION_CASES)
def test_every_listed_transition(
    source: FlowState, event: FlowEvent, caplog: pytest.LogCaptureFixture
) -> None:
    flow = ConnectorFlow("1", state=source)
    with caplog.at_level(logging.INFO, logger="kiosk.station"):
        transition = flow.handle(event, "test", NOW)
    assert transition is not None
    assert flow.state is TRANSITIONS[(source, event)]
    assert flow.since == NOW
    assert f"on {event.value} (test)" in caplog.text  # every transition is logged with its reason


@pytest.mark.parametrize(("source", "event"), _IGNORED_CASES)
def test_harmless_repeats_change_nothing(source: FlowState, event: FlowEvent) -> None:
    flow = ConnectorFlow("1", state=source)
    assert flow.handle(event, "test", NOW) is None
    assert flow.state is source


def test_ignored_and_transitions_do_not_overlap() -> None:
    assert not set(_IGNORED) & set(TRANSITIONS)


UNKNOWN = [
    (state, event)
    for state in FlowState
    for event in FlowEvent
    if (state, event) not in TRANSITIONS and (state, event) not in _IGNORED
]


@pytest.mark.parametrize(("source", "event"), UNKNOWN[:: max(1, len(UNKNOWN) // 40)])
def test_unknown_pairs_are_bugs_logged_and_raised(
    source: FlowState,
    event: FlowEvent,
    caplog: pytest.LogCaptureFixture,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("no transition for")
    flow = ConnectorFlow("1", state=source)
    with pytest.raises(InvalidTransition):
        flow.handle(event, "test", NOW)
    assert flow.state is source
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_every_state_is_reachable_from_idle_and_can_get_back() -> None:
    graph: dict[FlowState, set[FlowState]] = {}
    for (src, _), dst in TRANSITIONS.items():
        graph.setdefault(src, set()).add(dst)

    def reachable(start: FlowState) -> set[FlowState]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert reachable(FlowState.IDLE) == set(FlowState)
    for state in FlowState:
        assert FlowState.IDLE in reachable(state), f"{state} is a dead end"


def test_the_happy_path() -> None:
    flow = ConnectorFlow("1")
    for event in (
        FlowEvent.SELECT,
        FlowEvent.CHOOSE_PAYMENT,
        FlowEvent.CREDENTIAL,
        FlowEvent.AUTHORIZED,
        FlowEvent.PLUGGED_IN,
        FlowEvent.STOP,
        FlowEvent.UNPLUGGED,
        FlowEvent.RECEIPT_DONE,
    ):
        flow.handle(event, "driver", NOW)
    assert flow.state is FlowState.IDLE
    assert [t.target for t in flow.history][-2:] == [FlowState.RECEIPT, FlowState.IDLE]
