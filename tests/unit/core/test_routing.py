"""Routing: who gets a question sent to "whoever is available", and what the window says."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from supporttray.core.presence import Availability, StaffMember
from supporttray.core.routing import NOBODY_ONLINE, RouteDecision, choose_staff, route
from tests.helpers import T0

AVAILABLE, AWAY, BUSY, OFFLINE = (
    Availability.AVAILABLE, Availability.AWAY, Availability.BUSY, Availability.OFFLINE
)


def said(decision: RouteDecision | None) -> tuple[str, str, bool] | None:
    """A decision as `supporttray ask` reports it: the reason in English."""
    if decision is None:
        return None
    return decision.to, str(decision.reason), decision.nobody_online


def staff(name: str, availability: Availability = AVAILABLE, *,
          idle_minutes: float | None = None) -> StaffMember:
    idle_since = T0 - timedelta(minutes=idle_minutes) if idle_minutes is not None else None
    return StaffMember(jid=f"{name}@example.org", name=name, availability=availability,
                       idle_since=idle_since)


def talked(**minutes_ago: float) -> dict[str, datetime]:
    return {f"{n}@example.org": T0 - timedelta(minutes=m) for n, m in minutes_ago.items()}


def pick(*members: StaffMember, last: dict[str, datetime] | None = None) -> str | None:
    chosen = choose_staff(members, last_talked=last or {}, now=T0)
    return chosen.name if chosen else None


# -- choose_staff --------------------------------------------------------------------------------

def test_available_before_away_before_busy_before_offline() -> None:
    off, busy, away, avail = staff("a", OFFLINE), staff("b", BUSY), staff("c", AWAY), staff("d")
    assert pick(off, busy, away, avail) == "d"
    assert pick(off, busy, away) == "c"
    assert pick(off, busy) == "b"
    assert pick(off) == "a"


def test_availability_beats_a_recent_conversation() -> None:
    assert pick(staff("alice", AWAY), staff("bob"), last=talked(alice=1)) == "bob"


def test_among_equals_the_one_talked_to_most_recently() -> None:
    members = (staff("alice"), staff("bob"), staff("carol"))
    assert pick(*members, last=talked(alice=60, bob=5)) == "bob"


def test_someone_talked_to_before_beats_a_stranger() -> None:
    assert pick(staff("alice"), staff("zed", idle_minutes=30), last=talked(zed=60 * 24 * 30)) \
        == "zed"


def test_a_recent_conversation_beats_a_shorter_idle_time() -> None:
    members = (staff("alice"), staff("bob", idle_minutes=20))
    assert pick(*members, last=talked(bob=10)) == "bob"


def test_among_equals_never_talked_to_the_one_idle_the_shortest_time() -> None:
    members = (staff("alice", idle_minutes=30), staff("bob", idle_minutes=2))
    assert pick(*members) == "bob"


def test_not_idle_counts_as_the_shortest_idle_time() -> None:
    members = (staff("alice", idle_minutes=1), staff("bob"))
    assert pick(*members) == "bob"


def test_equally_talked_to_then_shortest_idle() -> None:
    last = talked(alice=10, bob=10)
    assert pick(staff("alice", idle_minutes=5), staff("bob", idle_minutes=3), last=last) == "bob"


def test_full_ties_are_broken_by_name_whatever_the_order_given() -> None:
    members = [staff("Carol"), staff("alice"), staff("Bob")]
    assert pick(*members) == "alice"
    assert pick(*reversed(members)) == "alice"


def test_last_talked_keys_are_matched_by_bare_jid() -> None:
    last = {"Bob@Example.org/laptop": T0 - timedelta(minutes=1)}
    assert pick(staff("alice"), staff("bob"), last=last) == "bob"


def test_with_nobody_online_someone_is_still_picked_by_the_same_order() -> None:
    members = (staff("alice", OFFLINE), staff("bob", OFFLINE))
    assert pick(*members, last=talked(bob=600)) == "bob"


def test_nobody_at_all_gives_none() -> None:
    assert choose_staff([], last_talked={}, now=T0) is None


# -- route ---------------------------------------------------------------------------------------

def test_route_says_who_is_available() -> None:
    decision = route([staff("alice"), staff("bob", AWAY)], last_talked={}, now=T0)
    assert said(decision) == ("alice@example.org", "alice is available", False)


def test_route_to_an_away_person_says_no_one_is_available() -> None:
    decision = route([staff("bob", AWAY), staff("carol", OFFLINE)], last_talked={}, now=T0)
    assert decision is not None
    assert decision.to == "bob@example.org"
    assert str(decision.reason).startswith("No one is available right now")
    assert "bob is away" in str(decision.reason)
    assert not decision.nobody_online


def test_route_with_nobody_online_says_so_plainly() -> None:
    decision = route([staff("alice", OFFLINE), staff("bob", OFFLINE)],
                     last_talked=talked(bob=60), now=T0)
    assert said(decision) == ("bob@example.org", NOBODY_ONLINE, True)
    assert str(decision.reason) == ("No one is online — your question will be delivered and "
                               "answered as soon as someone is")


def test_route_with_nobody_online_goes_to_the_fallback_account() -> None:
    decision = route([staff("alice", OFFLINE)], last_talked={}, now=T0,
                     fallback="Helpdesk@Example.org")
    assert said(decision) == ("helpdesk@example.org", NOBODY_ONLINE, True)


def test_the_fallback_is_not_used_while_someone_is_online() -> None:
    decision = route([staff("alice", OFFLINE), staff("bob", BUSY)], last_talked={}, now=T0,
                     fallback="helpdesk@example.org")
    assert decision is not None
    assert decision.to == "bob@example.org"


def test_a_fallback_with_no_staff_at_all_still_takes_the_question() -> None:
    decision = route([], last_talked={}, now=T0, fallback="helpdesk@example.org")
    assert said(decision) == ("helpdesk@example.org", NOBODY_ONLINE, True)


def test_no_staff_and_no_fallback_routes_nowhere() -> None:
    assert route([], last_talked={}, now=T0, fallback="  ") is None


def test_the_person_the_user_picked_always_wins() -> None:
    members = [staff("alice"), staff("bob", BUSY)]
    decision = route(members, last_talked=talked(alice=1), now=T0,
                     fallback="helpdesk@example.org", preferred="Bob@example.org")
    assert said(decision) == ("bob@example.org", "bob is busy", False)


def test_a_picked_person_who_is_offline_wins_over_the_fallback() -> None:
    decision = route([staff("alice", OFFLINE)], last_talked={}, now=T0,
                     fallback="helpdesk@example.org", preferred="alice@example.org")
    assert decision is not None
    assert decision.to == "alice@example.org"
    assert decision.nobody_online
    assert "alice is offline" in str(decision.reason)


def test_a_picked_address_outside_the_staff_list_is_used_as_given() -> None:
    decision = route([staff("alice")], last_talked={}, now=T0, preferred="it@example.org")
    assert said(decision) == ("it@example.org", "Your question goes to it@example.org",
                                     False)


# -- properties ----------------------------------------------------------------------------------

members_strategy = st.lists(
    st.builds(
        staff,
        name=st.sampled_from(["alice", "bob", "carol", "dave", "erin", "frank"]),
        availability=st.sampled_from(list(Availability)),
        idle_minutes=st.none() | st.floats(min_value=0, max_value=10_000),
    ),
    max_size=8,
    unique_by=lambda m: m.jid,  # a PresenceBook holds each person once
)
talked_strategy = st.dictionaries(
    st.sampled_from(["alice", "bob", "carol", "zed"]).map(lambda n: f"{n}@example.org"),
    st.integers(min_value=0, max_value=10**6).map(lambda m: T0 - timedelta(minutes=m)),
)


@given(members=members_strategy, last=talked_strategy)
def test_the_choice_always_has_the_best_availability_present(
    members: list[StaffMember], last: dict[str, datetime]
) -> None:
    chosen = choose_staff(members, last_talked=last, now=T0)
    if not members:
        assert chosen is None
        return
    assert chosen in members
    assert chosen.availability.rank == min(m.availability.rank for m in members)


@given(members=members_strategy, last=talked_strategy)
def test_the_choice_does_not_depend_on_the_order_of_the_list(
    members: list[StaffMember], last: dict[str, datetime]
) -> None:
    forward = choose_staff(members, last_talked=last, now=T0)
    backward = choose_staff(list(reversed(members)), last_talked=last, now=T0)
    assert forward == backward
