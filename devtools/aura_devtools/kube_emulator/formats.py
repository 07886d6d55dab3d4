"""The string `format`s the API server checks in custom resources, as far as they are cheap.

Formats not listed here (uri, email, hostname, mac, duration, ...) are accepted as any string.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
from collections.abc import Callable

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# go-openapi's date-time: a calendar date, `T` (any case), then this time of day with a zone.
_TIME_OF_DAY = re.compile(r"(\d{2}):(\d{2}):(\d{2})(.\d+)?(z|[+-]\d{2}:\d{2})", re.ASCII)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def _is_date(text: str) -> bool:
    if _DATE.fullmatch(text) is None:
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_date_time(text: str) -> bool:
    date, separator, rest = text.lower().partition("t")
    time = _TIME_OF_DAY.fullmatch(rest.split("t", 1)[0])
    if not separator or not _is_date(date) or time is None:
        return False
    hours, minutes, seconds = time.group(1, 2, 3)
    return hours <= "23" and minutes <= "59" and seconds <= "59"


def _is_byte(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_ip(version: int) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            return ipaddress.ip_address(text).version == version
        except ValueError:
            return False

    return check


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


def _is_uuid(text: str) -> bool:
    return _UUID.fullmatch(text) is not None


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date-time": _is_date_time,
    "datetime": _is_date_time,
    "date": _is_date,
    "byte": _is_byte,
    "ipv4": _is_ip(4),
    "ipv6": _is_ip(6),
    "cidr": _is_cidr,
    "uuid": _is_uuid,
    "uuid3": _is_uuid,
    "uuid4": _is_uuid,
    "uuid5": _is_uuid,
}


def conforms(text: str, format_name: str) -> bool:
    """Whether `text` is a valid `format_name` (True for formats the emulator does not check)."""
    check = FORMAT_CHECKS.get(format_name)
    return check is None or check(text)
