"""`supporttray sysinfo`: exactly what would be attached, in the contract's shape."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from supporttray.app.sysinfo_command import run_sysinfo
from supporttray.config.sysinfo_fields import LABELS


def fixed(value: str) -> Callable[[], str]:
    return lambda: value


FAKE_SOURCES = {"os.name": fixed("Debian GNU/Linux 12 (bookworm)"), "cpu": fixed("AMD EPYC")}


def test_sysinfo_json_has_the_contract_shape() -> None:
    out = io.StringIO()

    code = run_sysinfo(["os.name", "cpu", "app.version"], "preview", as_json=True, out=out,
                       app_version="0.1.0", sources=FAKE_SOURCES)

    assert code == 0
    document = json.loads(out.getvalue())
    assert set(document) == {"consent", "attached", "fields", "collected_ms"}
    assert document["consent"] == "preview" and document["attached"] is True
    assert document["fields"] == [
        {"key": "os.name", "label": "OS", "value": "Debian GNU/Linux 12 (bookworm)"},
        {"key": "cpu", "label": "CPU", "value": "AMD EPYC"},
        {"key": "app.version", "label": LABELS["app.version"], "value": "0.1.0"},
    ]
    assert isinstance(document["collected_ms"], float) and document["collected_ms"] >= 0


def test_sysinfo_with_consent_never_attaches_and_collects_nothing() -> None:
    called: list[str] = []

    def recorded() -> str:
        called.append("os.name")
        return "x"

    as_json, as_text = io.StringIO(), io.StringIO()
    for out, json_flag in ((as_json, True), (as_text, False)):
        assert run_sysinfo(["os.name"], "never", as_json=json_flag, out=out,
                           app_version="0.1.0", sources={"os.name": recorded}) == 0

    assert json.loads(as_json.getvalue()) == {
        "consent": "never", "attached": False, "fields": [], "collected_ms": 0.0
    }
    assert "no system info is attached" in as_text.getvalue()
    assert "System info (SupportTray)" not in as_text.getvalue()
    assert called == []


def test_sysinfo_in_text_says_the_consent_mode_then_prints_the_block() -> None:
    out = io.StringIO()

    run_sysinfo(["os.name", "cpu"], "preview", as_json=False, out=out, app_version="0.1.0",
                sources=FAKE_SOURCES)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Consent: preview")
    assert lines[2:] == ["--- System info (SupportTray) ---",
                         "OS: Debian GNU/Linux 12 (bookworm)", "CPU: AMD EPYC"]


def test_sysinfo_with_no_fields_allowed_says_nothing_is_attached() -> None:
    out = io.StringIO()
    run_sysinfo([], "always", as_json=True, out=out, app_version="0.1.0")
    assert json.loads(out.getvalue())["attached"] is False


def test_sysinfo_rejects_an_unknown_consent_mode_with_a_sentence() -> None:
    out = io.StringIO()
    assert run_sysinfo(["os.name"], "maybe", as_json=False, out=out, app_version="1") == 2
    assert "preview, always or never" in out.getvalue()
