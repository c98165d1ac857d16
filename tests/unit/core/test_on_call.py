"""On-call hours: the `presence.on_call_hours` grammar, when they hold, when they change next
(in wall time, across week ends and daylight-saving changes), and the rule that sets presence
at the boundaries. Clock and time zone are injected; nothing here reads the machine's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supporttray.core.auto_away import AutoAway
from supporttray.core.on_call import (
    OnCallHours,
    OnCallHoursError,
    OnCallPresence,
    parse_on_call_hours,
)
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import Availability
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = "Mon-Fri 08:00-18:00"
OFF_DUTY = "Off duty (on call Mon-Fri 08:00-18:00)"


def hours(text: str) -> OnCallHours:
    parsed = parse_on_call_hours(text)
    assert parsed is not None
    return parsed


def at(day: int, hh: int, mm: int = 0, *, zone: ZoneInfo | None = None) -> datetime:
    """A moment in the week of Monday 2 March 2026 (day 0 = Monday, 7 = the next Monday)."""
    return datetime(2026, 3, 2, hh, mm, tzinfo=zone or UTC) + timedelta(days=day)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# -- the grammar -------------------------------------------------------------------------------


def test_an_empty_value_means_no_on_call_hours() -> None:
    assert parse_on_call_hours("") is None
    assert parse_on_call_hours("   ") is None


def test_days_and_times_are_read_in_any_case_and_spelt_back_canonically() -> None:
    assert hours(" mon-FRI 8:00-18:00 ").text == OFFICE
    assert hours("Monday - friday 08:00 - 18:00").text == OFFICE
    assert hours("sun 10:00-14:00").text == "Sun 10:00-14:00"


def test_several_ranges_separated_by_semicolons_or_commas() -> None:
    both = hours("Mon-Fri 08:00-18:00; Sat 10:00-14:00, Sun 12:00-13:00;")
    assert both.text == "Mon-Fri 08:00-18:00; Sat 10:00-14:00; Sun 12:00-13:00"
    assert both.is_on_call(at(SAT, 11))
    assert both.is_on_call(at(SUN, 12, 30))
    assert not both.is_on_call(at(SAT, 15))


def test_a_single_day_and_the_edges_of_a_range() -> None:
    wednesday = hours("Wed 09:00-12:00")
    assert not wednesday.is_on_call(at(WED, 8, 59))
    assert wednesday.is_on_call(at(WED, 9))  # the start belongs to the range
    assert not wednesday.is_on_call(at(WED, 12))  # the end does not
    assert not wednesday.is_on_call(at(TUE, 10))


def test_a_range_past_midnight_runs_into_the_next_day() -> None:
    night = hours("Fri 22:00-06:00")
    assert night.is_on_call(at(FRI, 23))
    assert night.is_on_call(at(SAT, 5, 59))
    assert not night.is_on_call(at(SAT, 6))
    assert not night.is_on_call(at(FRI, 3))  # Thursday night is not Friday's


def test_sunday_night_runs_into_monday_morning_across_the_week_end() -> None:
    night = hours("Sun 22:00-06:00")
    assert night.is_on_call(at(SUN, 23))
    assert night.is_on_call(at(MON, 5))
    assert night.is_on_call(at(7 + MON, 5))
    assert not night.is_on_call(at(MON, 6))


def test_a_range_of_days_may_wrap_over_the_weekend() -> None:
    weekend = hours("Fri-Mon 10:00-12:00")
    assert weekend.text == "Fri-Mon 10:00-12:00"
    assert [weekend.is_on_call(at(day, 11)) for day in range(7)] == [
        True, False, False, False, True, True, True]  # fmt: skip


def test_overlapping_ranges_merge_and_leave_no_boundary_inside() -> None:
    merged = hours("Mon 08:00-12:00; Mon 11:00-14:00; Mon 14:00-15:00")
    assert merged.spans == ((8 * 60, 15 * 60),)
    assert merged.next_change(at(MON, 9)) == at(MON, 15)


def test_whole_days_every_day_never_change() -> None:
    always = hours("Mon-Sun 00:00-24:00")
    assert always.is_on_call(at(SUN, 23, 59))
    assert always.next_change(at(WED, 12)) is None
    assert always.previous_change(at(WED, 12)) is None
    assert always.describe_now(at(WED, 12)) == "on call all week"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri", '"Mon-Fri" has no times; write them like "Mon-Fri 08:00-18:00"'),
        ("08:00-18:00", '"08:00-18:00" has no days; start it with days like "Mon-Fri 08:00-18:00"'),
        ("Mno-Fri 08:00-18:00", '"Mno" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun'),
        ("Mon-Tue-Wed 08:00-10:00", '"Mon-Tue-Wed" is not a day or a range of days like "Mon-Fri"'),
        ("Mon- 08:00-10:00", '"Mon-" is not a day or a range of days like "Mon-Fri"'),
        ("Mon 8-18", '"8-18" is not a time range like "08:00-18:00"'),
        ("Mon 08:00", '"08:00" is not a time range like "08:00-18:00"'),
        ("Mon 08:00-18:00 sharp", '"08:00-18:00 sharp" is not a time range like "08:00-18:00"'),
        ("Mon 25:00-26:00", '"25:00" is not a time of day (00:00 to 23:59, or 24:00 as an end)'),
        ("Mon 08:60-09:00", '"08:60" is not a time of day (00:00 to 23:59, or 24:00 as an end)'),
        ("Mon 24:00-06:00", "24:00 can only end a range; start it at 00:00"),
        ("Mon 08:00-08:00", '"08:00-08:00" starts and ends at the same time; for a whole day '
                            "write 00:00-24:00"),
        (" ; , ", 'has no hours in it; write them like "Mon-Fri 08:00-18:00"'),
        ("Mon 08:00-18:00; Tuesday", '"Tuesday" has no times; write them like '
                                     '"Mon-Fri 08:00-18:00"'),
        ("Mon\x00 08:00-10:00", '"Mon\\x00" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun'),
    ],
)
def test_every_bad_value_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(OnCallHoursError) as caught:
        parse_on_call_hours(text)
    assert str(caught.value) == message


@given(st.text(alphabet=st.sampled_from("MonTuesdayFri0123456789:-;, \t\n\x00٣０"), max_size=40)
       | st.text(max_size=40))
def test_any_text_either_parses_or_raises_the_documented_error(text: str) -> None:
    try:
        parsed = parse_on_call_hours(text)
    except OnCallHoursError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert parsed is None or parsed.spans


# -- when they hold and when they change -------------------------------------------------------


def test_next_change_is_the_end_of_the_day_then_the_next_working_morning() -> None:
    office = hours(OFFICE)
    assert office.next_change(at(TUE, 10)) == at(TUE, 18)
    assert office.next_change(at(TUE, 18)) == at(WED, 8)  # strictly after
    assert office.next_change(at(FRI, 18)) == at(7 + MON, 8)


def test_next_change_wraps_from_sunday_into_next_weeks_monday() -> None:
    office = hours(OFFICE)
    assert office.next_change(at(SUN, 23, 59)) == at(7 + MON, 8)
    assert office.previous_change(at(MON, 7)) == at(FRI - 7, 18)  # last week's Friday


def test_period_at_says_since_and_until() -> None:
    period = hours(OFFICE).period_at(at(SAT, 12))
    assert (period.on_call, period.since, period.until) == (False, at(FRI, 18), at(7 + MON, 8))


def test_boundaries_stay_at_wall_time_across_the_spring_daylight_saving_change() -> None:
    # Europe/Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026
    office = hours(OFFICE)
    friday_evening = datetime(2026, 3, 27, 18, 0, tzinfo=BERLIN)
    monday = office.next_change(friday_evening, BERLIN)
    assert monday is not None
    assert monday.replace(tzinfo=None) == datetime(2026, 3, 30, 8, 0)
    # the weekend is an hour shorter than 62 hours of wall time
    assert monday.timestamp() - friday_evening.timestamp() == 61 * 3600
    # and the same instant, seen in UTC, is read in Berlin's time
    assert office.is_on_call(datetime(2026, 3, 30, 6, 0, tzinfo=UTC), BERLIN)
    assert not office.is_on_call(datetime(2026, 3, 30, 5, 59, tzinfo=UTC), BERLIN)


def test_boundaries_stay_at_wall_time_across_the_autumn_daylight_saving_change() -> None:
    office = hours(OFFICE)
    friday_evening = datetime(2026, 10, 23, 18, 0, tzinfo=BERLIN)
    monday = office.next_change(friday_evening, BERLIN)
    assert monday is not None
    assert monday.timestamp() - friday_evening.timestamp() == 63 * 3600


def test_describe_now_for_doctor() -> None:
    office = hours(OFFICE)
    assert office.describe_now(at(TUE, 10)) == "on call now, until 18:00"
    assert office.describe_now(at(TUE, 19)) == "off duty now, on call from Wed 08:00"
    assert office.describe_now(at(WED, 6)) == "off duty now, on call from 08:00"
    assert office.describe_now(at(SAT, 9)) == "off duty now, on call from Mon 08:00"


# -- the rule that sets presence ---------------------------------------------------------------


def following(start: datetime, text: str = OFFICE) -> tuple[OwnPresence, OnCallPresence,
                                                             FakeClock]:
    clock = FakeClock(start)
    own = OwnPresence()
    return own, OnCallPresence(hours(text), own, clock=clock, zone=UTC), clock


def shown(own: OwnPresence) -> tuple[Availability, str]:
    return own.current.show, own.current.status


def test_starting_inside_hours_is_available_and_outside_is_away_off_duty() -> None:
    own, rule, _ = following(at(TUE, 10))
    assert rule.start() == 8 * 3600
    assert shown(own) == (Availability.AVAILABLE, "")
    own, rule, _ = following(at(TUE, 20))
    assert rule.start() == 12 * 3600
    assert shown(own) == (Availability.AWAY, OFF_DUTY)


def test_boundaries_set_available_then_away_and_the_next_wait_is_to_the_next_one() -> None:
    own, rule, clock = following(at(MON, 7))
    rule.start()
    assert shown(own) == (Availability.AWAY, OFF_DUTY)
    clock.now = at(MON, 8)
    assert rule.update() == 10 * 3600
    assert shown(own) == (Availability.AVAILABLE, "")
    clock.now = at(MON, 18)
    assert rule.update() == 14 * 3600
    assert shown(own) == (Availability.AWAY, OFF_DUTY)
    # and off duty, others' apps are told when we are back; on call, nothing
    assert own.current.back_at == at(TUE, 8)
    clock.now = at(TUE, 8)
    rule.update()
    assert own.current.back_at is None


def test_a_look_between_boundaries_changes_nothing() -> None:
    own, rule, clock = following(at(MON, 9))
    rule.start()
    own.set(Availability.BUSY, "In a meeting until 3")
    clock.now = at(MON, 12)
    assert rule.update() == 6 * 3600
    assert shown(own) == (Availability.BUSY, "In a meeting until 3")


def test_a_manual_choice_wins_until_the_next_boundary() -> None:
    own, rule, clock = following(at(TUE, 8))
    rule.start()
    clock.now = at(TUE, 10)
    own.set(Availability.BUSY, "In a meeting until 3")  # the person chooses Busy at 10:00
    clock.now = at(TUE, 17, 59)
    rule.update()
    assert shown(own) == (Availability.BUSY, "In a meeting until 3")
    clock.now = at(TUE, 18)  # at 18:00 the schedule applies again
    rule.update()
    assert shown(own) == (Availability.AWAY, OFF_DUTY)
    clock.now = at(WED, 8)  # and next morning the meeting's message is gone
    rule.update()
    assert shown(own) == (Availability.AVAILABLE, "")


def test_a_message_chosen_while_off_duty_stays_when_hours_begin() -> None:
    own, rule, clock = following(at(SUN, 20))
    rule.start()
    own.set(Availability.AWAY, "Back from holiday, catching up")
    clock.now = at(7 + MON, 8)
    rule.update()
    assert shown(own) == (Availability.AVAILABLE, "Back from holiday, catching up")


def test_the_off_duty_message_never_survives_into_on_call_hours() -> None:
    # the person picks Busy from the menu while off duty: the menu keeps the shown message
    own, rule, clock = following(at(MON, 20))
    rule.start()
    own.set(Availability.BUSY, own.current.status)
    clock.now = at(TUE, 8)
    rule.update()
    assert shown(own) == (Availability.AVAILABLE, "")


def test_schedule_messages_are_not_offered_as_recent_messages() -> None:
    own, rule, _ = following(at(MON, 20))
    rule.start()
    assert own.recent_messages == []


def test_after_a_sleep_across_several_boundaries_the_current_period_applies() -> None:
    own, rule, clock = following(at(MON, 17))
    rule.start()
    own.set(Availability.BUSY, "Deploying")
    clock.now = at(TUE, 9)  # the laptop slept from Monday 17:00 to Tuesday 09:00
    rule.update()
    assert shown(own) == (Availability.AVAILABLE, "")


def test_the_clock_jumping_back_within_the_period_changes_nothing() -> None:
    own, rule, clock = following(at(MON, 10))
    rule.start()
    own.set(Availability.BUSY)
    clock.now = at(MON, 9, 30)
    rule.update()
    assert own.current.show is Availability.BUSY


def test_at_start_a_saved_choice_made_after_the_last_boundary_is_kept() -> None:
    clock = FakeClock(at(TUE, 11))
    own = OwnPresence(PresenceChoice(Availability.BUSY, "In a meeting until 3"))
    rule = OnCallPresence(hours(OFFICE), own, clock=clock, zone=UTC)
    rule.start(chosen_at=at(TUE, 10))
    assert shown(own) == (Availability.BUSY, "In a meeting until 3")
    clock.now = at(TUE, 18)
    rule.update()
    assert shown(own) == (Availability.AWAY, OFF_DUTY)


def test_at_start_a_saved_choice_from_before_the_last_boundary_gives_way() -> None:
    clock = FakeClock(at(WED, 9))
    own = OwnPresence(PresenceChoice(Availability.BUSY, "In a meeting until 3"))
    rule = OnCallPresence(hours(OFFICE), own, clock=clock, zone=UTC)
    rule.start(chosen_at=at(TUE, 10))  # yesterday's meeting
    assert shown(own) == (Availability.AVAILABLE, "")


def test_at_start_a_message_saved_while_off_duty_stays_when_hours_have_begun() -> None:
    clock = FakeClock(at(TUE, 9))
    own = OwnPresence(PresenceChoice(Availability.AWAY, "Back from holiday"))
    rule = OnCallPresence(hours(OFFICE), own, clock=clock, zone=UTC)
    rule.start(chosen_at=at(MON, 22))  # chosen last night, the app started after 08:00
    assert shown(own) == (Availability.AVAILABLE, "Back from holiday")


def test_auto_away_goes_back_to_the_schedules_available() -> None:
    # given on-call hours that just began, and auto-away after 5 minutes idle
    own, rule, clock = following(at(MON, 7, 59))
    rule.start()
    clock.now = at(MON, 8)
    rule.update()
    auto = AutoAway(own, away_minutes=5, xa_minutes=20, clock=clock)
    # when the person is idle 6 minutes, then back
    auto.update(6 * 60)
    assert own.current.show is Availability.AWAY and own.current.idle_since is not None
    auto.update(1)
    # then they are Available again, as the schedule set it
    assert shown(own) == (Availability.AVAILABLE, "")
    assert own.current.idle_since is None


def test_hours_ending_while_auto_away_stay_away_off_duty_after_activity() -> None:
    own, rule, clock = following(at(MON, 17, 50))
    rule.start()
    auto = AutoAway(own, away_minutes=5, xa_minutes=20, clock=clock)
    auto.update(6 * 60)  # idle: auto-away
    clock.now = at(MON, 18)
    rule.update()  # off duty while auto-away
    auto.update(1)  # activity: auto-away lets go, it does not bring Available back
    assert shown(own) == (Availability.AWAY, OFF_DUTY)
    assert not auto.active
