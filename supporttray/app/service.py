"""The running app's one service object: connection lifecycle and what `status` reports.

Shared by the tray UI and the control socket; it imports no widgets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from supporttray.app.account import (
    AccountSetup,
    NoAccountError,
    SetupError,
    SupportConfig,
    account_setup,
)
from supporttray.app.chat import ChatService
from supporttray.app.errors import DeskError
from supporttray.app.request_desk import RequestDesk, staff_room_for
from supporttray.config.mode import Mode
from supporttray.config.password_source import CredentialError, PasswordSource
from supporttray.core.clock import Clock, utc_now
from supporttray.core.connection import (
    ConnectionMonitor,
    ConnectionState,
    ConnectionStatus,
    NetworkChange,
)
from supporttray.core.history_file import OpenedHistory
from supporttray.core.jid import bare_jid
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.connection import XmppConnection
from supporttray.xmpp.file_share import FileShareWire
from supporttray.xmpp.group_room import RoomAwareTransport

if TYPE_CHECKING:  # staff mode only: requesters never load them
    from supporttray.app.group_chat import GroupChats
    from supporttray.app.group_check import GroupChecks
    from supporttray.app.on_call import OnCallRunner
    from supporttray.xmpp.staff_room import StaffRoom

log = logging.getLogger("supporttray.app")


class SupportService:
    def __init__(
        self,
        config: SupportConfig,
        credentials: PasswordSource,
        *,
        book: PresenceBook | None = None,
        monitor: ConnectionMonitor | None = None,
        own_presence: OwnPresence | None = None,
        reload_config: Callable[[], SupportConfig | None] | None = None,
        chat: ChatService | None = None,
        clock: Clock = utc_now,
        on_call: OnCallRunner | None = None,
        history: OpenedHistory | None = None,
        group_checks: GroupChecks | None = None,
        group_chats: GroupChats | None = None,
    ) -> None:
        self.config = config
        self.credentials = credentials
        self.clock = clock
        self.book = book or PresenceBook(clock)
        self.monitor = monitor or ConnectionMonitor()
        self.own_presence = own_presence or OwnPresence()
        self.on_call = on_call  # staff mode with on-call hours: for `status`
        self.history = history  # which file the chat side keeps, and what start-up said of it
        self._connection: XmppConnection | None = None
        # Files go through whichever connection is current (app/transfers.py holds this one).
        self.file_wire = FileShareWire()
        # `supporttray login` writes the account to the settings file while we run; None back
        # from it: the file cannot be read just now (the root logs why), keep what we have.
        self._reload_config = reload_config
        self.chat = chat
        self.group_checks = group_checks  # ours and others' yes/no checks (app/group_check.py)
        self.group_chats = group_chats  # three-way chats (app/group_chat.py)
        if chat is not None:
            # Back online: whatever was typed meanwhile goes out, oldest first.
            def flush_when_online(status: ConnectionStatus) -> None:
                if status.state is ConnectionState.ONLINE:
                    chat.flush_outbox()

            self.monitor.changed.subscribe(flush_when_online)
        self._setup: AccountSetup | None = None
        # Staff named by policy are listed (offline) even before the first login works.
        for jid in config.staff:
            if jid.lower() != config.account_jid.lower():
                self.book.add_staff(jid)

    @property
    def account(self) -> str:
        return self._setup.jid if self._setup else self.config.account_jid

    @property
    def mode(self) -> Mode:
        return self.config.mode

    async def start(self) -> None:
        """Connect if we can; otherwise put the reason in the connection state."""
        try:
            self._setup = setup = account_setup(self.config)
        except SetupError as exc:
            self.monitor.set(ConnectionState.ERROR, exc.sentence,
                             needs_sign_in=isinstance(exc, NoAccountError))
            return
        password = await self._password_for(setup.jid)
        if password is None:
            return
        room = self._staff_room(setup.jid)
        self._connection = XmppConnection(
            setup.jid, password, setup.endpoint, setup.directory, self.book, self.monitor,
            self.own_presence, chat=self.chat, staff_room=room, clock=self.clock,
            server_archive=self.chat.server_archive if self.chat is not None else None,
            group_checks=self.group_checks, group_chats=self.group_chats,
            file_wire=self.file_wire,
        )
        if self.group_checks is not None and self._connection.group_check_wire is not None:
            self.group_checks.attach_wire(self._connection.group_check_wire)
        if self.chat is not None and self._connection.chat_wire is not None:
            rooms = self._connection.group_rooms
            self.chat.attach_transport(self._connection.chat_wire if rooms is None
                                       else RoomAwareTransport(self._connection.chat_wire, rooms))
            if self.group_chats is not None and rooms is not None:
                self.group_chats.attach_rooms(rooms)
            if self.chat.desk is not None:
                self.chat.desk.attach(room, self.chat)
        log.info("connecting as %s to %s", setup.jid, setup.endpoint.describe())
        await self._connection.start()

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.stop()
        self.monitor.set(ConnectionState.OFFLINE)

    async def sign_out(self) -> None:
        """Sign out (the password is already forgotten): offline, and asking to sign in again."""
        if self._connection is not None:
            await self._connection.stop()
            self._connection = None
        self._setup = None
        self.monitor.set(ConnectionState.OFFLINE, Sentence(N_(
            "Signed out. Choose “Sign in…” in the tray menu to connect again.")),
            needs_sign_in=True)

    async def reconnect_now(self) -> None:
        """Try again now; re-reads the account and password `supporttray login` may have stored."""
        if self._account_changed():
            if self._connection is not None:
                await self._connection.stop()
                self._connection = None
            await self.start()
            return
        if self._connection is None:
            await self.start()
            return
        password = await self._password_for(self._connection.jid)
        if password is None:
            return
        self._connection.update_password(password)
        self._connection.reconnect_now()

    def network_changed(self, change: NetworkChange) -> None:
        """The OS says the network is back, changed, or the computer woke: see
        XmppConnection.network_changed."""
        if self._connection is not None:
            self._connection.network_changed(change)

    def _staff_room(self, jid: str) -> StaffRoom | None:
        """Staff mode: the room where the team shares requests and claims (None: not shared)."""
        desk = self.chat.desk if self.chat is not None else None
        if desk is None:
            return None
        me = bare_jid(jid)
        room = staff_room_for(self.config.staff_room, me, desk.queue,
                              staff=lambda: [m.jid for m in self.book.members() if m.jid != me])
        if room is None:
            log.info("support.staff_room is off: claims stay on this computer")
        return room

    async def _password_for(self, jid: str) -> str | None:
        """The stored password, or None with the reason put in the connection state.

        Read on a worker thread: a desktop keyring answers over D-Bus and may first ask the
        user to unlock it, which must not freeze the tray.
        """
        try:
            password = await asyncio.to_thread(self.credentials.get, jid)
        except CredentialError as exc:
            self.monitor.set(ConnectionState.ERROR, exc.sentence)
            return None
        if password is None:
            self.monitor.set(ConnectionState.ERROR, Sentence(N_(
                "No password is stored for {jid}. Choose “Sign in…” in the tray menu "
                "(or run: supporttray login {jid})."), {"jid": jid}), needs_sign_in=True)
        return password

    def set_presence(self, show: str | None, status: str = "") -> dict[str, Any]:
        """`supporttray presence`: set our own presence when `show` is given; the current one.

        `show` is available, away, busy or offline (offline: others see us offline while we
        stay connected; messages wait on the server). ValueError for anything else.
        """
        if show is not None:
            try:
                availability = Availability(show)
            except ValueError:
                names = ", ".join(a.value for a in Availability)
                raise ValueError(f"unknown presence {show!r}; use one of: {names}") from None
            self.own_presence.set(availability, status)
            log.info("own presence set to %s", availability.value)
        own = self.own_presence.current
        return {"show": own.show.value, "status": own.status,
                "recent": self.own_presence.recent_messages,
                "published": self.monitor.status.state is ConnectionState.ONLINE}

    async def take_request(self, ref: str) -> dict[str, Any]:
        """`supporttray take`: DeskError (a sentence) when it cannot be taken."""
        return await self._desk().take_and_wait(ref)

    async def resolve_request(self, ref: str) -> dict[str, Any]:
        """`supporttray resolve`: the requester gets the "marked resolved" message."""
        request = await self._desk().resolve(ref)
        return {"request": request.as_status(self.clock())}

    def _desk(self) -> RequestDesk:
        desk = self.chat.desk if self.chat is not None else None
        if desk is None:
            raise DeskError(Sentence(N_(
                "Requests are for staff mode; this instance runs as a requester.")))
        return desk

    def connection_details(self) -> tuple[str, str] | None:
        """For the system info's conn.* fields."""
        return self._connection.details() if self._connection is not None else None

    def _account_changed(self) -> bool:
        if self._reload_config is None:
            return False
        fresh = self._reload_config()
        if fresh is None:
            return False
        # A new server (the Sign-in window may change it) needs a new connection too.
        where = ("account_jid", "server_domain", "server_host", "server_port")
        changed = any(getattr(fresh, f) != getattr(self.config, f) for f in where)
        self.config = fresh
        return changed

    def status(self) -> dict[str, Any]:
        """The `status --json` object (a contract: see ../shared/DESIGN.md)."""
        now = self.clock()
        status = self.monitor.status
        members = []
        for member in self.book.members():
            local = member.local_time(now)
            members.append({
                "jid": member.jid,
                "name": member.name,
                "availability": member.availability.value,
                "status": member.status,
                "idle_seconds": member.idle_seconds(now),
                "local_time": local.isoformat(timespec="seconds") if local else None,
            })
        own = self.own_presence.current
        online = status.state is ConnectionState.ONLINE
        return {
            "state": status.state.value,
            # English, as every machine-read field (the windows translate it).
            "error": str(status.error) if status.error else None,
            "account": self.account,
            "mode": self.mode.value,
            "support": self.book.summary().availability.value,
            "summary": self.book.summary().sentence(),
            "staff": members,
            "presence": {"show": own.show.value if online else "offline", "status": own.status},
            "on_call": (self.on_call.status() if self.on_call is not None
                        else {"hours": "", "now": False}),
            "unread": self.chat.unread if self.chat is not None else 0,
            "queued": self.chat.queued if self.chat is not None else 0,
            "requests": (self.chat.requests.as_status(now)
                         if self.chat is not None and self.chat.requests is not None else []),
            "staff_room": (self.chat.desk.room_status()
                           if self.chat is not None and self.chat.desk is not None else None),
            "history": self.history.as_status() if self.history is not None else None,
        }
