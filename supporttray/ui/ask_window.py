"""The ask window: who is there, whom to ask, the question, and exactly what goes with it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.chat import AskError, AskPlan
from supporttray.core.clock import Clock, utc_now
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage
from supporttray.core.presence import PresenceBook
from supporttray.language.catalogue import N_, _, ngettext
from supporttray.language.sentence import shown
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.chat.backend import ChatBackend, Spawn
from supporttray.ui.chat.message_edit import MessageEdit
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.kept_window import KeptWindow, bring_to_front
from supporttray.ui.presence_text import summary_sentence
from supporttray.ui.status_window import (
    JID_ROLE,
    STAFF_ICON_SIZE,
    StaffList,
    StaffRowDelegate,
    fill_staff_list,
)
from supporttray.ui.sysinfo_panel import SysinfoPreview
from supporttray.ui.text_colors import error_color, secondary_color, warning_color

if TYPE_CHECKING:
    from supporttray.app.transfers import FileTransfers
    from supporttray.ui.screenshot_attach import ScreenshotAttachment

log = logging.getLogger("supporttray.ui")

WHOEVER: Final = N_("Whoever is available")
# Presence moves in bursts (auto-away, a team logging in at nine): plan again once it settles.
REPLAN_DELAY_MS: Final = 1_000
PREVIEW_MIN_ROWS: Final = 4
QUESTION_LINES: Final = 4
HEADER_ICON_SIZE: Final = 32

PlanKey = tuple[str | None, bool]  # (whom the person picked, or None for whoever; new request)


class AskWindow(KeptWindow):
    """Ask support a question (requester mode).

    Opening it plans the question at once (recipient, reason, system info, collected off the UI
    thread), so the preview is ready by the time the question is typed. Send uses that plan, or
    waits for a fresh one when the choice changed since. Closing only hides it: the draft stays.
    """

    def __init__(
        self,
        service: ChatBackend,
        book: PresenceBook,
        connection: ConnectionMonitor,
        icons: IconSet,
        *,
        spawn: Spawn,
        open_chat: Callable[[str], object],
        app_name: str = "SupportTray",
        clock: Clock = utc_now,
        files: FileTransfers | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._book = book
        self._connection = connection
        self._icons = icons
        self._spawn = spawn
        self._open_chat = open_chat
        self._clock = clock
        self._sized = False

        self._plan: AskPlan | None = None
        self._plan_key: PlanKey | None = None
        self._planning: PlanKey | None = None
        self._plan_seq = 0
        self._plan_error = ""
        self._send_error = ""
        self._sending = False
        self._collecting_for_send = False

        self.setObjectName("askWindow")
        self.setWindowTitle(_("Ask support — {app_name}").format(app_name=app_name))
        self.setWindowIcon(icons.icon(IconKey.AVAILABLE))
        self.setMinimumSize(420, 480)

        # -- header: who is there --------------------------------------------------------------
        self._state_icon = QLabel(self)
        self._state_icon.setFixedSize(HEADER_ICON_SIZE, HEADER_ICON_SIZE)
        title = QLabel(_("Ask support"), self)
        title.setObjectName("askTitle")
        title_font = QFont(title.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title.setFont(title_font)
        self._summary = QLabel(self)
        self._summary.setObjectName("askSummary")
        self._summary.setStyleSheet(f"color: {secondary_color(self._summary)};")
        header_text = QVBoxLayout()
        header_text.setSpacing(0)
        header_text.addWidget(title)
        header_text.addWidget(self._summary)
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self._state_icon, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addLayout(header_text, 1)

        self._staff_list = StaffList(self)
        self._staff_list.setObjectName("askStaffList")
        self._staff_list.setAccessibleName(_("Support staff"))
        self._staff_list.setItemDelegate(StaffRowDelegate(self._staff_list))
        self._staff_list.setIconSize(QSize(STAFF_ICON_SIZE, STAFF_ICON_SIZE))
        self._staff_list.setUniformItemSizes(True)
        self._staff_list.setFrameShape(QFrame.Shape.StyledPanel)
        self._staff_list.setToolTip(_("Click someone to ask them in particular"))
        self._staff_list.clicked.connect(self._on_staff_clicked)

        # -- whom to ask -----------------------------------------------------------------------
        to_label = QLabel(_("&To:"), self)
        self._picker = QComboBox(self)
        self._picker.setObjectName("recipientPicker")
        self._picker.setIconSize(QSize(16, 16))
        self._picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        to_label.setBuddy(self._picker)
        self._picker.currentIndexChanged.connect(self._on_choice_changed)
        self._new_request = QCheckBox(_("&New request"), self)
        self._new_request.setObjectName("newRequest")
        self._new_request.setToolTip(
            _("Start a new request (with fresh system info) instead of continuing the open one")
        )
        self._new_request.toggled.connect(self._on_choice_changed)
        to_row = QHBoxLayout()
        to_row.setSpacing(8)
        to_row.addWidget(to_label)
        to_row.addWidget(self._picker, 1)
        to_row.addSpacing(8)
        to_row.addWidget(self._new_request)

        self._reason = QLabel(self)
        self._reason.setObjectName("routeReason")
        self._reason.setWordWrap(True)
        self._reason.setTextFormat(Qt.TextFormat.PlainText)
        self._offline = QLabel(self)
        self._offline.setObjectName("offlineNote")
        self._offline.setWordWrap(True)
        self._offline.setText(
            _("You are offline — your question waits here and is sent as soon as you are back.")
        )
        self._offline.setStyleSheet(f"color: {warning_color(self._offline)};")

        # -- the question ----------------------------------------------------------------------
        self.edit = MessageEdit(self)
        self.edit.setObjectName("questionEdit")
        self.edit.setPlaceholderText(
            _("What can we help you with? Enter sends, Shift+Enter adds a line.")
        )
        self.edit.setAccessibleName(_("Your question"))
        self.edit.setAccessibleDescription(_("Enter sends, Shift+Enter adds a line"))
        self.edit.set_lines(QUESTION_LINES)
        self.edit.submitted.connect(self.send)
        self.edit.textChanged.connect(self._update_controls)

        # -- what goes with it -----------------------------------------------------------------
        self.preview = SysinfoPreview()
        self.preview.changed.connect(self._render_plan)
        self._preview_heading = QLabel(_("This system info will be sent with your question:"), self)
        self._preview_heading.setObjectName("previewHeading")
        self._restore = QLabel(self)
        self._restore.setObjectName("restoreFields")
        self._restore.setTextFormat(Qt.TextFormat.RichText)
        self._restore.linkActivated.connect(lambda _href: self.preview.restore_all())
        heading_row = QHBoxLayout()
        heading_row.addWidget(self._preview_heading, 1)
        heading_row.addWidget(self._restore)
        self._preview_scroll = QScrollArea(self)
        self._preview_scroll.setObjectName("previewScroll")
        self._preview_scroll.setWidgetResizable(True)
        self._preview_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._preview_scroll.setWidget(self.preview)
        self._preview_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self._preview_box = QWidget(self)
        preview_layout = QVBoxLayout(self._preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.setSpacing(4)
        preview_layout.addLayout(heading_row)
        preview_layout.addWidget(self._preview_scroll)

        self._note = QLabel(self)
        self._note.setObjectName("sysinfoNote")
        self._note.setWordWrap(True)
        self._note.setStyleSheet(f"color: {secondary_color(self._note)};")

        self._error = QLabel(self)
        self._error.setObjectName("askError")
        self._error.setWordWrap(True)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setStyleSheet(f"color: {error_color(self._error)};")

        # -- Send ------------------------------------------------------------------------------
        self._progress = QProgressBar(self)
        self._progress.setObjectName("askProgress")
        self._progress.setRange(0, 0)
        self._progress.setTextVisible(False)
        self._progress.setFixedSize(72, 6)
        self._status = QLabel(self)
        self._status.setObjectName("askStatus")
        self._status.setStyleSheet(f"color: {secondary_color(self._status)};")
        self.send_button = QPushButton(_("&Send"), self)
        self.send_button.setObjectName("askSendButton")
        # Drawn as the default button; Enter in the question box is what sends, not the dialog.
        self.send_button.setDefault(True)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self._progress, 0, Qt.AlignmentFlag.AlignVCenter)
        bottom.addWidget(self._status, 1)
        bottom.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self._staff_list)
        layout.addSpacing(2)
        layout.addLayout(to_row)
        layout.addWidget(self._reason)
        layout.addWidget(self._offline)
        layout.addWidget(self.edit)
        layout.addWidget(self._preview_box, 10)
        layout.addWidget(self._note)
        layout.addWidget(self._error)
        # "Attach screenshot…": sent right after the question, beside its system info.
        self.screenshots: ScreenshotAttachment | None = None
        if files is not None and files.sends_files():
            from supporttray.ui.screenshot_attach import ScreenshotAttachment

            self.screenshots = ScreenshotAttachment(files, self, spawn=spawn, parent=self)
            layout.addWidget(self.screenshots)
        layout.addStretch(0)  # only what the preview, at its full height, leaves over
        layout.addLayout(bottom)
        self._layout = layout

        QWidget.setTabOrder(self.edit, self.send_button)

        self._replan_timer = QTimer(self)
        self._replan_timer.setSingleShot(True)
        self._replan_timer.setInterval(REPLAN_DELAY_MS)
        self._replan_timer.timeout.connect(self._replan_if_shown)

        self._bridge = CoreBridge(book, connection, parent=self)
        self._bridge.staff_changed.connect(self._on_staff_changed)
        self._bridge.connection_changed.connect(lambda _status: self._render_people())

        self._render_people()
        self._render_plan()

    # -- the API the controller uses --------------------------------------------------------
    def open(self, text: str = "", *, to: str | None = None, new_request: bool = False) -> None:
        """Show the window (prefilled by `supporttray ask`), plan the question, focus the box."""
        if self._disposed:
            return
        if text and not self._sending:
            self.edit.setPlainText(text)
            self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        if to is not None:
            self._select(bare_jid(to) if to else None)
        if new_request:
            self._new_request.setChecked(True)
        bring_to_front(self)
        self.edit.setFocus()
        self._render_people()
        if not self._sending:
            self._request_plan()

    def dispose(self) -> None:
        """Close for good (the app is quitting)."""
        self._replan_timer.stop()
        self._bridge.close()
        super().dispose()

    # -- for tests and screen readers ---------------------------------------------------------
    @property
    def plan(self) -> AskPlan | None:
        return self._plan

    @property
    def sending(self) -> bool:
        return self._sending

    @property
    def picker(self) -> QComboBox:
        return self._picker

    @property
    def new_request_box(self) -> QCheckBox:
        return self._new_request

    def staff_texts(self) -> list[str]:
        return [self._staff_list.item(i).text() for i in range(self._staff_list.count())]

    def reason_text(self) -> str:
        return self._reason.text() if self._reason.isVisibleTo(self) else ""

    def note_text(self) -> str:
        return self._note.text() if self._note.isVisibleTo(self) else ""

    def error_text(self) -> str:
        return self._error.text() if self._error.isVisibleTo(self) else ""

    def status_text(self) -> str:
        return self._status.text() if self._status.isVisibleTo(self) else ""

    def preview_shown(self) -> bool:
        return self._preview_box.isVisibleTo(self)

    def offline_note_shown(self) -> bool:
        return self._offline.isVisibleTo(self)

    def chosen(self) -> str | None:
        """The bare JID the person picked, or None for whoever is available."""
        data = self._picker.currentData()
        return data if isinstance(data, str) and data else None

    # -- sending ---------------------------------------------------------------------------------
    def send(self) -> None:
        text = self.edit.toPlainText()
        if not text.strip() or self._sending:
            return
        key = self._key()
        self._sending = True
        self._collecting_for_send = not self._plan_ready(key)
        self._send_error = ""
        self._render_error()
        self._update_controls()
        self._spawn(self._send(text, key))

    async def _send(self, text: str, key: PlanKey) -> None:
        try:
            plan = self._plan if self._plan_ready(key) else None
            if plan is None:
                plan = await self._service.plan_ask(key[0], new_request=key[1])
                self._plan_seq += 1  # this plan wins over any still on its way
                self._apply_plan(plan, key)
            self._collecting_for_send = False
            self._update_controls()
            sysinfo = None
            if plan.sysinfo is not None and plan.consent == "preview":
                sysinfo = plan.sysinfo.without(self.preview.removed_keys())
            message = await self._service.ask(plan, text, sysinfo=sysinfo)
        except AskError as exc:
            self._send_failed(shown(exc))
        except Exception:
            log.exception("asking support failed")
            self._send_failed(
                _("Your question could not be sent because of an unexpected error. "
                  "It is still here; try again in a moment.")
            )
        else:
            self._sent(message)
        finally:
            self._sending = False
            self._collecting_for_send = False
            if not self._disposed:
                self._update_controls()

    def _sent(self, message: ChatMessage) -> None:
        log.info("question sent (%s)", "new request" if self._new_request.isChecked() else "open")
        if self._disposed:
            return
        self.edit.clear()
        self._plan = None  # the next question continues this request: plan it afresh
        self._plan_key = None
        self._new_request.blockSignals(True)
        self._new_request.setChecked(False)
        self._new_request.blockSignals(False)
        if self.screenshots is not None:
            self.screenshots.send_with(message.peer, message.thread)
        self.hide()
        self._open_chat(message.peer)

    def _send_failed(self, sentence: str) -> None:
        if self._disposed:
            return
        # The typed text stays in the box: nothing was cleared.
        self._send_error = sentence
        self._render_error()

    # -- planning ------------------------------------------------------------------------------
    def _key(self) -> PlanKey:
        return (self.chosen(), self._new_request.isChecked())

    def _plan_ready(self, key: PlanKey) -> bool:
        return self._plan is not None and self._plan_key == key

    def _request_plan(self) -> None:
        if self._disposed:
            return
        key = self._key()
        self._plan_seq += 1
        seq = self._plan_seq
        self._planning = key
        self._render_plan()
        self._spawn(self._fetch_plan(seq, key))

    async def _fetch_plan(self, seq: int, key: PlanKey) -> None:
        try:
            plan = await self._service.plan_ask(key[0], new_request=key[1])
        except AskError as exc:
            self._plan_failed(seq, shown(exc))
            return
        except Exception:
            log.exception("planning the question failed")
            self._plan_failed(seq, _("Could not prepare your question. Try again in a moment."))
            return
        if seq == self._plan_seq and not self._disposed:
            self._apply_plan(plan, key)

    def _apply_plan(self, plan: AskPlan, key: PlanKey) -> None:
        self._plan = plan
        self._plan_key = key
        self._planning = None
        self._plan_error = ""
        self.preview.set_snapshot(
            plan.sysinfo if plan.consent == "preview" and plan.new_request else None
        )
        self._render_plan()

    def _plan_failed(self, seq: int, sentence: str) -> None:
        if seq != self._plan_seq or self._disposed:
            return
        self._plan = None
        self._plan_key = None
        self._planning = None
        self._plan_error = sentence
        self._render_plan()

    def _on_choice_changed(self) -> None:
        self._send_error = ""
        self._request_plan()

    def _on_staff_changed(self) -> None:
        self._render_people()
        if self.isVisible() and not self._sending:
            self._replan_timer.start()

    def _replan_if_shown(self) -> None:
        if self.isVisible() and not self._sending:
            self._request_plan()

    def _on_staff_clicked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        jid = index.data(JID_ROLE)
        if isinstance(jid, str):
            self._select(bare_jid(jid))

    def _select(self, jid: str | None) -> None:
        index = self._picker.findData(jid or "")
        if index < 0 and jid:
            # Someone not on the staff list (`supporttray ask --to`): still a valid choice.
            self._picker.addItem(jid, jid)
            index = self._picker.count() - 1
        self._picker.setCurrentIndex(max(0, index))

    # -- drawing ---------------------------------------------------------------------------------
    def _render_people(self) -> None:
        now = self._clock()
        summary = self._book.summary()
        status = self._connection.status
        self._state_icon.setPixmap(
            self._icons.pixmap(IconKey.for_tray(summary, status), HEADER_ICON_SIZE)
        )
        self._summary.setText(summary_sentence(summary))
        members = self._book.members()
        fill_staff_list(self._staff_list, members, now, self._icons)
        self._staff_list.setVisible(bool(members))
        self._staff_list.updateGeometry()
        self._offline.setVisible(status.state is not ConnectionState.ONLINE)

        chosen = self.chosen()
        self._picker.blockSignals(True)
        self._picker.clear()
        self._picker.addItem(self._icons.icon(IconKey.for_tray(summary, status)), _(WHOEVER), "")
        for member in members:
            self._picker.addItem(
                self._icons.icon(IconKey.for_availability(member.availability)),
                f"{member.name} — {member.availability.label}",
                bare_jid(member.jid),
            )
        index = self._picker.findData(chosen or "")
        if index < 0 and chosen:
            self._picker.addItem(chosen, chosen)
            index = self._picker.count() - 1
        self._picker.setCurrentIndex(max(0, index))
        self._picker.blockSignals(False)

    def _render_plan(self) -> None:
        key = self._key()
        plan = self._plan if self._plan_ready(key) else None

        if plan is not None:
            self._reason.setText(shown(plan.reason) + (
                f"\n{shown(plan.expectation)}" if plan.expectation is not None else ""))
            self._reason.setStyleSheet(
                f"color: {warning_color(self._reason)};" if plan.nobody_online
                else "font-weight: bold;"
            )
            self._reason.show()
        elif self._plan_error:
            self._reason.hide()
        else:
            self._reason.setText(_("Finding the right person…"))
            self._reason.setStyleSheet(f"color: {secondary_color(self._reason)};")
            self._reason.show()

        preview = (
            plan is not None
            and plan.consent == "preview"
            and plan.new_request
            and plan.sysinfo is not None
        )
        self._preview_box.setVisible(preview)
        if preview:
            removed = self.preview.removed_count()
            self._restore.setText(
                ngettext('{count} removed · <a href="#restore">Restore</a>',
                         '{count} removed · <a href="#restore">Restore</a>', removed
                         ).format(count=removed) if removed else ""
            )
            self._restore.setVisible(bool(removed))
            self._size_preview()

        note = ""
        if plan is not None and plan.new_request and plan.sysinfo is not None:
            if plan.consent == "always":
                note = _("System info is attached")
                self._note.setToolTip(", ".join(item.label for item in plan.sysinfo.items))
        elif plan is not None and not plan.new_request:
            note = _("Continues your open request — check “New request” to start a new one.")
            self._note.setToolTip("")
        self._note.setText(note)
        self._note.setVisible(bool(note))

        self._render_error()
        self._update_controls()

    def _render_error(self) -> None:
        sentence = self._send_error or self._plan_error
        self._error.setText(sentence)
        self._error.setVisible(bool(sentence))

    def _size_preview(self) -> None:
        # As tall as the window allows, but never taller than the list nor shorter than a few
        # rows: the person should see at a glance that there is more to scroll.
        rows = len(self.preview.shown_keys())
        content = self.preview.sizeHint().height()
        row_height = content // rows if rows else content
        frame = 2 * self._preview_scroll.frameWidth()
        self._preview_scroll.setMinimumHeight(min(rows, PREVIEW_MIN_ROWS) * row_height + frame)
        self._preview_scroll.setMaximumHeight(content + frame)

    def _update_controls(self) -> None:
        has_text = bool(self.edit.toPlainText().strip())
        self.send_button.setEnabled(has_text and not self._sending)
        self.send_button.setText(_("Sending…") if self._sending else _("&Send"))
        self.edit.setReadOnly(self._sending)
        planning = self._planning is not None and self._planning == self._key()
        busy = self._sending or (planning and not self._plan_ready(self._key()))
        self._progress.setVisible(busy)
        if self._sending:
            status = _("Collecting system info…") if self._collecting_for_send else _("Sending…")
        elif busy:
            status = _("Collecting system info…")
        else:
            status = ""
        self._status.setText(status)

    # -- events ----------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized:
            self._sized = True
            self.resize(max(480, self.sizeHint().width()), max(600, self.sizeHint().height()))
        super().showEvent(event)

