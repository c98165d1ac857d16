"""Where the app's log goes: the profile's rotating log file, and warnings on the console.

Its own module so that every entry point (the command line, the demo) sets logging up the
same way without importing each other.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys

from supporttray.config.paths import Paths

LOG_FILE_BYTES = 1_000_000
LOG_FILE_BACKUPS = 3
# Marks the handlers set up here, so a second setup (tests, the demo) replaces only those.
_OURS = "_supporttray"


def setup_logging(paths: Paths, *, console_level: int = logging.WARNING) -> None:
    """Log to the profile's log file; never message bodies or passwords (slixmpp stays quiet)."""
    teardown_logging()  # a second setup (tests, the demo) replaces the first
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        paths.ensure()
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS,
            encoding="utf-8",
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    except OSError as exc:
        print(f"supporttray: cannot write the log file ({exc}); logging to the console only",
              file=sys.stderr)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("supporttray: %(message)s"))
    setattr(console, _OURS, True)
    root.addHandler(console)
    # slixmpp logs whole stanzas (message bodies, SASL exchanges) at DEBUG; keep it at WARNING.
    logging.getLogger("slixmpp").setLevel(logging.WARNING)


def teardown_logging() -> None:
    """Close the handlers setup_logging added (before their directory goes away)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()
