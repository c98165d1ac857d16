"""Who counts as support staff, from the policy, and whose subscriptions we approve unasked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supporttray.core.jid import bare_jid, domain_of


@dataclass(frozen=True)
class StaffDirectory:
    """Who counts as support staff, and whose subscription requests we approve unasked."""

    staff: tuple[str, ...] = ()
    group: str = ""
    staff_mode: bool = False
    auto_accept_domains: tuple[str, ...] = ()

    def is_requester(self, jid: str) -> bool:
        """Whose system-info form a staff client accepts: from a listed domain, not staff."""
        bare = bare_jid(jid)
        return (self.staff_mode and bare not in {bare_jid(s) for s in self.staff}
                and domain_of(bare) in {d.lower() for d in self.auto_accept_domains})

    def auto_approves(self, jid: str) -> bool:
        """Staff approve requesters from the listed domains; everyone approves the staff."""
        bare = bare_jid(jid)
        if bare in {bare_jid(s) for s in self.staff}:
            return True
        return self.staff_mode and domain_of(bare) in {d.lower() for d in self.auto_accept_domains}


def staff_jids(values: Iterable[str]) -> tuple[str, ...]:
    """The bare JIDs a policy list names, blank entries skipped."""
    return tuple(bare_jid(v) for v in values if v.strip())
