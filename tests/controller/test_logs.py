"""The JSON log format: one object per line with the structured fields, nothing bulky."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest

from aura_operator.controller.logs import JsonFormatter, configure_logging


def test_a_json_line_carries_structured_fields_and_leaves_objects_out() -> None:
    record = logging.LogRecord(
        "aura_operator.aura", logging.INFO, "f", 1, "aura %s", ("GET",), None
    )
    record.request_id = "rid-1"
    record.limiter_wait_ms = 3.5
    record.settings = object()  # kopf attaches its settings object to its records

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "aura GET"
    assert (entry["request_id"], entry["limiter_wait_ms"]) == ("rid-1", 3.5)
    assert "settings" not in entry


@pytest.fixture
def process_log() -> Iterator[Callable[[str], io.StringIO]]:
    """configure_logging as `aura-operator run` calls it, writing to a buffer."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)

    def configure(level: str) -> io.StringIO:
        configure_logging("text", level)
        buffer = io.StringIO()
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
        return buffer

    yield configure
    root.handlers[:], root.level = saved


ROUTINE = [
    "Handler 'aurainstance-watched' succeeded.",
    "Creation is processed: 1 succeeded; 0 failed.",
    "Resuming is processed: 1 succeeded; 0 failed.",
]


def test_kopfs_routine_success_notes_stay_out_of_an_info_log(
    process_log: Callable[[str], io.StringIO],
) -> None:
    buffer = process_log("INFO")
    kopf_objects = logging.getLogger("kopf.objects")
    for message in ROUTINE:
        kopf_objects.info(message)
    kopf_objects.info("Creation is processed: 0 succeeded; 1 failed.")
    kopf_objects.error("Handler 'aurainstance-created' failed with an exception. Will retry.")
    logging.getLogger("aura_operator.controller").info("Handler 'mine' succeeded.")

    lines = buffer.getvalue().splitlines()
    assert not any(message in line for message in ROUTINE for line in lines)
    assert [line.split(": ", 1)[1] for line in lines] == [
        "Creation is processed: 0 succeeded; 1 failed.",
        "Handler 'aurainstance-created' failed with an exception. Will retry.",
        "Handler 'mine' succeeded.",
    ]


def test_a_debug_log_keeps_them_as_debug_lines(process_log: Callable[[str], io.StringIO]) -> None:
    buffer = process_log("DEBUG")
    logging.getLogger("kopf.objects").info(ROUTINE[0])
    assert f"DEBUG   kopf.objects: {ROUTINE[0]}" in buffer.getvalue()
