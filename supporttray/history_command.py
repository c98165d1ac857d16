"""`supporttray history [--json] [--with JID] [--search Q] [--since DATE] [--export FILE]`.

Asks the running instance (which reads on a worker thread and may hold the history only in
memory); with none running, reads the profile's history file itself, opened read-only, through
the same functions (app.history_query). Every failure is a sentence and an exit code:
2 for what was typed (a date, a file extension), 1 for a history that cannot be read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from supporttray.app.history_query import (
    DEFAULT_LIMIT,
    HistoryQuery,
    export_history,
    list_history,
    unknown_format_sentence,
)
from supporttray.core.history import HistoryError, HistoryStore
from supporttray.core.text import first_line
from supporttray.core.transcript_export import format_for

EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
# A search or an export of a big history takes a while in the running instance.
ANSWER_TIMEOUT_S: Final = 120.0
_KEY: Final = re.compile(r"[a-z0-9_.-]{1,64}")


class HistoryCommandError(Exception):
    """Ends the command with this sentence on stderr and the given exit code."""

    def __init__(self, sentence: str, code: int = EXIT_FAILED) -> None:
        super().__init__(sentence)
        self.code = code


@dataclass(frozen=True)
class HistoryArgs:
    """The command line's options, checked."""

    query: HistoryQuery
    as_json: bool
    export: Path | None
    redact: tuple[str, ...]


def parse_since(text: str) -> datetime:
    """YYYY-MM-DD (midnight, local time) or an ISO 8601 date-time (local time unless it says
    its offset). HistoryCommandError (exit 2) with a sentence for anything else."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            day = date.fromisoformat(text.strip())
            return datetime(day.year, day.month, day.day).astimezone()
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise HistoryCommandError(
            f"--since {text!r} is not a date: write it as 2026-03-01 or 2026-03-01T14:30 "
            "(or with an offset, 2026-03-01T14:30+01:00)", EXIT_USAGE) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def check_args(*, as_json: bool, with_: str | None, search: str | None, since: str | None,
               export: str | None, redact: str | None, limit: int | None) -> HistoryArgs:
    """The options as typed, checked before anything is read (HistoryCommandError, exit 2)."""
    target = None
    if export is not None:
        target = Path(export).expanduser().resolve()
        if format_for(target) is None:
            raise HistoryCommandError(unknown_format_sentence(target), EXIT_USAGE)
        if search:
            raise HistoryCommandError(
                "--export writes a whole conversation (--with) or a time (--since), not search "
                "hits; leave --search out", EXIT_USAGE)
    keys = tuple(k.strip() for k in (redact or "").split(",") if k.strip())
    bad = [k for k in keys if not _KEY.fullmatch(k)]
    if bad:
        raise HistoryCommandError(
            f"--redact takes system-info field keys such as net.addresses,host.name; "
            f"{bad[0]!r} is not one", EXIT_USAGE)
    if keys and target is None:
        raise HistoryCommandError("--redact applies to --export only", EXIT_USAGE)
    if limit is not None and limit < 0:
        raise HistoryCommandError("--limit takes a number of messages (0 for all)", EXIT_USAGE)
    query = HistoryQuery(with_=with_ or None, search=search or None,
                         since=parse_since(since) if since else None,
                         limit=DEFAULT_LIMIT if limit is None else limit)
    return HistoryArgs(query=query, as_json=as_json, export=target, redact=keys)


def run_history(args: HistoryArgs, *, control_socket: Path, history_file: Path,
                me: str, keeps_history: bool, out: TextIO) -> int:
    """Through the running instance, else from the file; prints the result."""
    from supporttray.ipc.client import NotRunning, request
    from supporttray.ipc.protocol import HistoryRequest, HistoryResult, ProtocolError

    query = args.query
    wire = HistoryRequest(
        with_=query.with_, search=query.search,
        since=query.since.isoformat() if query.since else None,
        export=str(args.export) if args.export else None, redact=args.redact, limit=query.limit,
    ).to_wire()
    try:
        response = request(control_socket, wire, timeout=ANSWER_TIMEOUT_S)
    except NotRunning:
        result = _from_file(args, history_file, me=me, keeps_history=keeps_history)
    except (OSError, ProtocolError) as exc:
        raise HistoryCommandError(f"the running SupportTray did not answer: {exc}") from None
    else:
        if not response.get("ok"):
            raise HistoryCommandError(str(response.get("error") or "the history failed"))
        raw = response.get("result")
        result = HistoryResult.from_wire(raw if isinstance(raw, dict) else {})
    _print(args, result.messages, result.exported, out)
    return 0


def _from_file(args: HistoryArgs, path: Path, *, me: str, keeps_history: bool) -> Any:
    from supporttray.ipc.protocol import HistoryResult

    if not path.exists():
        if not keeps_history:
            raise HistoryCommandError("no chat history is kept on this computer "
                                      "(history.enabled is off)")
        raise HistoryCommandError(f"there is no chat history at {path} yet")
    try:
        store = HistoryStore(path, read_only=True)
        try:
            if args.export is not None:
                return HistoryResult(exported=export_history(
                    store, args.query, args.export, me=me, redact=args.redact))
            return HistoryResult(messages=tuple(list_history(store, args.query, me=me)))
        finally:
            store.close()
    except HistoryError as exc:
        raise HistoryCommandError(str(exc)) from None
    except OSError as exc:
        raise HistoryCommandError(
            f"the export could not be written to {args.export} ({exc.strerror or exc})"
        ) from None


def _print(args: HistoryArgs, messages: tuple[dict[str, Any], ...], exported: int | None,
           out: TextIO) -> None:
    if args.export is not None:
        out.write(f"Exported {exported or 0} message(s) to {args.export}\n")
        return
    if args.as_json:
        json.dump(list(messages), out, ensure_ascii=False)
        out.write("\n")
        return
    for item in messages:
        out.write(format_line(item) + "\n")


def format_line(item: dict[str, Any]) -> str:
    """One readable line: local time, who, the body's first line."""
    when = datetime.fromisoformat(str(item["sent_at"])).astimezone().strftime("%Y-%m-%d %H:%M")
    who = item.get("from") or "me"
    if item.get("kind") == "note":
        who = f"note by {who}"
    return f"{when}  {who}: {first_line(str(item.get('body') or ''))}"
