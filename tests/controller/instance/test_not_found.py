"""When Aura's 404 proves an instance gone: the confirmation a read's 404 and a DELETE's 404 share
(for a while after a create Aura answers 404 for an instance that exists)."""

from __future__ import annotations

import pytest

from aura_operator.controller.instance.not_found import (
    LISTED_RETRY,
    NOT_FOUND_CONFIRM,
    NOT_FOUND_FIRST_RETRY,
    DeleteAction,
    DeleteDecision,
    after_delete_404,
    confirming_pause,
)


def decide(
    *,
    confirmed_gone: bool = False,
    elapsed: float = 0.0,
    tenant_known: bool = True,
    listed: bool | None = None,
) -> DeleteDecision:
    return after_delete_404(
        confirmed_gone=confirmed_gone, elapsed=elapsed, tenant_known=tenant_known, listed=listed
    )


def test_the_pauses_grow_and_end_exactly_at_the_window() -> None:
    elapsed, pauses = 0.0, []
    while (pause := confirming_pause(elapsed)) is not None:
        pauses.append(pause)
        elapsed += pause

    assert pauses[0] == NOT_FOUND_FIRST_RETRY
    assert pauses == sorted(pauses[:-1]) + pauses[-1:]  # growing, the last one cut to the window
    assert elapsed == NOT_FOUND_CONFIRM
    assert len(pauses) < 10  # not a retry storm


@pytest.mark.parametrize("elapsed", [0.0, 10.0, NOT_FOUND_CONFIRM - 1])
def test_a_delete_404_inside_the_window_keeps_the_finalizer_and_retries_the_delete(
    elapsed: float,
) -> None:
    decision = decide(elapsed=elapsed, listed=False)  # even a listing without it is not enough

    assert decision.action is DeleteAction.RETRY
    assert decision.pause == confirming_pause(elapsed)


def test_after_the_window_the_tenant_is_listed_before_anything_is_released() -> None:
    assert decide(elapsed=NOT_FOUND_CONFIRM).action is DeleteAction.LIST


def test_a_listing_that_shows_the_instance_keeps_the_delete_going() -> None:
    decision = decide(elapsed=NOT_FOUND_CONFIRM + 3600, listed=True)

    assert decision == DeleteDecision(DeleteAction.RETRY, LISTED_RETRY)


def test_404s_through_the_window_and_a_listing_without_it_prove_it_gone() -> None:
    assert decide(elapsed=NOT_FOUND_CONFIRM, listed=False).action is DeleteAction.GONE


def test_an_instance_already_confirmed_gone_is_released_at_the_first_404() -> None:
    assert decide(confirmed_gone=True, elapsed=0.0).action is DeleteAction.GONE


def test_without_a_tenant_to_list_the_window_alone_decides() -> None:
    assert decide(elapsed=10.0, tenant_known=False).action is DeleteAction.RETRY
    assert decide(elapsed=NOT_FOUND_CONFIRM, tenant_known=False).action is DeleteAction.GONE
