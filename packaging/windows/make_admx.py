#!/usr/bin/env python3
"""Write the Group Policy template (SupportTray.admx and en-US/SupportTray.adml) from the
settings schema, so that every key IT can set in the policy file can be set by Group Policy
too, with the same name, type and explanation.

    .venv/bin/python packaging/windows/make_admx.py          # rewrite both files
    .venv/bin/python packaging/windows/make_admx.py --check  # exit 1 if they are stale

Each key is a policy twice: under "Enforced" (HKLM\\Software\\Policies\\SupportTray\\Enforced,
locked) and under "Defaults" (...\\Defaults, the user may change it), the layout
supporttray/config/policy_windows.py reads. Lists are multi-line text (REG_MULTI_SZ), switches
1 / 0, numbers decimals, branding.links a list of label = link in a subkey.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from supporttray.config.schema import KEYS, KeySpec  # noqa: E402

HERE = Path(__file__).resolve().parent
ADMX = HERE / "SupportTray.admx"
ADML = HERE / "en-US" / "SupportTray.adml"
BASE = r"Software\Policies\SupportTray"
TABLES = {"Enforced": "Locked: users cannot change it.",
          "Defaults": "Preset: users may change it in Settings."}
NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
ROOT_ATTRIBUTES = ('xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                   f'revision="1.0" schemaVersion="1.0" xmlns="{NS}"')


def ident(key: str) -> str:
    return key.replace(".", "_")


def element(spec: KeySpec, table: str) -> str:
    """The <elements> child that writes `spec`'s value, or "" for a switch (no element)."""
    name, value = ident(spec.key), quoteattr(spec.key)
    if spec.kind == "bool":
        return ""
    if spec.kind == "int":
        low = int(spec.minimum) if spec.minimum is not None else 0
        high = int(spec.maximum) if spec.maximum is not None else 4294967295
        return (f'<decimal id="{name}" valueName={value} required="true" minValue="{low}" '
                f'maxValue="{high}"/>')
    if spec.kind == "choice":
        items = "".join(f'<item displayName="$(string.{name}_{choice})"><value><string>'
                        f"{escape(choice)}</string></value></item>" for choice in spec.choices)
        return f'<enum id="{name}" valueName={value} required="true">{items}</enum>'
    if spec.kind == "str_list":
        return f'<multiText id="{name}" valueName={value}/>'
    if spec.kind == "str_map":
        return f'<list id="{name}" key="{BASE}\\{table}\\{escape(spec.key)}" explicitValue="true"/>'
    return f'<text id="{name}" valueName={value} required="true"/>'


def admx() -> str:
    policies = []
    for table in TABLES:
        for spec in KEYS.values():
            name = ident(spec.key)
            switch = ('<enabledValue><decimal value="1"/></enabledValue>'
                      '<disabledValue><decimal value="0"/></disabledValue>'
                      if spec.kind == "bool" else "")
            value_name = f" valueName={quoteattr(spec.key)}" if spec.kind == "bool" else ""
            presentation = "" if spec.kind == "bool" else f' presentation="$(presentation.{name})"'
            inner = element(spec, table)
            policies.append(
                f'    <policy name="{table}_{name}" class="Machine" '
                f'displayName="$(string.{name})" explainText="$(string.{name}_Explain_{table})"'
                f'{presentation} key="{BASE}\\{table}"{value_name}>\n'
                f'      <parentCategory ref="{table}"/>\n'
                f'      <supportedOn ref="SUPPORTED_SupportTray"/>\n'
                + (f"      {switch}\n" if switch else "")
                + (f"      <elements>{inner}</elements>\n" if inner else "")
                + "    </policy>")
    categories = "\n".join(
        f'    <category name="{table}" displayName="$(string.{table})">'
        f'<parentCategory ref="SupportTray"/></category>' for table in TABLES)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Written by packaging/windows/make_admx.py from supporttray/config/schema.py: do not edit. -->
<policyDefinitions {ROOT_ATTRIBUTES}>
  <policyNamespaces>
    <target prefix="supporttray" namespace="SupportTray.Policies.SupportTray"/>
  </policyNamespaces>
  <resources minRequiredRevision="1.0"/>
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_SupportTray" displayName="$(string.SUPPORTED_SupportTray)"/>
    </definitions>
  </supportedOn>
  <categories>
    <category name="SupportTray" displayName="$(string.SupportTray)"/>
{categories}
  </categories>
  <policies>
{chr(10).join(policies)}
  </policies>
</policyDefinitions>
"""


def adml() -> str:
    strings = {"SupportTray": "SupportTray",
               "SUPPORTED_SupportTray": "SupportTray 0.1 and later",
               "Enforced": "Enforced settings (locked)",
               "Defaults": "Default settings (users may change them)"}
    presentations = []
    for spec in KEYS.values():
        name = ident(spec.key)
        strings[name] = spec.key
        for table, effect in TABLES.items():
            strings[f"{name}_Explain_{table}"] = (
                f"{spec.doc}\n\n{effect} Writes {spec.key} under {BASE}\\{table}.")
        for choice in spec.choices:
            strings[f"{name}_{choice}"] = choice
        label = f"<label>{escape(spec.key)}</label>"
        box = {"int": f'<decimalTextBox refId="{name}">{escape(spec.key)}</decimalTextBox>',
               "choice": f'<dropdownList refId="{name}" noSort="true">{escape(spec.key)}'
                         "</dropdownList>",
               "str_list": f'<multiTextBox refId="{name}">{escape(spec.key)}</multiTextBox>',
               "str_map": f'<listBox refId="{name}">{escape(spec.key)} (label = link)</listBox>',
               }.get(spec.kind, f'<textBox refId="{name}">{label}</textBox>')
        if spec.kind != "bool":
            presentations.append(f'      <presentation id="{name}">{box}</presentation>')
    table = "\n".join(f'      <string id="{sid}">{escape(text)}</string>'
                      for sid, text in strings.items())
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Written by packaging/windows/make_admx.py from supporttray/config/schema.py: do not edit. -->
<policyDefinitionResources {ROOT_ATTRIBUTES}>
  <displayName>SupportTray</displayName>
  <description>Machine policy for SupportTray</description>
  <resources>
    <stringTable>
{table}
    </stringTable>
    <presentationTable>
{chr(10).join(presentations)}
    </presentationTable>
  </resources>
</policyDefinitionResources>
"""


def main(argv: list[str]) -> int:
    wanted = {ADMX: admx(), ADML: adml()}
    if "--check" in argv:
        stale = [str(path) for path, text in wanted.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is stale: run packaging/windows/make_admx.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
