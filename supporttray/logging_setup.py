"""Where the app's log goes: the profile's rotating log file, and warnings on the console.

Its own module so that every entry point (the command line, the demo) sets logging up the
same way without importing each other. The tray app also sends here what would otherwise go
only to a terminal nobody watches: Qt's own warnings, exceptions nothing caught (in a Qt slot
PySide6 hands them to sys.excepthook) and, for a crash Python cannot log, faulthandler's
tracebacks in `crash.log` beside the log.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import threading
from types import TracebackType
from typing import IO, Any

from supporttray.config.paths import Paths

LOG_FILE_BYTES = 1_000_000
LOG_FILE_BACKUPS = 3
# Marks the handlers set up here, so a second setup (tests, the demo) replaces only those.
_OURS = "_supporttray"
CRASH_FILE_NAME = "crash.log"
CRASH_FILE_BYTES = 1_000_000
# faulthandler writes to this file at the crash itself: it must stay open until exit.
_crash_file: IO[str] | None = None


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


def catch_crashes(paths: Paths) -> None:
    """Log exceptions nothing caught (the main thread, Qt slots, other threads), and write the
    tracebacks of a hard crash (a segfault in Qt, an abort) to crash.log in the log directory."""
    global _crash_file
    log = logging.getLogger("supporttray")
    previous = sys.excepthook

    def log_uncaught(kind: type[BaseException], error: BaseException,
                     trace: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            log.critical("uncaught exception", exc_info=(kind, error, trace))
        previous(kind, error, trace)

    def log_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.critical("uncaught exception in thread %s",
                         args.thread.name if args.thread else "?",
                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = log_uncaught
    threading.excepthook = log_thread
    path = paths.log_dir / CRASH_FILE_NAME
    try:
        paths.ensure()
        if path.exists() and path.stat().st_size > CRASH_FILE_BYTES:
            path.replace(path.with_name(CRASH_FILE_NAME + ".1"))
        if _crash_file is not None:
            _crash_file.close()
        _crash_file = path.open("a", encoding="utf-8")
    except OSError as exc:
        log.warning("cannot write %s (%s); a crash goes to the console only", path, exc)
        faulthandler.enable()
        return
    faulthandler.enable(file=_crash_file, all_threads=True)


def route_qt_messages() -> None:
    """Qt's warnings (a missing platform plugin, a bad stylesheet, a D-Bus error) into the log,
    under `supporttray.qt`; the handler before ours (a test's) still sees them."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("supporttray.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}
    previous: Any = None

    def handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = context.category or "qt"
        qt_log.log(levels.get(kind, logging.WARNING), "%s: %s", category, message)
        if previous is not None:
            previous(kind, context, message)

    previous = qInstallMessageHandler(handle)
