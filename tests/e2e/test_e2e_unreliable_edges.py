"""The operator against Aura's unreliable edges (issue 11): eventual consistency after a
create, creates that commit long after the client gave up, skewed clocks, gateway pages."""

from __future__ import annotations

import pytest
from e2e_harness import Harness, condition

pytestmark = pytest.mark.e2e


async def test_a_gateway_page_without_a_request_id_is_reported_as_such(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    await operator.wait_ready("movies")
    await operator.faults(
        gateway_error_html=True, error_rate=1.0, error_codes=[502], error_methods=["PATCH"]
    )

    await operator.patch_spec("movies", {"memory": "4GB"})
    obj = await operator.wait("movies", lambda o: condition(o, "Synced").get("status") == "False")

    message = condition(obj, "Synced")["message"]
    assert "no request id" in message
    assert "None" not in message
    assert obj["status"]["lastRequestId"]  # the last id Aura gave is kept, never "None"
    assert obj["status"]["lastRequestId"] != "None"
    event = await operator.wait_event("movies", "AuraWriteFailed")
    assert "no request id" in event["message"]
