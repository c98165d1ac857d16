"""The tray icons render from the packaged SVGs, one picture per state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.presence import Availability, SupportSummary
from supporttray.ui.icons import (
    ICON_SIZES,
    STATE_COLOURS,
    IconKey,
    IconSet,
    badge_label,
    load_brand_icon,
)


def opaque_pixels(image: QImage) -> int:
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 0
    )


@pytest.mark.parametrize("key", list(IconKey))
def test_every_state_icon_renders_something_at_16_px(
    qtbot: QtBot, icons: IconSet, key: IconKey
) -> None:
    pixmap = icons.pixmap(key, 16)
    assert not pixmap.isNull()
    # A speech bubble covers a good part of the square; an empty render would be 0.
    assert opaque_pixels(pixmap.toImage()) > 16 * 16 // 3


def test_state_icons_differ_from_each_other(qtbot: QtBot, icons: IconSet) -> None:
    images = {key: icons.pixmap(key, 16).toImage() for key in IconKey}
    assert len({bytes(image.constBits()) for image in images.values()}) == len(IconKey)


def test_unread_badge_changes_the_icon(qtbot: QtBot, icons: IconSet) -> None:
    plain = icons.pixmap(IconKey.AVAILABLE, 22).toImage()
    badged = icons.pixmap(IconKey.AVAILABLE, 22, unread=True).toImage()
    assert plain != badged


def test_the_request_count_badge_differs_per_count_up_to_nine_plus(
    qtbot: QtBot, icons: IconSet
) -> None:
    # Keep each QImage alive while its bits are copied: constBits() does not hold it.
    rendered = [icons.pixmap(IconKey.AVAILABLE, 22, count=n).toImage()
                for n in (0, 1, 2, 9, 10, 57)]
    images = [bytes(image.constBits()) for image in rendered]
    assert len(set(images[:5])) == 5  # none, 1, 2, 9 and 9+ all look different
    assert images[4] == images[5]  # 10 and 57 both say 9+
    assert [badge_label(n) for n in (-1, 0, 1, 9, 10)] == ["", "", "1", "9", "9+"]
    # the count badge is drawn in white on blue: some white pixels in the top right corner
    image = icons.pixmap(IconKey.BUSY, 32, count=3).toImage()
    corner = [image.pixelColor(x, y) for x in range(20, 32) for y in range(0, 12)]
    assert any(c.red() > 240 and c.green() > 240 and c.blue() > 240 for c in corner)


def test_icon_offers_every_tray_size(qtbot: QtBot, icons: IconSet) -> None:
    sizes = {size.width() for size in icons.icon(IconKey.AWAY).availableSizes()}
    assert sizes == set(ICON_SIZES)


@pytest.mark.parametrize(
    ("state", "availability", "key"),
    [
        (ConnectionState.ONLINE, Availability.AVAILABLE, IconKey.AVAILABLE),
        (ConnectionState.ONLINE, Availability.AWAY, IconKey.AWAY),
        (ConnectionState.ONLINE, Availability.BUSY, IconKey.BUSY),
        (ConnectionState.ONLINE, Availability.OFFLINE, IconKey.OFFLINE),
        (ConnectionState.CONNECTING, Availability.AVAILABLE, IconKey.CONNECTING),
        (ConnectionState.OFFLINE, Availability.AVAILABLE, IconKey.OFFLINE),
        (ConnectionState.ERROR, Availability.AVAILABLE, IconKey.OFFLINE),
    ],
)
def test_tray_picture_puts_our_connection_before_staff_availability(
    state: ConnectionState, availability: Availability, key: IconKey
) -> None:
    summary = SupportSummary(availability, available=0, away=0, busy=0, total=1)
    assert IconKey.for_tray(summary, ConnectionStatus(state)) is key


# -- branding.icon ------------------------------------------------------------------------------

BRAND_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
             b'<rect width="10" height="10" fill="#6a1b9a"/></svg>')


@pytest.mark.parametrize("name", ["brand.svg", "brand.png"])
def test_a_brand_icon_replaces_the_pictures_and_keeps_the_state_as_a_dot(
    qtbot: QtBot, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    if name.endswith(".svg"):
        path.write_bytes(BRAND_SVG)
    else:
        image = QImage(32, 32, QImage.Format.Format_ARGB32)
        image.fill(QColor("#6a1b9a"))
        assert image.save(str(path))
    brand, problem = load_brand_icon(str(path))
    assert problem is None and brand is not None
    icons = IconSet(brand=brand)
    green = icons.pixmap(IconKey.AVAILABLE, 48).toImage()
    grey = icons.pixmap(IconKey.OFFLINE, 48).toImage()
    # The brand's purple fills the top left; the corner dot says the state.
    assert green.pixelColor(6, 6).name() == "#6a1b9a"
    assert green.pixelColor(40, 40).name() == STATE_COLOURS[IconKey.AVAILABLE]
    assert grey.pixelColor(40, 40).name() == STATE_COLOURS[IconKey.OFFLINE]


@pytest.mark.parametrize(("content", "says"), [
    (None, "does not exist"),
    (b"not a picture at all", "is not a picture this app can read"),
])
def test_a_bad_brand_icon_is_a_sentence_and_no_picture(
    qtbot: QtBot, tmp_path: Path, content: bytes | None, says: str
) -> None:
    path = tmp_path / "brand.png"
    if content is not None:
        path.write_bytes(content)
    brand, problem = load_brand_icon(str(path))
    assert brand is None
    assert problem is not None
    assert problem.startswith(f"branding.icon: {path} {says}")
    assert problem.endswith("the built-in icon is used instead.")


@pytest.mark.parametrize("size", [96, 128])
def test_icons_are_drawn_at_task_switcher_sizes_not_scaled_up(
    qtbot: QtBot, icons: IconSet, size: int
) -> None:
    assert any(s.width() == size for s in icons.icon(IconKey.AVAILABLE).availableSizes())
    assert any(s.width() == size for s in icons.app_icon().availableSizes())


def test_the_application_icon_is_its_own_picture_and_a_brand_replaces_it(
    qtbot: QtBot, icons: IconSet
) -> None:
    app = icons.app_icon().pixmap(64).toImage()
    assert opaque_pixels(app) > 64 * 64 // 3
    assert all(app != icons.pixmap(key, 64).toImage() for key in IconKey)
    brand = QImage(32, 32, QImage.Format.Format_ARGB32)
    brand.fill(QColor("#ff00ff"))
    branded = IconSet(brand=brand).app_icon().pixmap(64).toImage()
    # IT's picture as it is: no state dot on the application icon.
    assert branded.pixelColor(60, 60) == QColor("#ff00ff")
