"""`supporttray send` on the control socket: the one command that answers with more than one line.

Request:  {"cmd": "send", "to": JID, "path": "/abs/file", "message": str}
Progress: {"progress": {"done": int, "total": int, "bytes_per_second": float,
                        "seconds_left": float|null}}  (any number of lines, POSIX socket only)
Response: {"ok": true, "result": {"url", "name", "size", "media_type", "sha256", "message_id"}}
          or {"ok": false, "error": "a sentence"}
Kept apart from ipc/protocol.py because it streams; shared by cli/send_command.py and
ipc/commands.py as every other request is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class SendRequest:
    cmd: ClassVar[str] = "send"
    to: str
    path: str  # absolute: the instance may run in another directory
    message: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "to": self.to, "path": self.path, "message": self.message}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> SendRequest:
        return cls(to=str(message.get("to") or ""), path=str(message.get("path") or ""),
                   message=str(message.get("message") or ""))


@dataclass(frozen=True)
class SendProgress:
    done: int
    total: int
    bytes_per_second: float
    seconds_left: float | None

    def to_wire(self) -> dict[str, Any]:
        return {"progress": {"done": self.done, "total": self.total,
                             "bytes_per_second": self.bytes_per_second,
                             "seconds_left": self.seconds_left}}

    @classmethod
    def from_wire(cls, line: Mapping[str, Any]) -> SendProgress | None:
        """The progress a line carries, or None for a line that is not progress."""
        progress = line.get("progress")
        if not isinstance(progress, Mapping):
            return None
        left = progress.get("seconds_left")
        return cls(done=int(progress.get("done") or 0), total=int(progress.get("total") or 0),
                   bytes_per_second=float(progress.get("bytes_per_second") or 0.0),
                   seconds_left=float(left) if isinstance(left, int | float) else None)


@dataclass(frozen=True)
class SendResult:
    url: str
    name: str
    size: int
    media_type: str
    sha256: str
    message_id: str

    def to_wire(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name, "size": self.size,
                "media_type": self.media_type, "sha256": self.sha256,
                "message_id": self.message_id}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> SendResult:
        return cls(url=str(result.get("url") or ""), name=str(result.get("name") or ""),
                   size=int(result.get("size") or 0),
                   media_type=str(result.get("media_type") or ""),
                   sha256=str(result.get("sha256") or ""),
                   message_id=str(result.get("message_id") or ""))
