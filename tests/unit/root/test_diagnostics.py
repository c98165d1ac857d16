"""What IT reads about an installation: each setting's value and where it came from,
`doctor --json`, and the report "Copy diagnostics" copies, which holds no password and no
message text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supporttray.app.findings import Finding
from supporttray.config.paths import Paths
from supporttray.config.policy import Policy, load_policy
from supporttray.config.schema import KEYS
from supporttray.config.settings import Settings, load_settings
from supporttray.diagnostics import (
    diagnostics_report,
    doctor_json,
    effective_settings,
    redact_line,
)
from supporttray.language.sentence import Sentence

POLICY = '[enforced]\nserver.domain = "example.org"\n[defaults]\nhistory.retention_days = 30\n'


def profile(tmp_path: Path) -> Paths:
    paths = Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data",
                  log_dir=tmp_path / "logs", runtime_dir=tmp_path / "run")
    paths.ensure()
    return paths


def installed(tmp_path: Path) -> tuple[Paths, Settings, Path]:
    """A policy file IT wrote, and a user who changed one setting."""
    paths = profile(tmp_path)
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(POLICY, encoding="utf-8")
    paths.settings_file.write_text("app.autostart = false\n", encoding="utf-8")
    return paths, load_settings(paths, load_policy(policy_file, explicit=True)), policy_file


def test_each_setting_says_its_value_its_layer_and_where_that_was_written(
    tmp_path: Path,
) -> None:
    paths, settings, policy_file = installed(tmp_path)

    rows = {row.key: row for row in effective_settings(settings)}

    assert list(rows) == list(KEYS)
    assert (rows["server.domain"].value, rows["server.domain"].source,
            rows["server.domain"].origin) == ("example.org", "policy-enforced", str(policy_file))
    assert (rows["history.retention_days"].source, rows["history.retention_days"].origin) == (
        "policy-default", str(policy_file))
    assert (rows["app.autostart"].value, rows["app.autostart"].source,
            rows["app.autostart"].origin) == (False, "user", str(paths.settings_file))
    assert (rows["server.port"].source, rows["server.port"].origin) == ("default", None)
    assert rows["server.domain"].line() == (
        f'server.domain = "example.org"  (enforced by policy: {policy_file})')


def test_a_saved_group_is_listed_after_the_keys_with_where_it_came_from(
    tmp_path: Path,
) -> None:
    paths = profile(tmp_path)
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text('[defaults]\ngroups.dev-team = ["ann@example.org"]\n',
                           encoding="utf-8")
    settings = load_settings(paths, load_policy(policy_file, explicit=True))

    rows = effective_settings(settings)

    assert [row.key for row in rows] == [*KEYS, "groups.dev-team"]
    assert (rows[-1].value, rows[-1].source, rows[-1].origin) == (
        ["ann@example.org"], "policy-default", str(policy_file))


def test_doctor_json_is_one_object_with_id_verdict_sentence_and_hint_per_check() -> None:
    findings = [Finding("OK", "policy", Sentence.verbatim("no machine policy file")),
                Finding("FAIL", "keyring", Sentence.verbatim("no password stored")),
                Finding("WARN", "tray", Sentence.verbatim("no system tray"))]

    document = json.loads(doctor_json(findings, Settings(Policy.empty())))

    assert document["ok"] is False and document["failed"] == 1
    assert [check["id"] for check in document["checks"]] == ["policy", "keyring", "tray"]
    assert document["checks"][0] == {"id": "policy", "verdict": "OK",
                                     "sentence": "no machine policy file", "hint": None}
    assert document["checks"][1]["verdict"] == "FAIL"
    assert "supporttray login" in document["checks"][1]["hint"]
    assert document["checks"][2]["hint"]  # a WARN says what to do too
    port = next(row for row in document["settings"] if row["key"] == "server.port")
    assert port == {"key": "server.port", "value": 5222, "source": "default", "origin": None}


def test_the_copied_report_holds_no_password_and_no_message_text(tmp_path: Path) -> None:
    # given a log that (against the rules) once held a password, a SASL exchange and a message
    paths, settings, policy_file = installed(tmp_path)
    paths.log_file.write_text(
        "2026-12-06 10:00:00 INFO supporttray.app: request sent\n"
        "2026-12-06 10:00:01 DEBUG supporttray.xmpp: login with password=hunter2-secret\n"
        "2026-12-06 10:00:02 DEBUG slixmpp: SEND: <auth mechanism='PLAIN'>AGFkYQBodW50ZXIy</auth>\n"
        "2026-12-06 10:00:03 DEBUG slixmpp: RECV: <message><body>my salary is 1234</body>"
        "</message>\n"
        "2026-12-06 10:00:04 WARNING supporttray.ui: body='the printer is on fire' too long\n",
        encoding="utf-8")

    # when the person chooses "Copy diagnostics"
    report = diagnostics_report(paths, settings, connection="online")

    # then IT gets the versions, the connection, the settings and the log's shape ...
    assert report.startswith("SupportTray ")
    assert "Connection: online" in report
    assert f'server.domain = "example.org"  (enforced by policy: {policy_file})' in report
    assert "supporttray.app: request sent" in report
    # ... and none of the secrets or words
    for secret in ("hunter2", "AGFkYQBodW50ZXIy", "salary", "printer is on fire"):
        assert secret not in report


@pytest.mark.parametrize(("line", "kept", "gone"), [
    ("password: s3cret", "password=[redacted]", "s3cret"),
    ("token=abc.def", "token=[redacted]", "abc.def"),
    ("<body>hello there</body>", "body=[redacted]", "hello there"),
    ('body="hi"', "body=[redacted]", '"hi"'),
    ("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1ab</response>", "[redacted]",
     "cj1ab"),
])
def test_redaction_removes_the_value_and_keeps_the_line(line: str, kept: str, gone: str) -> None:
    assert kept in redact_line(line) and gone not in redact_line(line)


def test_a_report_without_a_log_file_says_so(tmp_path: Path) -> None:
    paths = profile(tmp_path)
    report = diagnostics_report(paths, Settings(Policy.empty()), connection="offline")
    assert "(cannot read the log:" in report


def test_doctor_json_prints_one_object_and_the_exit_code_of_doctor(
    tmp_path: Path, subprocess_env: dict[str, str],
) -> None:
    # given a policy IT wrote and no account yet
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(POLICY, encoding="utf-8")

    # when IT runs doctor --json
    done = subprocess.run(
        [sys.executable, "-m", "supporttray", "doctor", "--json", "--policy", str(policy_file),
         "--profile", str(tmp_path / "profile")],
        env=subprocess_env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, check=False)

    # then stdout is exactly one JSON object; the missing account fails it (exit 1)
    document = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    checks = {check["id"]: check for check in document["checks"]}
    assert checks["policy"]["verdict"] == "OK"
    assert str(policy_file) in checks["policy"]["sentence"]
    assert checks["account"]["verdict"] == "FAIL" and checks["account"]["hint"]
    assert all(set(check) == {"id", "verdict", "sentence", "hint"} for check in checks.values())
    domain = next(row for row in document["settings"] if row["key"] == "server.domain")
    assert domain["origin"] == str(policy_file)
