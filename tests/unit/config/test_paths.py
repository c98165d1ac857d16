"""Where an instance keeps its files: a profile keeps everything together, sockets stay usable."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from supporttray.config.paths import SOCKET_PATH_MAX, resolve_paths

posix_only = pytest.mark.skipif(os.name == "nt", reason="AF_UNIX sockets and modes are POSIX")


@pytest.fixture
def short_tmp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private, short temp dir standing in for /tmp, so tests never touch the shared one."""
    directory = Path(tempfile.mkdtemp(prefix="st-", dir="/tmp" if os.name != "nt" else None))
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def all_paths(profile: str) -> list[Path]:
    paths = resolve_paths(profile, {})
    return [
        paths.config_dir,
        paths.data_dir,
        paths.log_dir,
        paths.runtime_dir,
        paths.settings_file,
        paths.history_db,
        paths.log_file,
        paths.control_socket,
    ]


def test_with_a_profile_every_file_lives_under_it(profile_dir: Path) -> None:
    for path in all_paths(str(profile_dir)):
        assert path.is_relative_to(profile_dir.resolve()), path


def test_files_have_their_documented_names(profile_dir: Path) -> None:
    paths = resolve_paths(str(profile_dir), {})

    assert paths.settings_file == paths.config_dir / "settings.toml"
    assert paths.history_db == paths.data_dir / "history.sqlite3"
    assert paths.log_file == paths.log_dir / "supporttray.log"


def test_supporttray_home_is_honoured(profile_dir: Path) -> None:
    paths = resolve_paths(None, {"SUPPORTTRAY_HOME": str(profile_dir)})

    assert paths.config_dir == profile_dir.resolve() / "config"


def test_the_profile_option_wins_over_supporttray_home(tmp_path: Path, profile_dir: Path) -> None:
    paths = resolve_paths(str(profile_dir), {"SUPPORTTRAY_HOME": str(tmp_path / "other")})

    assert paths.data_dir == profile_dir.resolve() / "data"


def test_two_spellings_of_one_profile_resolve_alike(profile_dir: Path) -> None:
    roundabout = str(profile_dir / ".." / profile_dir.name)

    assert resolve_paths(roundabout, {}) == resolve_paths(str(profile_dir), {})


def test_without_a_profile_the_platform_directories_are_used_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. platformdirs' RuntimeDirWarning must not leak
        paths = resolve_paths(None, {})

    for directory in (paths.config_dir, paths.data_dir, paths.log_dir, paths.runtime_dir):
        assert "supporttray" in directory.parts


@posix_only
def test_ensure_creates_owner_only_directories(profile_dir: Path) -> None:
    paths = resolve_paths(str(profile_dir), {})

    paths.ensure()

    for directory in (paths.config_dir, paths.data_dir, paths.log_dir, paths.runtime_dir):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


@posix_only
def test_a_short_profile_keeps_its_socket_inside_the_profile(profile_dir: Path) -> None:
    paths = resolve_paths(str(profile_dir), {})

    assert paths.control_socket == paths.runtime_dir / "control.sock"


@posix_only
def test_the_instance_lock_sits_beside_the_socket_also_for_a_long_profile(
    tmp_path: Path, short_tmp: Path
) -> None:
    # One profile, one lock: wherever its socket goes, its lock goes, and no other profile's.
    short = resolve_paths(str(tmp_path / "p"), {})
    deep = resolve_paths(str(tmp_path / ("d" * 120)), {})
    assert short.instance_lock == short.runtime_dir / "control.lock"
    assert deep.instance_lock == deep.control_socket.with_suffix(".lock")
    assert deep.instance_lock != resolve_paths(str(tmp_path / ("e" * 120)), {}).instance_lock


@posix_only
def test_a_long_profile_path_still_gives_a_socket_one_can_listen_on(
    tmp_path: Path, short_tmp: Path
) -> None:
    # Given a profile so deep that <profile>/run/control.sock exceeds the AF_UNIX limit
    profile = tmp_path / ("deep-" * 20)
    paths = resolve_paths(str(profile), {})
    assert len(os.fsencode(paths.runtime_dir / "control.sock")) > SOCKET_PATH_MAX

    # When the directories are created
    paths.ensure()

    # Then the socket path is short, in an owner-only directory, and really can be bound
    path = paths.control_socket
    assert len(os.fsencode(path)) <= SOCKET_PATH_MAX <= 107
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(os.fspath(path))


@posix_only
def test_long_profiles_get_distinct_stable_sockets(tmp_path: Path, short_tmp: Path) -> None:
    first = tmp_path / ("a" * 120)
    second = tmp_path / ("b" * 120)

    assert (
        resolve_paths(str(first), {}).control_socket == resolve_paths(str(first), {}).control_socket
    )
    assert (
        resolve_paths(str(first), {}).control_socket
        != resolve_paths(str(second), {}).control_socket
    )


@posix_only
def test_a_shortened_socket_directory_someone_else_owns_is_refused(
    tmp_path: Path, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a temp directory with our expected name that is not ours (simulated: we claim to be
    # another uid, so the directory we create is "someone else's")
    paths = resolve_paths(str(tmp_path / ("x" * 120)), {})
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
    paths.control_socket.parent.mkdir(parents=True)

    with pytest.raises(PermissionError, match="not a directory owned by you"):
        paths.ensure()
