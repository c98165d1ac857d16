"""The tray's context menu, built afresh each time it is about to show (so idle and local times
are current without any timer): what it holds comes from the controller as `MenuEntries`, a
plain description of this moment, and `fill_tray_menu` lays it out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from PySide6.QtWidgets import QMenu

from supporttray.core.presence import StaffMember
from supporttray.core.text import one_line
from supporttray.language.catalogue import _
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.presence_text import menu_text, staff_row

# A menu line longer than this is cut with "…" (a status message, a link's label).
MENU_TEXT_MAX_CHARS: Final = 70

Action = Callable[[], object]


@dataclass(frozen=True)
class MenuEntries:
    """What the menu offers at this moment; None leaves an entry out."""

    header: str  # "SupportTray: online"
    summary: str  # "1 of 2 support staff available"
    members: Sequence[StaffMember]
    now: datetime
    on_member: Callable[[str], object]  # a staff row chosen: its JID
    open_window: tuple[str, Action]
    quit: Action
    presence_menu: QMenu | None = None  # staff: "My status"
    ask: Action | None = None
    queue: tuple[str, Action] | None = None
    chats: tuple[str, Action] | None = None
    history: Action | None = None
    ask_group: Action | None = None
    links: Mapping[str, str] = field(default_factory=dict)  # IT's: label -> URL
    open_link: Callable[[str], object] = lambda _url: None
    reconnect: Action | None = None
    settings: Action | None = None
    diagnostics: Action | None = None
    sign_in: Action | None = None
    sign_out: Action | None = None


def fill_tray_menu(menu: QMenu, entries: MenuEntries, icons: IconSet) -> None:
    menu.clear()
    header = menu.addAction(menu_text(entries.header))
    header.setEnabled(False)
    summary = menu.addAction(menu_text(entries.summary))
    summary.setEnabled(False)
    menu.addSeparator()

    if entries.presence_menu is not None:
        menu.addMenu(entries.presence_menu)
        menu.addSeparator()

    for member in entries.members:
        row = staff_row(member, entries.now)
        action = menu.addAction(icons.icon(IconKey.for_availability(member.availability)),
                                menu_text(row.line()))
        # Enabled, not greyed out, so it stays readable.
        action.triggered.connect(
            lambda _checked=False, jid=member.jid: entries.on_member(jid))
    if entries.members:
        menu.addSeparator()

    if entries.ask is not None:
        menu.addAction(_("Ask support…")).triggered.connect(entries.ask)
    for pair in (entries.queue, entries.chats):
        if pair is not None:
            menu.addAction(pair[0]).triggered.connect(pair[1])
    if entries.history is not None:
        menu.addAction(_("History…")).triggered.connect(entries.history)
    if entries.ask_group is not None:
        menu.addAction(_("Ask a group…")).triggered.connect(entries.ask_group)
    if entries.links:
        menu.addSeparator()
        for label, url in entries.links.items():
            link = menu.addAction(menu_text(one_line(label, MENU_TEXT_MAX_CHARS)))
            link.setToolTip(url)
            link.triggered.connect(lambda _checked=False, url=url: entries.open_link(url))
        menu.addSeparator()
    text, open_window = entries.open_window
    menu.addAction(menu_text(text)).triggered.connect(open_window)
    for label, maybe in ((_("Reconnect now"), entries.reconnect),
                         (_("Settings…"), entries.settings),
                         (_("Copy diagnostics"), entries.diagnostics),
                         (_("Sign in…"), entries.sign_in),
                         (_("Sign out"), entries.sign_out)):
        if maybe is not None:
            menu.addAction(label).triggered.connect(maybe)
    menu.addSeparator()
    menu.addAction(_("Quit")).triggered.connect(entries.quit)
