"""The `supporttray` command line (a contract: IT scripts rely on it; see ../shared/DESIGN.md).

Every failure ends as one sentence on stderr and a non-zero exit code, never a traceback:
1 = failed, 2 = bad usage or configuration, 3 = no running instance (`status`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from supporttray import APP_NAME, __version__

if TYPE_CHECKING:
    from supporttray.ipc.protocol import Request

log = logging.getLogger("supporttray")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_RUNNING = 3
PRESENCE_CHOICES = ("available", "away", "busy", "offline")
# A second `run` waits this long for a first one that holds the profile but does not answer
# yet (it may be loading Qt and the history on a busy machine), then gives up rather than
# start a second tray.
INSTANCE_WAIT_SECONDS = 30.0
# An xmpp: link with nothing running starts the app and waits this long for it to answer.
START_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.2


class CliError(Exception):
    """Ends the command with this sentence on stderr and the given exit code."""

    def __init__(self, sentence: str, code: int = EXIT_FAILED) -> None:
        super().__init__(sentence)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS so a subcommand's absent option does not overwrite one given before it.
    common.add_argument("--profile", metavar="DIR", default=argparse.SUPPRESS,
                        help="keep config, data, logs and the control socket under DIR "
                             "(default: $SUPPORTTRAY_HOME, else the platform's user dirs)")
    common.add_argument("--policy", metavar="FILE", default=argparse.SUPPRESS,
                        help="machine policy file (default: $SUPPORTTRAY_POLICY, else "
                             "/etc/supporttray/policy.toml or the platform's location)")
    parser = argparse.ArgumentParser(
        prog="supporttray", parents=[common],
        description=f"{APP_NAME}: IT support one click away, from the system tray.",
    )
    parser.add_argument("--version", action="version", version=f"supporttray {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="start the tray app (the default)")
    login = sub.add_parser("login", parents=[common],
                           help="store the account and its password (in the keyring)")
    login.add_argument("jid", metavar="JID", help="your chat account, e.g. you@example.org")
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input instead of asking")
    status = sub.add_parser("status", parents=[common],
                            help="ask the running instance what it sees")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    ask = sub.add_parser("ask", parents=[common],
                         help="open the ask window prefilled; --send sends now")
    ask.add_argument("--to", metavar="JID", help="a particular staff member (default: whoever "
                                                  "is available)")
    ask.add_argument("--send", action="store_true",
                     help="send at once and print what was attached")
    ask.add_argument("--new", action="store_true",
                     help="start a new request (fresh thread and system info)")
    ask.add_argument("text", metavar="TEXT", nargs="+", help="the question")
    sysinfo = sub.add_parser("sysinfo", parents=[common],
                             help="print exactly what would be attached to a new request")
    sysinfo.add_argument("--json", action="store_true", help="print one JSON object")
    presence = sub.add_parser("presence", parents=[common],
                              help="set (or, without arguments, print) your own presence")
    presence.add_argument("show", nargs="?", choices=PRESENCE_CHOICES, metavar="STATE",
                          help="available, away, busy (do not disturb) or offline")
    presence.add_argument("message", nargs="*", metavar="MESSAGE",
                          help="a status message others see, e.g. \"Back at 3\"")
    take = sub.add_parser("take", parents=[common],
                          help="staff: take an open request (\"I'm on it\"), shared with the team")
    take.add_argument("request", metavar="REQUEST",
                      help="the request's id (status --json) or the requester's JID")
    resolve = sub.add_parser("resolve", parents=[common],
                             help="staff: close a request; the requester is told it is resolved")
    resolve.add_argument("request", metavar="REQUEST",
                         help="the request's id (status --json) or the requester's JID")
    check = sub.add_parser("check", parents=[common],
                           help="ask people one yes/no question; --wait exits 0 only if all "
                                "agreed, 1 if someone objected, 4 if someone did not answer")
    check.add_argument("--to", required=True, metavar="JID[,JID...|GROUP]",
                       help="addresses and saved groups (groups.NAME), comma-separated")
    check.add_argument("--deadline", metavar="DURATION", help="e.g. 10m, 90s, 2h")
    check.add_argument("--wait", action="store_true",
                       help="print each answer as it arrives and exit with the outcome")
    check.add_argument("question", nargs="+", metavar="QUESTION")
    history = sub.add_parser("history", parents=[common],
                             help="list, search or export the chat history")
    history.add_argument("--json", action="store_true", help="print a JSON list of messages")
    history.add_argument("--with", dest="with_", metavar="JID", help="one person only")
    history.add_argument("--search", metavar="Q", help="messages and notes with all these words")
    history.add_argument("--since", metavar="DATE",
                         help="from this day (YYYY-MM-DD) or moment (ISO 8601) on")
    history.add_argument("--export", metavar="FILE",
                         help="write it to FILE (.md or .html), readable only by you")
    history.add_argument("--redact", metavar="FIELD[,FIELD]",
                         help="system-info fields to leave out of the export, e.g. net.addresses")
    history.add_argument("--limit", type=int, metavar="N",
                         help="the newest N messages (default 1000; 0 for all)")
    send = sub.add_parser("send", parents=[common],
                          help="push a file (HTTP upload) through the running instance")
    send.add_argument("--to", required=True, metavar="JID", help="who gets the file")
    send.add_argument("file", metavar="FILE")
    send.add_argument("message", nargs="*", metavar="MESSAGE", help="a line sent with it")
    doctor = sub.add_parser("doctor", parents=[common],
                            help="check policy, server, TLS, keyring and tray")
    doctor.add_argument("--json", action="store_true",
                        help="print one JSON object: each check's id, verdict, sentence and "
                             "hint, and each setting's value and where it came from")
    sandbox = sub.add_parser("sandbox", help="run a local Prosody (or ejabberd) with demo accounts")
    sandbox.add_argument("--dir", metavar="DIR", type=Path,
                         help="keep the server's config, data and CA in DIR")
    sandbox.add_argument("--server", choices=("prosody", "ejabberd"), default="prosody",
                         help="the XMPP server software to run (default: prosody)")
    demo = sub.add_parser("demo", help="sandbox + simulated support staff + the tray app")
    demo.add_argument("--staff", action="store_true",
                      help="run the tray as a support staff member instead of a requester")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    link = _split_link(argv)
    if link is not None:
        argv, uri = link
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        if link is not None:
            if args.command is not None:
                raise CliError("an xmpp: link is opened on its own: supporttray [--profile DIR] "
                               "xmpp:alice@example.org?message;body=Hello", EXIT_USAGE)
            command = "xmpp:"
            return _open_link(args, uri, out=sys.stdout)
        return _dispatch(command, args)
    except CliError as exc:
        print(f"supporttray: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # The one crash path: the log gets the traceback, the user a sentence.
        log.exception("unexpected error in %r", command)
        print(f"supporttray: unexpected error ({type(exc).__name__}: {exc}). "
              "Details are in the log file; please report it to IT.", file=sys.stderr)
        return EXIT_FAILED


def _split_link(argv: list[str]) -> tuple[list[str], str] | None:
    """`supporttray [--profile DIR] [--policy FILE] xmpp:...` (how a desktop's `Exec=supporttray
    %u` calls us): the arguments without the link, and the link; None for every other command."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--profile", "--policy"):
            i += 2
        elif arg.startswith(("--profile=", "--policy=")):
            i += 1
        else:
            from supporttray.core.xmpp_uri import looks_like_xmpp_uri

            if looks_like_xmpp_uri(arg):
                return argv[:i] + argv[i + 1:], arg
            return None
    return None


def _dispatch(command: str, args: argparse.Namespace) -> int:
    if command == "sandbox":
        from supporttray.sandbox import command as sandbox_command

        return sandbox_command.run(args.dir, server=args.server)
    if command == "demo":
        from supporttray.demo import run_demo

        return run_demo(staff=args.staff)
    paths = _paths(args)
    if command == "status":
        return _status(paths, as_json=args.json, out=sys.stdout)
    if command == "doctor":
        return _doctor(paths, args)
    if command == "ask":
        return _ask(paths, args, out=sys.stdout)
    if command == "presence":
        return _presence(paths, args.show, " ".join(args.message), out=sys.stdout)
    if command in ("take", "resolve"):
        return _request_command(paths, command, args.request, out=sys.stdout)
    if command == "history":
        return _history(paths, args)
    if command == "check":
        return _check(paths, args)
    if command == "send":
        return _send(paths, args)
    settings = _settings(paths, _policy(args))
    if command == "sysinfo":
        from supporttray.app.sysinfo_command import run_sysinfo

        return run_sysinfo(settings.get_str_list("sysinfo.fields"),
                           settings.get_str("sysinfo.consent"), as_json=args.json,
                           out=sys.stdout, app_version=__version__)
    if command == "login":
        return _login(paths, settings, args.jid, password_stdin=args.password_stdin)
    return _run(paths, settings)


def _history(paths: Any, args: argparse.Namespace) -> int:
    from supporttray.history_command import HistoryCommandError, check_args, run_history

    try:
        checked = check_args(as_json=args.json, with_=args.with_, search=args.search,
                             since=args.since, export=args.export, redact=args.redact,
                             limit=args.limit)
        settings = _settings(paths, _policy(args))
        return run_history(checked, control_socket=paths.control_socket,
                           history_file=paths.history_db, me=settings.get_str("account.jid"),
                           keeps_history=settings.get_bool("history.enabled"), out=sys.stdout)
    except HistoryCommandError as exc:
        raise CliError(str(exc), exc.code) from None


def _check(paths: Any, args: argparse.Namespace) -> int:
    from supporttray.check_command import CheckUsageError, check_request, run_check

    try:
        request_ = check_request(args.to, " ".join(args.question), args.deadline)
    except CheckUsageError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    return run_check(request_, lambda r, timeout: _ask_instance(paths, r, timeout),
                     wait=args.wait, out=sys.stdout)


def _send(paths: Any, args: argparse.Namespace) -> int:
    from supporttray.send_command import SendCommandError, run_send

    try:
        return run_send(paths.control_socket, args.to, args.file, " ".join(args.message),
                        out=sys.stdout)
    except SendCommandError as exc:
        raise CliError(str(exc), exc.code) from None


def _doctor(paths: Any, args: argparse.Namespace) -> int:
    """Like the others, but a bad policy is one failed check among the rest, not the end."""
    from supporttray.config.policy import Policy
    from supporttray.doctor import run_doctor
    from supporttray.logging_setup import setup_logging

    setup_logging(paths, console_level=logging.CRITICAL)  # findings are the output
    problem = None
    try:
        policy = _policy(args)
    except CliError as exc:
        problem, policy = str(exc), Policy.empty()
    return run_doctor(paths, _settings(paths, policy), out=sys.stdout, policy_problem=problem,
                      as_json=args.json)


# -- configuration ------------------------------------------------------------------------
def _paths(args: argparse.Namespace) -> Any:
    from supporttray.config.paths import resolve_paths

    return resolve_paths(getattr(args, "profile", None), os.environ)


def _policy(args: argparse.Namespace) -> Any:
    from supporttray.config.machine_policy import load_machine_policy
    from supporttray.config.policy import PolicyError, policy_path

    path, explicit = policy_path(getattr(args, "policy", None), os.environ)
    try:
        return load_machine_policy(path, explicit=explicit)
    except PolicyError as exc:
        raise CliError(f"the machine policy cannot be used, so nothing was started: {exc}",
                       EXIT_USAGE) from None


def _settings(paths: Any, policy: Any) -> Any:
    from supporttray.config.settings import SettingsError, load_settings

    try:
        return load_settings(paths, policy)
    except SettingsError as exc:
        raise CliError(f"your settings file cannot be used: {exc}", EXIT_USAGE) from None


# -- commands -----------------------------------------------------------------------------
def _run(paths: Any, settings: Any) -> int:
    if _hand_over(paths):
        return 0
    lock = _take_instance_lock(paths)
    if lock is None:
        return 0  # the first instance answered while we waited, and has the window up
    try:
        from supporttray.logging_setup import catch_crashes, route_qt_messages, setup_logging

        setup_logging(paths)
        catch_crashes(paths)
        route_qt_messages()
        from supporttray.launcher import password_source, run_qt, run_tray

        # Starts reading the password now, beside the Qt import rather than after it.
        passwords = password_source(settings.get_str("account.jid"))
        return run_qt(lambda: run_tray(paths, settings, passwords))
    finally:
        lock.release()


def _hand_over(paths: Any) -> bool:
    """True if an instance runs for this profile: its window is brought to the front."""
    from supporttray.ipc.client import NotRunning, request
    from supporttray.ipc.protocol import ActivateRequest, ProtocolError

    try:
        request(paths.control_socket, ActivateRequest().to_wire(), timeout=2.0)
    except (NotRunning, OSError, ProtocolError):
        return False  # nobody, or a stale socket the instance we start replaces
    print(f"{APP_NAME} is already running for this profile; brought its window to the front.")
    return True


def _take_instance_lock(paths: Any) -> Any:
    """The profile's instance lock, or None once an instance that held it answers (it has been
    brought to the front). Waits a bounded time for one that holds it without answering yet."""
    from supporttray.platform.instance_lock import InstanceLock

    paths.ensure()
    lock = InstanceLock(paths.instance_lock)
    deadline = time.monotonic() + INSTANCE_WAIT_SECONDS
    told = False
    while not lock.try_acquire():
        if _hand_over(paths):
            return None
        holder = lock.holder_pid()
        who = f"process {holder}" if holder else "another process"
        if time.monotonic() >= deadline:
            raise CliError(
                f"{APP_NAME} is already starting for this profile ({who}) but has not answered "
                f"for {INSTANCE_WAIT_SECONDS:.0f} s, so no second one was started. If it hangs, "
                "end it and start again.")
        if not told:
            print(f"{APP_NAME} is already starting for this profile ({who}); waiting up to "
                  f"{INSTANCE_WAIT_SECONDS:.0f} s for it to answer.", file=sys.stderr, flush=True)
            told = True
        time.sleep(POLL_SECONDS)
    return lock


def _open_link(args: argparse.Namespace, uri: str, *, out: TextIO) -> int:
    """`supporttray xmpp:...`: write to that person through the running instance, started
    first if none runs for this profile."""
    from supporttray.core.xmpp_uri import XmppUriError, parse_xmpp_uri

    try:
        link = parse_xmpp_uri(uri)
    except XmppUriError as exc:
        shown = uri if len(uri) <= 80 else uri[:79] + "…"
        raise CliError(f"cannot open the link {shown!r}: {exc}", EXIT_USAGE) from None
    from supporttray.ipc.protocol import OpenLinkRequest, OpenLinkResult

    paths = _paths(args)
    if not _answers(paths):
        _start_instance(args, paths)
    result = OpenLinkResult.from_wire(
        _ask_instance(paths, OpenLinkRequest(to=link.jid, text=link.text)))
    if result.opened == "chat":
        out.write(f"The chat with {link.jid} is open.\n")
    else:
        out.write(f"The ask window is open for {link.jid}; press Send there.\n")
    return 0


def _answers(paths: Any) -> bool:
    """Whether an instance answers on this profile's control socket (without showing it)."""
    from supporttray.ipc.client import NotRunning, request
    from supporttray.ipc.protocol import ProtocolError, StatusRequest

    try:
        request(paths.control_socket, StatusRequest().to_wire(), timeout=2.0)
    except (NotRunning, OSError, ProtocolError):
        return False
    return True


def _start_instance(args: argparse.Namespace, paths: Any) -> None:
    """Start `supporttray run` for this profile on its own, and wait until it answers."""
    # What `run` would refuse, refused here with its sentence, not in a child nobody reads.
    _settings(paths, _policy(args))
    command = [sys.executable] if getattr(sys, "frozen", False) else [
        sys.executable, "-m", "supporttray"]
    for option in ("profile", "policy"):
        if getattr(args, option, None):
            command += [f"--{option}", str(getattr(args, option))]
    command.append("run")
    detach: dict[str, Any] = {"start_new_session": True}
    if sys.platform == "win32":
        detach = {"creationflags": subprocess.DETACHED_PROCESS
                  | subprocess.CREATE_NEW_PROCESS_GROUP}
    # The app outlives this command: its own session, no terminal, its output in its log.
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, **detach)
    log.info("started %s (process %d) for an xmpp: link", " ".join(command), child.pid)
    deadline = time.monotonic() + START_WAIT_SECONDS
    while not _answers(paths):
        code = child.poll()
        # 0: it found another instance starting at the same moment and left it the profile.
        if code not in (None, 0):
            raise CliError(f"{APP_NAME} could not be started (exit code {code}); its log is "
                           f"{paths.log_file}")
        if time.monotonic() >= deadline:
            raise CliError(f"{APP_NAME} was started but has not answered for "
                           f"{START_WAIT_SECONDS:.0f} s; open the link again once its icon "
                           "is in the tray")
        time.sleep(POLL_SECONDS)


def _login(paths: Any, settings: Any, jid: str, *, password_stdin: bool) -> int:
    from supporttray.config.credentials import CredentialError, CredentialStore
    from supporttray.config.settings import SettingLocked, SettingsError
    from supporttray.core.jid import bare_jid, looks_like_bare_jid

    if not looks_like_bare_jid(jid):
        raise CliError(f"{jid!r} is not a chat account; write it like you@example.org",
                       EXIT_USAGE)
    jid = bare_jid(jid)
    if settings.is_locked("account.jid"):
        enforced = settings.get_str("account.jid")
        if enforced and bare_jid(enforced) != jid:
            raise CliError(f"your organisation's policy sets the account to {enforced}; "
                           f"log in with that one", EXIT_USAGE)
    password = _read_password(jid, from_stdin=password_stdin)
    store = CredentialStore()
    try:
        store.set(jid, password)
    except CredentialError as exc:
        raise CliError(str(exc)) from None
    if not settings.is_locked("account.jid"):
        try:
            settings.set("account.jid", jid)
            settings.save()
        except (SettingLocked, SettingsError, OSError) as exc:
            raise CliError(
                f"the password is stored, but the account could not be saved: {exc}"
            ) from None
    print(f"Stored {jid} and its password in the keyring ({store.backend_name()}).")
    _tell_running_instance_to_reconnect(paths)
    return 0


def _read_password(jid: str, *, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
    elif sys.stdin.isatty():
        password = getpass.getpass(f"Password for {jid}: ")
    else:
        raise CliError("no terminal to ask for the password; use --password-stdin", EXIT_USAGE)
    if not password:
        raise CliError("the password is empty; nothing was stored", EXIT_USAGE)
    return password


def _tell_running_instance_to_reconnect(paths: Any) -> None:
    from supporttray.ipc.client import NotRunning, request
    from supporttray.ipc.protocol import ProtocolError, ReconnectRequest

    try:
        request(paths.control_socket, ReconnectRequest().to_wire(), timeout=3.0)
        print("The running SupportTray is reconnecting with it.")
    except (NotRunning, OSError, ProtocolError):
        pass


def _ask_instance(paths: Any, request_: Request, timeout: float = 5.0) -> dict[str, Any]:
    """One request to the running instance; its result, or a CliError with a sentence."""
    from supporttray.ipc.client import NotRunning, request
    from supporttray.ipc.protocol import ProtocolError

    try:
        response = request(paths.control_socket, request_.to_wire(), timeout=timeout)
    except NotRunning:
        raise CliError(f"{APP_NAME} is not running (nothing answers at {paths.control_socket}). "
                       "Start it with: supporttray run", EXIT_NOT_RUNNING) from None
    except (OSError, ProtocolError) as exc:
        raise CliError(f"the running {APP_NAME} did not answer: {exc}") from None
    if not response.get("ok"):
        raise CliError(str(response.get("error") or "the running instance reported an error"))
    result = response.get("result")
    return result if isinstance(result, dict) else {}


def _ask(paths: Any, args: argparse.Namespace, *, out: TextIO) -> int:
    text = " ".join(args.text).strip()
    if not text:
        raise CliError("the question is empty", EXIT_USAGE)
    from supporttray.ipc.protocol import AskRequest, AskResult

    request_ = AskRequest(text=text, to=args.to, send=args.send, new=args.new)
    # Sending may first collect system info and wait for the server: allow for it.
    result = _ask_instance(paths, request_, timeout=30.0)
    if not args.send:
        out.write("The ask window is open with your question; press Send there.\n")
        return 0
    sent = AskResult.from_wire(result)
    out.write(f"To {sent.to}: {sent.delivery}. {sent.reason}\n")
    attached = sent.attached
    if attached:
        out.write("Attached system info:\n")
        for _key, label, value in attached:
            out.write(f"  {label}: {value}\n")
    else:
        out.write("No system info attached.\n")
    return 0


def _presence(paths: Any, show: str | None, message: str, *, out: TextIO) -> int:
    if message and show is None:
        raise CliError("a status message needs a state first, e.g.: "
                       "supporttray presence away \"Back at 3\"", EXIT_USAGE)
    from supporttray.ipc.protocol import PresenceRequest, PresenceResult

    current = PresenceResult.from_wire(
        _ask_instance(paths, PresenceRequest(show=show, status=message)))
    label = current.show.capitalize()
    status = current.status
    line = f"{label}: “{status}”" if status else label
    if not current.published:
        line += " (not connected: others will see it once SupportTray is online)"
    out.write(line + "\n")
    return 0


def _request_command(paths: Any, command: str, ref: str, *, out: TextIO) -> int:
    """`take` / `resolve`: exit 0 when done, 1 with a sentence when someone else has it."""
    if not ref.strip():
        raise CliError(f"which request? e.g.: supporttray {command} ann@example.org", EXIT_USAGE)
    from supporttray.ipc.protocol import ClaimResult, ResolveRequest, TakeRequest

    request_ = (ResolveRequest(ref.strip()) if command == "resolve"
                else TakeRequest(ref.strip()))
    result = ClaimResult.from_wire(_ask_instance(paths, request_, timeout=15.0))
    request = result.request
    who = f"{request.get('from', '?')} ({request.get('id', '?')})"
    if command == "resolve":
        out.write(f"Resolved the request from {who}; they were told.\n")
        return 0
    if result.won:
        out.write(f"You have the request from {who}.\n")
        return 0
    if result.pending:
        out.write(f"Your claim on the request from {who} is posted once the staff room is "
                  "reachable; until then a colleague may still take it.\n")
        return 0
    raise CliError(f"{result.claimed_by} took the request from {who} first.")


def _status(paths: Any, *, as_json: bool, out: TextIO) -> int:
    from supporttray.ipc.protocol import StatusRequest

    status = _ask_instance(paths, StatusRequest())
    if as_json:
        json.dump(status, out, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(format_status(status))
    return 0


def format_status(status: dict[str, Any]) -> str:
    """The human form of `status`."""
    lines = [f"{status['account'] or '(no account)'} ({status['mode']}): {status['state']}"]
    if status.get("error"):
        lines.append(f"  {status['error']}")
    if (status.get("history") or {}).get("notice"):
        lines.append(f"History: {status['history']['notice']}")
    lines.append(f"Support: {status.get('summary') or status['support']}")
    for member in status["staff"]:
        parts = [member["availability"]]
        if member["status"]:
            parts.append(f"“{member['status']}”")
        if member["idle_seconds"]:
            parts.append(f"idle {member['idle_seconds'] // 60} min")
        if member["local_time"]:
            parts.append(f"local time {member['local_time'][11:16]}")
        lines.append(f"  {member['name']} <{member['jid']}>: {', '.join(parts)}")
    from supporttray.config.mode import Mode

    if status.get("mode") == Mode.STAFF:
        lines.extend(_requests_lines(status))
    return "\n".join(lines) + "\n"


def _requests_lines(status: dict[str, Any]) -> list[str]:
    """Staff: the team's open requests, longest waiting first, and whether they are shared."""
    requests = status.get("requests") or []
    untaken = sum(1 for r in requests if not r.get("claimed_by"))
    lines = [f"Requests: {len(requests)} open, {untaken} not taken" if requests
             else "Requests: none open"]
    for request in requests:
        waited = int(request.get("waiting_seconds") or 0) // 60
        owner = request.get("claimed_by") or "nobody yet"
        machine = f", {request['summary']}" if request.get("summary") else ""
        lines.append(f"  {request['from']} ({request['id']}): waiting {waited} min, "
                     f"taken by {owner}{machine}")
    room = status.get("staff_room")
    if room:
        lines.append(f"Staff room {room['jid']}: " + (
            "joined" if room.get("joined") else room.get("error") or "not joined"))
    return lines
