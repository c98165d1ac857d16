"""The password reader's child process: `python -m supporttray.config.password_child SERVICE
JID` prints one JSON object, {"password": ...} or {"error": sentence}. See password_source."""

from __future__ import annotations

import json
import sys

from supporttray.config.credentials import CredentialStore
from supporttray.config.password_source import CredentialError


def main(argv: list[str]) -> int:
    """`SERVICE JID` as arguments, one JSON answer on stdout."""
    answer: dict[str, str | None]
    if len(argv) != 2:
        answer = {"error": "The password reader needs a service name and an account."}
    else:
        try:
            answer = {"password": CredentialStore(argv[0]).get(argv[1])}
        except CredentialError as exc:
            answer = {"error": str(exc)}
        except ValueError:
            answer = {"error": "The password reader got an empty account name."}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
