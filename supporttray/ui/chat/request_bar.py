"""Staff: the person's open request in their chat's header, and Take it / Resolve for the team."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from supporttray.app.errors import DeskError
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import SupportRequest
from supporttray.core.text import one_line
from supporttray.language.catalogue import _
from supporttray.language.sentence import shown
from supporttray.ui.chat.backend import ChatBackend, Spawn
from supporttray.ui.presence_text import display_name
from supporttray.ui.text_colors import secondary_color


class RequestBar(QWidget):
    """Who has the request (or that nobody has yet), hidden while the person has none open."""

    # A sentence the person can act on (the desk refused, the resolution could not be sent).
    failed = Signal(str)

    def __init__(self, peer: str, peer_name: str, service: ChatBackend, *,
                 book: PresenceBook | None, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._peer = peer
        self._service = service
        self._book = book
        self._spawn = spawn
        self._state = QLabel(self)
        self._state.setObjectName("requestState")
        self._state.setStyleSheet(f"color: {secondary_color(self._state)};")
        self.take_button = QPushButton(_("Take it"), self)
        self.take_button.setObjectName("takeRequest")
        self.take_button.setToolTip(_("Mark this request as yours, for the whole team (Ctrl+T)"))
        self.take_button.clicked.connect(self.take)
        self.resolve_button = QPushButton(_("Resolve"), self)
        self.resolve_button.setObjectName("resolveRequest")
        self.resolve_button.setToolTip(
            _("Close the request; {name} gets a short \"marked resolved\" message (Ctrl+R)"
              ).format(name=peer_name))
        self.resolve_button.clicked.connect(self.resolve)
        # The pane's header spacing, so the bar sits in it as its three widgets did.
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in (self._state, self.take_button, self.resolve_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        self.refresh()

    def state_text(self) -> str:
        """"Nobody has taken it yet", "Taken by you", "" (no open request)."""
        return self._state.text() if not self.isHidden() else ""

    def take(self) -> None:
        desk, request = self._service.desk, self._open_request()
        if desk is None or request is None:
            return
        try:
            desk.take(request.id)
        except DeskError as exc:
            self.failed.emit(shown(exc))

    def resolve(self) -> None:
        desk, request = self._service.desk, self._open_request()
        if desk is None or request is None:
            return
        self.resolve_button.setEnabled(False)

        async def resolve() -> None:
            error = await desk.try_resolve(request.id)
            if error:
                self.failed.emit(error)
            self.refresh()

        self._spawn(resolve())

    def refresh(self) -> None:
        """Show the request as the queue has it now (the window calls this when it changes)."""
        desk, request = self._service.desk, self._open_request()
        self.setVisible(desk is not None and request is not None)
        if desk is None or request is None:
            return
        if request.claimed_by is None:
            state = _("Nobody has taken it yet")  # (how long: the queue window, kept current)
        elif request.claimed_by == desk.me:
            state = _("Taken by you")
        else:
            state = _("Taken by {name}").format(name=display_name(self._book, request.claimed_by))
        if not request.asked_in(self._service.conversations.messages(self._peer)):
            # It reached a colleague: their question is not in this chat, so say it here.
            state += f" · “{one_line(request.first_line, 60)}”"
        self._state.setText(state)
        self._state.setToolTip(
            request.first_line + (f"\n{request.summary}" if request.summary else ""))
        self.take_button.setEnabled(request.claimed_by is None)
        self.resolve_button.setEnabled(True)

    def _open_request(self) -> SupportRequest | None:
        requests = self._service.requests
        return requests.for_peer(self._peer) if requests is not None else None
