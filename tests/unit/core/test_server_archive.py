"""ServerArchive: the last answer of discovery, kept while a later login gets none."""

from __future__ import annotations

from supporttray.core.server_archive import ServerArchive


def test_unknown_until_a_login_asks() -> None:
    assert ServerArchive().archives is None


def test_a_change_is_told_once_and_no_answer_keeps_the_last_one() -> None:
    archive = ServerArchive()
    told: list[bool | None] = []
    archive.changed.subscribe(told.append)

    archive.found(True)
    archive.found(True)
    archive.found(None)  # the next login's server did not answer in time

    assert archive.archives is True
    assert told == [True]
    archive.found(False)
    assert told == [True, False]
