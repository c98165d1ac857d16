"""`supporttray check` against the real server: a running SupportTray asks three colleagues;
two answer with SupportTray's buttons (the app's GroupChecks.answer on a real connection, what
the buttons call), one is an ordinary XMPP client that answers by text or a reaction. The exit
codes are the contract an ops script gates on: 0 all agreed, 1 objected, 4 no answer by the
deadline, 2 bad usage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from supporttray.app.group_check import AskedOfMe, GroupChecks
from supporttray.core.answer_words import Answer
from supporttray.sandbox.prosody import Account
from supporttray.xmpp.endpoint import ServerEndpoint
from supporttray.xmpp.group_check_wire import GroupCheckWire

from .conftest import XmppServer
from .test_chat_cli import add_policy
from .test_chat_wire import PlainPeer
from .test_cli_against_server import Cli, is_online, write_policy


class ButtonPeer:
    """A colleague running SupportTray's group-check code who presses `answer` on each
    question as it arrives."""

    def __init__(self, peer: PlainPeer, answer: Answer) -> None:
        self.peer = peer
        self.answer = answer
        assert peer.client is not None
        self.checks = GroupChecks(peer.jid, dict)
        wire = GroupCheckWire(self.checks, is_online=lambda: True)
        wire.install(peer.client)
        self.checks.attach_wire(wire)
        self.checks.question_arrived.subscribe(self._press)

    def _press(self, asked: AskedOfMe) -> None:
        self.checks.answer(asked.check_id, self.answer)


@asynccontextmanager
async def signed_in(peers: list[PlainPeer]) -> AsyncIterator[None]:
    for peer in peers:
        await peer.sign_in()
    try:
        yield
    finally:
        for peer in peers:
            await peer.sign_out()


def asker(xmpp_server: XmppServer, env: dict[str, str], tmp_path: Path, me: Account,
          team: list[Account]) -> Cli:
    policy = tmp_path / "policy.toml"
    write_policy(policy, xmpp_server, [team[0].jid])
    add_policy(policy, **{"groups__dev-team": [t.jid for t in team]})
    endpoint = ServerEndpoint(xmpp_server.domain, xmpp_server.host, xmpp_server.port,
                              ca_file=xmpp_server.ca_file)
    return Cli(env, tmp_path / "profile", policy, me, team[0], endpoint, tmp_path)


async def answer_plainly(peer: PlainPeer, text: str) -> None:
    """The plain client's person reads the question, then types `text` back (no thread)."""
    while not peer.messages:
        await asyncio.sleep(0.02)
    asker_jid = peer.messages[-1].stanza["from"].bare
    assert peer.client is not None
    peer.client.send_message(mto=asker_jid, mbody=text, mtype="chat")


async def react(peer: PlainPeer, emoji: str) -> None:
    """The plain client's person reacts to the question (XEP-0444) instead of writing."""
    while not peer.messages:
        await asyncio.sleep(0.02)
    question = peer.messages[-1].stanza
    assert peer.client is not None
    peer.client.register_plugin("xep_0444")
    peer.client.plugin["xep_0444"].send_reactions(question["from"].bare, question["id"],
                                                  [emoji])


@pytest.mark.asyncio
async def test_check_exit_codes_follow_the_answers(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    me, one, two, plain_account = xmpp_server.fresh_accounts(4)
    team = [one, two, plain_account]
    cli = asker(xmpp_server, subprocess_env, tmp_path, me, team)
    assert (await cli.login(me.password)).code == 0
    first, second, plain = (PlainPeer(a, xmpp_server) for a in team)

    async with cli.running(), signed_in([first, second, plain]):
        await cli.status_when(is_online)
        ButtonPeer(first, Answer.AGREED)
        buttons = ButtonPeer(second, Answer.AGREED)

        # all agreed: two buttons and a plain "Yes!" -> 0, each answer printed
        asked = asyncio.ensure_future(
            cli("check", "--to", "dev-team", "--deadline", "30s", "--wait",
                "Restart the dev server?", timeout=40))
        await answer_plainly(plain, "Yes! go ahead")
        done = await asked
        assert done.code == 0, (done.out, done.err)
        for person in team:
            assert f"{person.jid}: yes" in done.out
        assert "All agreed." in done.out

        # one objects in words -> 1, naming them and what they wrote
        plain.messages.clear()
        asked = asyncio.ensure_future(
            cli("check", "--to", ",".join(t.jid for t in team), "--wait",
                "Deploy now?", timeout=40))
        await answer_plainly(plain, "nope, still compiling")
        done = await asked
        assert done.code == 1, (done.out, done.err)
        assert f"Objected: {plain_account.jid}" in done.out
        assert "still compiling" in done.out

        # a thumbs-up reaction is an answer too
        plain.messages.clear()
        asked = asyncio.ensure_future(
            cli("check", "--to", "dev-team", "--wait", "Reboot the build box?", timeout=40))
        await react(plain, "👍🏽")
        done = await asked
        assert done.code == 0, (done.out, done.err)

        # one never answers: after the deadline -> 4, naming them
        plain.messages.clear()
        buttons.answer = Answer.AGREED
        done = await cli("check", "--to", "dev-team", "--deadline", "3s", "--wait",
                         "Restart the database?", timeout=40)
        assert done.code == 4, (done.out, done.err)
        assert f"No answer by the deadline: {plain_account.jid}" in done.out

        # the questions and the answers are in the asker's history
        history = await cli("history", "--with", plain_account.jid)
        assert "Restart the dev server?" in history.out
        assert "still compiling" in history.out


@pytest.mark.asyncio
async def test_a_deadline_that_is_not_a_duration_is_bad_usage(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    me, one = xmpp_server.fresh_accounts(2)
    cli = asker(xmpp_server, subprocess_env, tmp_path, me, [one])
    done = await cli("check", "--to", one.jid, "--deadline", "soon", "--wait", "Restart?")
    assert done.code == 2, (done.out, done.err)
    assert "not a duration" in done.err
