"""Process logging: plain text or one JSON object per line, with the structured fields the
Aura client and the engine attach (object, instance id, request id, lane, limiter wait)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Structured fields given as `extra=` (request id, lane, ...); libraries' objects (kopf
        # attaches its whole settings) are left out.
        entry.update(
            {
                k: v
                for k, v in vars(record).items()
                if k not in _STANDARD and isinstance(v, str | int | float | bool | None)
            }
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


# kopf's note after every handler call and every processed cause: routine, and as many lines as
# everything else together. A failure or a retry is logged by kopf at WARNING or above.
_ROUTINE_KOPF = re.compile(
    r"Handler '[^']*' succeeded\.|\w+ is processed: \d+ succeeded; 0 failed\."
)


class RoutineKopfToDebug(logging.Filter):
    """Turns kopf's routine success notes into DEBUG records, dropped unless DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        routine = (
            record.name.startswith("kopf")
            and record.levelno == logging.INFO
            and _ROUTINE_KOPF.fullmatch(record.getMessage()) is not None
        )
        if routine:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def configure_logging(log_format: str, level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RoutineKopfToDebug())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
