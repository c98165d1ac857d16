"""The control-socket protocol: one JSON object per line each way, one request per connection.

Request:  {"cmd": "status", ...arguments}
Response: {"ok": true, "result": {...}}  or  {"ok": false, "error": "a sentence"}
"""

from __future__ import annotations

import json
from typing import Any

MAX_REQUEST_BYTES = 64 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a request/response of ours."""


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message


def ok(result: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ok": True, "result": result or {}}


def failure(sentence: str) -> dict[str, Any]:
    return {"ok": False, "error": sentence}
