"""Baseline: the least a tray app over XMPP can do, launched exactly like SupportTray.

    --qt          QApplication + a tray icon (or, without a tray, a plain window), shown
    --xmpp        a slixmpp login (STARTTLS, C-speed SCRAM, roster, presence) on asyncio
    --qt --xmpp   both, slixmpp on the qasync loop: the floor for "launch -> online"
    --stay        keep running (idle) until SIGTERM

Prints `shown EPOCH` and `online EPOCH` (time.time(), the clock of SupportTray's log lines).
The account comes as one JSON line on stdin: {"jid", "password", "host", "port", "ca_file"}.
"""

import sys
import time


def show_tray() -> object:
    from PySide6.QtGui import QColor, QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("grey"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray.show()
        keep: object = tray
    else:
        window = QWidget()
        window.setWindowTitle("Support")
        window.resize(320, 240)
        window.show()
        keep = (tray, window)
    print(f"shown {time.time():.6f}", flush=True)
    return (app, keep)


def make_client(account: dict) -> object:
    import hashlib

    import slixmpp
    from slixmpp.util.sasl import mechanisms

    def fast_hi(self, text, salt, iterations):  # the same C PBKDF2 the app installs
        return hashlib.pbkdf2_hmac(self.hash().name, bytes(text), bytes(salt), iterations,
                                   dklen=self.hash().digest_size)

    mechanisms.SCRAM.Hi = fast_hi
    client = slixmpp.ClientXMPP(account["jid"], account["password"])
    client.enable_direct_tls = False
    client.enable_starttls = True
    client.enable_plaintext = False
    client.ca_certs = account["ca_file"]

    async def session_start(_event):
        await client.get_roster()
        client.send_presence()
        print(f"online {time.time():.6f}", flush=True)
        if "--stay" not in sys.argv:
            client.disconnect()

    client.add_event_handler("session_start", session_start)
    client.add_event_handler("disconnected", lambda _e: client.loop.stop()
                             if "--stay" not in sys.argv else None)
    client.connect(account["host"], account["port"])
    return client


def main() -> int:
    import json

    account = json.loads(sys.stdin.readline()) if "--xmpp" in sys.argv else {}
    qt = show_tray() if "--qt" in sys.argv else None
    if "--xmpp" not in sys.argv:
        if "--stay" in sys.argv:
            qt[0].exec()  # type: ignore[index]  # until SIGTERM's default action ends us
        return 0
    import asyncio

    if qt is not None:
        import qasync

        loop = qasync.QEventLoop(qt[0])  # type: ignore[index]
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = make_client(account)
    try:
        loop.run_forever()
    finally:
        del client
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
