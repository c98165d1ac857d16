"""The password keeper's child process: `python -m supporttray.config.password_child SERVICE
JID [--store | --forget]` prints one JSON object. Reading answers {"password": ...}; storing
(the password comes on stdin, never in argv) and forgetting answer {"done": true}; any failure
{"error": sentence}. See password_source."""

from __future__ import annotations

import json
import sys

from supporttray.config.credentials import CredentialStore
from supporttray.config.password_source import CredentialError

STORE = "--store"
FORGET = "--forget"


def main(argv: list[str]) -> int:
    """`SERVICE JID [--store | --forget]` as arguments, one JSON answer on stdout."""
    answer: dict[str, str | bool | None]
    if len(argv) not in (2, 3) or argv[2:] not in ([], [STORE], [FORGET]):
        answer = {"error": "The password reader needs a service name and an account."}
    else:
        store = CredentialStore(argv[0])
        try:
            if argv[2:] == [STORE]:
                store.set(argv[1], sys.stdin.read())
                answer = {"done": True}
            elif argv[2:] == [FORGET]:
                store.delete(argv[1])
                answer = {"done": True}
            else:
                answer = {"password": store.get(argv[1])}
        except CredentialError as exc:
            answer = {"error": str(exc)}
        except ValueError:
            answer = {"error": "The password reader got an empty account name."}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
