"""The password keeper's child process: `python -m supporttray.config.password_child SERVICE
JID [--store | --forget]` prints one JSON object. Reading answers {"password": ...}; storing
(the password comes on stdin, never in argv) and forgetting answer {"done": true}; any failure
{"error": sentence, "sentence": its msgid and parameters}, so the window that asked can show
it in the person's language. See password_source."""

from __future__ import annotations

import json
import sys

from supporttray.config.credentials import CredentialStore
from supporttray.config.password_source import CredentialError
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

STORE = "--store"
FORGET = "--forget"


def main(argv: list[str]) -> int:
    """`SERVICE JID [--store | --forget]` as arguments, one JSON answer on stdout."""
    answer: dict[str, object]
    if len(argv) not in (2, 3) or argv[2:] not in ([], [STORE], [FORGET]):
        answer = _failed(Sentence(N_("The password reader needs a service name and an account.")))
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
            answer = _failed(exc.sentence)
        except ValueError:
            answer = _failed(Sentence(N_("The password reader got an empty account name.")))
    sys.stdout.write(json.dumps(answer))
    return 0


def _failed(sentence: Sentence) -> dict[str, object]:
    # "error" in English as it always was; "sentence" so the parent can translate it.
    return {"error": str(sentence), "sentence": sentence.as_data()}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
