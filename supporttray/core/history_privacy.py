"""Who keeps a conversation and for how long, as one line every chat shows.

From `history.enabled`, `history.retention_days` and whether the server archives messages
(XEP-0313, found by disco; None until known). A Sentence, so the window shows it in the
person's language and logs keep it in English.
"""

from __future__ import annotations

from dataclasses import dataclass

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence


@dataclass(frozen=True)
class Keeping:
    """How a conversation is kept: on this computer (0 days = no limit) and on the server."""

    enabled: bool
    retention_days: int
    server_archives: bool | None


def keeping_sentence(keeping: Keeping) -> Sentence:
    """E.g. "Kept on this computer for 90 days · also in your company's server archive"."""
    if not keeping.enabled:
        here = Sentence(N_("Not kept on this computer"))
    elif keeping.retention_days <= 0:
        here = Sentence(N_("Kept on this computer"))
    elif keeping.retention_days == 1:
        here = Sentence(N_("Kept on this computer for 1 day"))
    else:
        here = Sentence(N_("Kept on this computer for {days} days"),
                        {"days": keeping.retention_days})
    if keeping.server_archives is None:
        server = Sentence(N_("the server's archive: unknown"))
    elif keeping.server_archives:
        server = Sentence(N_("also in your company's server archive"))
    else:
        server = Sentence(N_("not kept in a server archive"))
    return Sentence(N_("{here} · {server}"), {"here": here, "server": server})
