"""What a file offer may do without a click, where it is saved, and how progress reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.core.file_offer import (
    MB,
    FileOffer,
    FilePolicy,
    FilesAllowed,
    TransferProgress,
    free_path,
    may_fetch,
    may_fetch_automatically,
    may_send,
    name_from_url,
    safe_file_name,
    size_text,
    too_large,
)

UPLOAD = "upload.example.org"
OURS = ("example.org", "xmpp.example.org")
PICTURE = FileOffer(f"https://{UPLOAD}/a/b/screen.png", "screen.png", 300_000, "image/png")
BUILD = FileOffer(f"https://{UPLOAD}/c/setup.msi", "setup.msi", 200 * MB, "application/x-msi")


def taken(*names: str):  # type: ignore[no-untyped-def]
    return lambda path: path.name in names


def test_a_second_file_of_the_same_name_gets_a_number_and_nothing_is_replaced() -> None:
    folder = Path("/home/ann/Downloads")
    assert free_path(folder, "report.pdf", taken()) == folder / "report.pdf"
    assert free_path(folder, "report.pdf", taken("report.pdf")) == folder / "report (1).pdf"
    assert free_path(folder, "report.pdf", taken("report.pdf", "report (1).pdf")) == (
        folder / "report (2).pdf")
    assert free_path(folder, "logs.tar.gz", taken("logs.tar.gz")) == folder / "logs (1).tar.gz"


@pytest.mark.parametrize(("sent", "saved"), [
    ("../../.bashrc", "bashrc"), ("C:\\Windows\\evil.exe", "evil.exe"), ("a/b", "b"),
    ("", "file"), ("..", "file"), ("bad\x00name?.txt", "bad_name_.txt"),
])
def test_a_received_name_is_only_ever_a_name(sent: str, saved: str) -> None:
    assert safe_file_name(sent) == saved


def test_a_link_without_metadata_is_named_after_its_last_segment() -> None:
    assert name_from_url("https://h/x/Quarterly%20report.xlsx?x=1") == "Quarterly report.xlsx"


def test_only_small_pictures_from_our_own_upload_host_over_https_come_without_a_click() -> None:
    policy = FilePolicy()
    assert may_fetch_automatically(PICTURE, policy, OURS)
    assert not may_fetch_automatically(BUILD, policy, OURS)  # not a picture: a click
    elsewhere = FileOffer("https://evil.example.com/screen.png", "screen.png", 10, "image/png")
    assert not may_fetch_automatically(elsewhere, policy, OURS)
    assert not may_fetch(elsewhere, policy, OURS)  # just a link
    plain = FileOffer(f"http://{UPLOAD}/screen.png", "screen.png", 10, "image/png")
    assert not may_fetch(plain, policy, OURS)
    big = FileOffer(PICTURE.url, "huge.png", 101 * MB, "image/png")
    assert not may_fetch_automatically(big, policy, OURS)
    assert not may_fetch_automatically(PICTURE, FilePolicy(auto_download_images=False), OURS)


def test_policy_off_and_images_only_govern_both_ways() -> None:
    off = FilePolicy(allowed=FilesAllowed.OFF)
    images = FilePolicy(allowed=FilesAllowed.IMAGES)
    assert str(may_send(off, "image/png")) == "Sending files is turned off on this computer."
    assert may_send(images, "image/png") is None
    assert str(may_send(images, "application/zip")) == (
        "Only pictures may be sent from this computer.")
    assert not may_fetch(PICTURE, off, OURS)
    assert may_fetch(PICTURE, images, OURS) and not may_fetch(BUILD, images, OURS)


def test_progress_reads_with_speed_and_time_left() -> None:
    progress = TransferProgress(done=50 * MB, total=200 * MB, elapsed=2.0)
    assert progress.bytes_per_second == 25 * MB
    assert progress.seconds_left == 6.0
    assert str(progress.sentence()) == "50 MB of 200 MB, 25 MB/s, 6 s left"
    assert TransferProgress(0, 10, 0.0).seconds_left is None


def test_sizes_and_the_servers_limit_read_as_people_say_them() -> None:
    assert [size_text(n) for n in (512, 3500, 100 * MB, 2 * 1024**3)] == [
        "512 B", "3.4 kB", "100 MB", "2 GB"]
    assert str(too_large(100 * MB)) == "The server accepts files up to 100 MB."
