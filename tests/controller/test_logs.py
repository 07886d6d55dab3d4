"""The JSON log format: one object per line with the structured fields, nothing bulky."""

from __future__ import annotations

import json
import logging

from aura_operator.controller.logs import JsonFormatter


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
