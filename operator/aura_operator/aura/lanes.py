"""Priority lanes of the Aura request budget."""

from __future__ import annotations

import enum


class Lane(enum.Enum):
    """Who is asking. Lanes are served in declaration order (intent first)."""

    INTENT = "intent"
    """User-driven writes and deletes on existing instances."""
    CREATE = "create"
    """Instance creation."""
    BACKGROUND = "background"
    """Status polls, drift checks and start-up reads."""


LANES_BY_PRIORITY: tuple[Lane, ...] = (Lane.INTENT, Lane.CREATE, Lane.BACKGROUND)
