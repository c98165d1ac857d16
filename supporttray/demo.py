"""`supporttray demo`: a real Prosody, simulated colleagues and the tray app, in one command.

Everything lives in a temporary directory that is removed on exit; nothing touches the user's
real profile, keyring or policy.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from supporttray import APP_NAME
from supporttray.config.credentials import CredentialStore
from supporttray.config.mode import Mode
from supporttray.config.paths import Paths, resolve_paths
from supporttray.config.policy import load_policy
from supporttray.config.settings import Settings
from supporttray.logging_setup import setup_logging, teardown_logging
from supporttray.sandbox import demo_accounts
from supporttray.sandbox.command import write_policy
from supporttray.sandbox.prosody import ProsodyMissing, ProsodySandbox, SandboxError

log = logging.getLogger("supporttray.demo")

CAROL_ARRIVES_AFTER_SECONDS = 20.0
# demo --staff: the first question comes soon, then one every half minute.
FIRST_QUESTION_AFTER_SECONDS = 5.0
QUESTION_EVERY_SECONDS = 30.0
# demo --staff: alice (a simulated colleague) takes this request for the team and answers it.
ALICE_TAKES_REQUEST = 2

# Who asks what in `demo --staff`, from which machine (their system info, as SupportTray
# would collect it), and their clock's UTC offset in hours.
QUESTIONS: tuple[tuple[tuple[str, str], str, dict[str, str], float], ...] = (
    (demo_accounts.USER, "The projector in meeting room 2 shows 'no signal' from my laptop",
     {"os.name": "Windows 11 Pro", "os.version": "23H2 (22631.4460)", "hw.vendor": "Dell Inc.",
      "hw.model": "Latitude 7440", "battery.percent": "41%", "battery.charging": "on battery",
      "net.default": "Hotel-Guest (Wi-Fi)", "tz": "America/Chicago (CST, UTC-06:00)"}, -6.0),
    (demo_accounts.ERIN, "Outlook keeps asking for my password since this morning",
     {"os.name": "macOS 14.6", "hw.vendor": "Apple Inc.", "hw.model": "MacBook Air (M2, 2022)",
      "net.default": "Office (Wi-Fi)", "tz": "Europe/Lisbon (WET, UTC+00:00)"}, 0.0),
    (demo_accounts.FARID, "VPN connects, but I cannot reach the file server",
     {"os.name": "Ubuntu 24.04.1 LTS", "hw.vendor": "LENOVO",
      "hw.model": "ThinkPad X1 Carbon Gen 11", "net.default": "wg0 (VPN)",
      "tz": "Asia/Dubai (+04, UTC+04:00)"}, 4.0),
    (demo_accounts.GRACE, "The printer on floor 3 says paper jam, but there is none",
     {"os.name": "Windows 10 Enterprise", "hw.vendor": "HP", "hw.model": "EliteBook 840 G8",
      "net.default": "Ethernet", "tz": "Europe/Berlin (CET, UTC+01:00)"}, 1.0),
)


def run_demo(*, staff: bool = False) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="supporttray-demo-"))
    sandbox = ProsodySandbox(
        workdir / "server",
        accounts=demo_accounts.ALL,
        groups={demo_accounts.SUPPORT_GROUP: demo_accounts.named_group_members()},
    )
    try:
        try:
            sandbox.start()
        except (ProsodyMissing, SandboxError, OSError) as exc:
            print(f"supporttray demo: {exc}", file=sys.stderr)
            return 1
        me = demo_accounts.DAVE if staff else demo_accounts.USER
        jid = f"{me[0]}@{sandbox.domain}"
        policy_file = write_policy(
            sandbox, staff=demo_accounts.SUPPORT_GROUP_MEMBERS, path=workdir / "policy.toml",
            extra={"support.mode": (Mode.STAFF if staff else Mode.REQUESTER).value,
                   "branding.name": f"{APP_NAME} demo",
                   "groups.dev-team": [f"{name}@{sandbox.domain}"
                                       for name in demo_accounts.DEV_TEAM]},
        )
        paths = resolve_paths(str(workdir / "profile"), {})
        paths.ensure()
        _use_demo_keyring()
        credentials = CredentialStore()
        credentials.set(jid, me[1])
        settings = Settings(load_policy(policy_file, explicit=True), {"account.jid": jid},
                            path=paths.settings_file)

        setup_logging(paths)
        _print_banner(jid, staff, workdir / "profile")
        from supporttray.launcher import run_qt

        return run_qt(lambda: _demo_main(sandbox, paths, settings, credentials, staff=staff))
    finally:
        teardown_logging()
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _demo_main(
    sandbox: ProsodySandbox,
    paths: Paths,
    settings: Settings,
    credentials: CredentialStore,
    *,
    staff: bool,
) -> int:
    from supporttray.launcher import run_tray
    from supporttray.xmpp.simulated_person import PersonScript, SimulatedPerson

    domain = sandbox.domain

    def person(account: tuple[str, str], **kwargs: object) -> SimulatedPerson:
        script = PersonScript(f"{account[0]}@{domain}", account[1], approve_domain=domain,
                              **kwargs)  # type: ignore[arg-type]
        return SimulatedPerson(script, sandbox.host, sandbox.c2s_port, sandbox.ca_file)

    me_jid = settings.get_str("account.jid")
    # demo --staff: alice shares the staff room with you and takes the second request.
    colleague: dict[str, object] = {}
    if staff:
        from supporttray.app.request_desk import staff_room_jid

        room = staff_room_jid(settings.get_str("support.staff_room"))
        colleague = {"staff_room": room or "", "claims": ALICE_TAKES_REQUEST,
                     "colleagues": (me_jid,)}
    # Ask the "dev-team" group a yes/no question: alice agrees in words, bob with a thumb, carol
    # once she is online.
    alice = person(demo_accounts.ALICE, status="In the office", utc_offset_hours=1.0,
                   answers=True, check_reply="Yes, go ahead", **colleague)
    bob = person(demo_accounts.BOB, show="away", status="Back at 3 pm", idle_minutes=25,
                 utc_offset_hours=-5.0, answers=True, check_reply="👍", check_after=6.0)
    carol = person(demo_accounts.CAROL, status="On call tonight", utc_offset_hours=9.0,
                   answers=True, check_reply="ok")
    # Invite victor into a chat (Invite… in the chat window): he joins and asks a question.
    victor = person(demo_accounts.VENDOR, status="Acme Printers support",
                    joins_invites="Hi, Victor from Acme Printers here. Which firmware version "
                                  "does the printer show under Settings > About?")
    online = [alice, bob, victor]
    await asyncio.gather(*(p.start() for p in online))

    async def carol_arrives() -> None:
        await asyncio.sleep(CAROL_ARRIVES_AFTER_SECONDS)
        await carol.start()
        online.append(carol)

    async def questions_arrive(me: str) -> None:
        """demo --staff: requesters come online and ask, each from their own machine."""
        from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot

        await asyncio.sleep(FIRST_QUESTION_AFTER_SECONDS)
        for account, question, fields, offset in QUESTIONS:
            asker = person(account, status="At the trade show" if account == demo_accounts.USER
                           else "", thanks=True)
            await asker.start()
            online.append(asker)
            now = datetime.now(UTC)
            their_clock = now.astimezone(timezone(timedelta(hours=offset)))
            items = [SysinfoItem(k, v) for k, v in fields.items()]
            items.append(SysinfoItem("local_time", their_clock.isoformat(timespec="seconds")))
            asker.ask(me, question, SysinfoSnapshot(tuple(items), now))
            log.info("demo: %s asked a question", account[0])
            await asyncio.sleep(QUESTION_EVERY_SECONDS)

    arrivals = [asyncio.ensure_future(carol_arrives())]
    if staff:
        arrivals.append(asyncio.ensure_future(
            questions_arrive(settings.get_str("account.jid"))))
    try:
        return await run_tray(paths, settings, credentials)
    finally:
        for arrival in arrivals:
            arrival.cancel()
        await asyncio.gather(*(p.stop() for p in online), return_exceptions=True)


def _use_demo_keyring() -> None:
    """The demo's passwords live in this process only, never in the user's real keyring."""
    import keyring
    from keyring.backend import KeyringBackend

    class DemoKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self._store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self._store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self._store.pop((service, username), None)

    keyring.set_keyring(DemoKeyring())


def _print_banner(jid: str, staff: bool, profile: Path) -> None:
    role = "a support staff member" if staff else "a requester"
    lines = [
        f"{APP_NAME} demo: a local Prosody server, simulated colleagues and the tray app.",
        f"  You are {jid}, {role}.",
        "  alice is available, bob is away (idle), carol comes online after "
        f"~{CAROL_ARRIVES_AFTER_SECONDS:.0f} s.",
        *([f"  Requesters ask you a question every ~{QUESTION_EVERY_SECONDS:.0f} s, each "
           "with their system info (supporttray status --json lists the requests).",
           "  Left-click the tray for the queue: Take it, reply, Resolve. alice takes the "
           "second request herself and answers it."]
          if staff else []),
        f"  In another terminal: supporttray status --profile {profile}",
        f"  Ask a group: supporttray check --profile {profile} --to dev-team --wait "
        "\"Restart the dev server?\" (or \"Ask a group…\" in the tray menu).",
        "  Invite… in a chat's corner menu brings victor@ (a printer vendor) into it.",
        "  Quit from the tray menu or press Ctrl-C.",
    ]
    print("\n".join(lines), flush=True)
