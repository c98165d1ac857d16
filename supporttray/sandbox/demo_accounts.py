"""The people of the demo and of `supporttray sandbox`.

Fixed passwords on purpose: these accounts exist only on a server that listens on 127.0.0.1,
and fixed values let a demo script or a second terminal log in without reading them back.
"""

from __future__ import annotations

from typing import Final

ALICE: Final = ("alice", "alice-demo-pw")
BOB: Final = ("bob", "bob-demo-pw")
CAROL: Final = ("carol", "carol-demo-pw")
DAVE: Final = ("dave", "dave-demo-pw")  # staff, but not in the shared "Support" group
USER: Final = ("user", "user-demo-pw")  # the requester

# `demo --staff`: people who arrive with questions, one every half minute.
ERIN: Final = ("erin", "erin-demo-pw")
FARID: Final = ("farid", "farid-demo-pw")
GRACE: Final = ("grace", "grace-demo-pw")

# Victor at the printer vendor: joins a three-way chat he is invited to.
VENDOR: Final = ("victor", "victor-demo-pw")

STAFF: Final = (ALICE, BOB, CAROL, DAVE)
REQUESTER: Final = USER
ASKERS: Final = (USER, ERIN, FARID, GRACE)
ALL: Final = (*STAFF, REQUESTER, ERIN, FARID, GRACE, VENDOR)
# A saved group for "Ask a group…" and `supporttray check --to dev-team`.
DEV_TEAM: Final = (ALICE[0], BOB[0], CAROL[0])

SUPPORT_GROUP: Final = "Support"
SUPPORT_GROUP_MEMBERS: Final = (ALICE[0], BOB[0], CAROL[0])
DISPLAY_NAMES: Final = {"alice": "Alice Martin", "bob": "Bob Okafor", "carol": "Carol Chen"}


def named_group_members() -> list[str]:
    """The support group as the shared roster lists it, with display names."""
    return [f"{user}={DISPLAY_NAMES[user]}" for user in SUPPORT_GROUP_MEMBERS]
