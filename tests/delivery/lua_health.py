"""Runs an Argo CD Lua health check the way Argo CD does (gopher-lua, a Lua 5.1).

Argo CD gives custom health checks only the base, table and package libraries and a safe `os`
(time, date, clock); no `string` library, and strings carry no methods. The sandbox below
removes the rest, so a check that leans on them fails here as it would in Argo CD.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lupa.lua51 import LuaRuntime  # type: ignore[import-untyped]

_SANDBOX = """
debug.setmetatable("", nil)
os = {time = os.time, date = os.date, clock = os.clock}
string, io, math, debug, coroutine, load, loadstring, dofile, loadfile = nil
"""


@dataclass(frozen=True)
class HealthStatus:
    status: str
    message: str


def run_health_check(script: str, obj: dict[str, Any]) -> HealthStatus:
    """Evaluate `script` with the global `obj` set to the resource, as Argo CD does."""
    lua = LuaRuntime(register_eval=False, register_builtins=False)
    lua.execute(_SANDBOX)
    lua.globals().obj = lua.table_from(_without_nulls(obj), recursive=True)
    result = lua.execute(script)
    if result is None:
        raise AssertionError("the health check returned nothing; Argo CD needs a table")
    return HealthStatus(status=str(result["status"]), message=str(result["message"] or ""))


def _without_nulls(value: Any) -> Any:
    # JSON null arrives in Lua as nil, i.e. as an absent key.
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value
