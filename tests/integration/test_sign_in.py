"""A fresh profile with only a machine policy signs in through the Sign-in window and goes
online, with no terminal: the window is driven in-process (pytest-qt) against the real server,
then `supporttray run` on that profile proves the child path through the control socket."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from supporttray.app.service import SupportService
from supporttray.app.sign_in import SignIn
from supporttray.config.password_source import ChildProcessPasswords
from supporttray.config.paths import resolve_paths
from supporttray.config.policy import load_policy
from supporttray.config.settings import load_settings
from supporttray.core.connection import ConnectionState
from supporttray.doctor import sign_in_findings
from supporttray.service_settings import support_config
from supporttray.ui.sign_in_window import SignInWindow
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_cli_against_server import Cli, is_online, write_policy

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")


async def until(condition: Any, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_a_fresh_profile_signs_in_through_the_window_and_goes_online(
    qtbot: QtBot, xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a fresh profile with only a machine policy that locks the server
    requester, staff = xmpp_server.fresh_accounts(2)
    policy_file = tmp_path / "policy.toml"
    write_policy(policy_file, xmpp_server, [staff.jid])
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(name, subprocess_env[name])  # the password child's keyring
    paths = resolve_paths(str(tmp_path / "profile"), {})
    paths.ensure()
    settings = load_settings(paths, load_policy(policy_file, explicit=True))

    def reread() -> Any:
        return support_config(load_settings(paths, settings.policy))

    passwords = ChildProcessPasswords()
    service = SupportService(support_config(settings), passwords, reload_config=reread)
    tasks: list[asyncio.Task[Any]] = []

    def spawn(coroutine: Coroutine[Any, Any, Any]) -> None:
        tasks.append(asyncio.ensure_future(coroutine))

    backend = SignIn(settings, passwords, service,
                     lambda jid, password: sign_in_findings(settings, jid, password))
    window = SignInWindow(backend, spawn, app_name="SupportTray")
    qtbot.addWidget(window)
    service.monitor.changed.subscribe(window.connection_changed)

    # when the app starts: no account, so the window opens by itself, server locked
    await service.start()
    assert service.monitor.status.needs_sign_in
    assert window.isVisible()
    assert window.server["server.domain"].isReadOnly()

    # and the person types their account and password; Check connection gives doctor's words
    window.account.setText(requester.jid)
    qtbot.keyClicks(window.password, requester.password)
    window.check_connection()
    await until(lambda: window.check_button.isEnabled())
    assert f"OK login: logged in as {requester.jid}" in window.result.text().splitlines()

    # then Enter signs in: the app goes online at once
    qtbot.keyClick(window.password, Qt.Key.Key_Return)
    await until(lambda: service.monitor.status.state is ConnectionState.ONLINE)
    assert not window.isVisible()
    assert passwords.get(requester.jid) == requester.password  # in the keyring
    settings_text = paths.settings_file.read_text(encoding="utf-8")
    assert requester.password not in settings_text  # never in a file of ours
    await service.stop()
    await asyncio.gather(*tasks)
    window.dispose()

    # and `supporttray run` on that profile goes online with what the window stored
    endpoint = ServerEndpoint(xmpp_server.domain, xmpp_server.host, xmpp_server.port,
                              ca_file=xmpp_server.ca_file)
    cli = Cli(subprocess_env, tmp_path / "profile", policy_file, requester, staff, endpoint,
              tmp_path)
    async with cli.running():
        status, _ = await cli.status_when(is_online)
        assert status["account"] == requester.jid
