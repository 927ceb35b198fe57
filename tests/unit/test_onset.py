"""When did the spasm start? (spasm_coach.onset.resolve)

The rule a user relies on: a vague answer is placed at the LATEST moment it could mean, and
never after now, so the ice window stays open as long as it safely can. Parts of the day end
at 12:00 (morning), 17:00 (afternoon), 21:00 (evening) and 04:00 the next day (night).

Unless a case says otherwise, "now" is Wednesday 25 November 2026, 3 PM in New York.
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from spasm_coach import onset

NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def ny(month, day, hour=0, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(month, day, hour=0, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


WED_3PM = ny(11, 25, 15)                  # Wednesday 25 November 2026, 3 PM
WED_3PM_UTC = utc(11, 25, 15)


def said(date=None, time=None, duration=None):
    """The slots as the skill receives them: only what was filled."""
    return {name: value for name, value in (("date", date), ("time", time), ("duration", duration))
            if value is not None}


def outcome(result):
    """(start as a UTC datetime, precision), or onset.UNKNOWN / onset.FUTURE."""
    if result in (onset.UNKNOWN, onset.FUTURE):
        return result
    return datetime.fromtimestamp(result.start, UTC), result.precision


def expected(value):
    if value in (onset.UNKNOWN, onset.FUTURE):
        return value
    start, precision = value
    return start.astimezone(UTC), precision


def check(content, slots, now, want):
    assert outcome(onset.resolve(content, slots, now)) == expected(want)


UNKNOWN, FUTURE = onset.UNKNOWN, onset.FUTURE


# --- values Alexa resolved -------------------------------------------------------------

ALEXA_VALUES = [
    # days
    pytest.param(said(date="2026-11-24"), (ny(11, 25, 0), "day"),
                 id="yesterday is placed at the end of yesterday"),
    pytest.param(said(date="2026-11-25"), (WED_3PM, "day"),
                 id="today is placed at now"),
    pytest.param(said(date="PRESENT_REF"), (WED_3PM, "exact"),
                 id="right now is now, exactly"),
    # weekdays: Alexa resolves a weekday to the upcoming one, a spasm started on the last one
    pytest.param(said(date="2026-11-30"), (ny(11, 24, 0), "day"),
                 id="monday resolved to next monday means monday the 23rd"),
    pytest.param(said(date="2026-11-27"), (ny(11, 21, 0), "day"),
                 id="friday resolved to this friday means friday the 20th"),
    pytest.param(said(date="2026-12-02"), (WED_3PM, "day"),
                 id="wednesday said on a wednesday and resolved a week ahead means today"),
    pytest.param(said(date="2026-11-30", time="MO"), (ny(11, 23, 12), "part_of_day"),
                 id="monday morning resolved to next monday means last monday at noon"),
    # a day more than a week ahead: the last such day was last year
    pytest.param(said(date="2027-11-23"), (ny(11, 24, 0), "day"),
                 id="november 23rd resolved to next year means two days ago"),
    pytest.param(said(date="2026-12-03"), (ny(12, 4, 0, year=2025), "day"),
                 id="december 3rd resolved to this year means last december"),
    pytest.param(said(date="2027-03-15"), (ny(3, 16, 0), "day"),
                 id="march 15th resolved to next year means this march"),
    pytest.param(said(date="2028-03-01"), FUTURE,
                 id="a date more than a year ahead is in the future"),
    # weeks, weekends, months, years: the end of the span, capped at now
    pytest.param(said(date="2026-W47"), (ny(11, 23, 0), "week"),
                 id="last week ends at midnight before this monday"),
    pytest.param(said(date="2026-W47-WE"), (ny(11, 23, 0), "week"),
                 id="last weekend ends at midnight after sunday"),
    pytest.param(said(date="2026-W48"), (WED_3PM, "week"),
                 id="this week is placed at now"),
    pytest.param(said(date="2026-W48-WE"), FUTURE,
                 id="this weekend has not started yet on a wednesday"),
    pytest.param(said(date="2026-W49"), FUTURE,
                 id="next week is in the future"),
    pytest.param(said(date="2026-11"), (WED_3PM, "month"),
                 id="this month is placed at now"),
    pytest.param(said(date="2026-10"), (ny(11, 1, 0), "month"),
                 id="last month ends at midnight on the first"),
    pytest.param(said(date="2026-12"), FUTURE,
                 id="next month is in the future"),
    pytest.param(said(date="2025"), (ny(1, 1, 0), "year"),
                 id="last year ends at midnight on new year"),
    pytest.param(said(date="2026"), (WED_3PM, "year"),
                 id="this year is placed at now"),
    pytest.param(said(date="2027"), FUTURE,
                 id="next year is in the future"),
    # a time with no day: today's, or yesterday's if it has not come yet
    pytest.param(said(time="15:00"), (WED_3PM, "exact"),
                 id="3 pm said at 3 pm is now"),
    pytest.param(said(time="14:20"), (ny(11, 25, 14, 20), "exact"),
                 id="an earlier time alone is today"),
    pytest.param(said(time="16:00"), (ny(11, 24, 16), "exact"),
                 id="a later time alone is yesterday at that time"),
    pytest.param(said(time="MO"), (ny(11, 25, 12), "part_of_day"),
                 id="morning alone in the afternoon is noon today"),
    pytest.param(said(time="AF"), (WED_3PM, "part_of_day"),
                 id="afternoon alone during the afternoon is now"),
    pytest.param(said(time="EV"), (ny(11, 24, 21), "part_of_day"),
                 id="evening alone before the evening is yesterday at 9 pm"),
    pytest.param(said(time="NI"), (ny(11, 25, 4), "part_of_day"),
                 id="night alone in the afternoon is last night until 4 am"),
    # a day and a time
    pytest.param(said(date="2026-11-24", time="09:30"), (ny(11, 24, 9, 30), "exact"),
                 id="yesterday at 9:30 am is exact"),
    pytest.param(said(date="2026-11-24", time="EV"), (ny(11, 24, 21), "part_of_day"),
                 id="yesterday evening ends at 9 pm"),
    pytest.param(said(date="2026-11-24", time="NI"), (ny(11, 25, 4), "part_of_day"),
                 id="yesterday night ends at 4 am today"),
    pytest.param(said(date="2026-11-25", time="10:00"), (ny(11, 25, 10), "exact"),
                 id="today at 10 am is exact"),
    pytest.param(said(date="2026-11-25", time="MO"), (ny(11, 25, 12), "part_of_day"),
                 id="this morning said in the afternoon is noon"),
    pytest.param(said(date="2026-11-25", time="16:00"), FUTURE,
                 id="today at a time still to come is in the future"),
    pytest.param(said(date="2026-11-25", time="EV"), FUTURE,
                 id="this evening said in the afternoon is in the future"),
    pytest.param(said(date="2026-11-25", time="NI"), FUTURE,
                 id="tonight said in the afternoon is in the future"),
    # durations: now minus the duration
    pytest.param(said(duration="PT30M"), (ny(11, 25, 14, 30), "exact"),
                 id="30 minutes ago is exact"),
    pytest.param(said(duration="PT1H"), (ny(11, 25, 14), "hour"),
                 id="an hour ago is to the hour"),
    pytest.param(said(duration="PT23H"), (ny(11, 24, 16), "hour"),
                 id="23 hours ago is to the hour"),
    pytest.param(said(duration="P2D"), (ny(11, 23, 15), "day"),
                 id="two days ago is to the day"),
    pytest.param(said(duration="P1DT12H"), (ny(11, 24, 3), "day"),
                 id="a day and a half ago is to the day"),
    pytest.param(said(duration="P1W"), (ny(11, 18, 15), "day"),
                 id="a week ago is to the day"),
    pytest.param(said(date="2026-11-20", duration="PT1H"), (ny(11, 25, 14), "hour"),
                 id="a duration wins over a date said with it"),
]


@pytest.mark.parametrize("slots, want", ALEXA_VALUES)
def test_alexa_values(content, slots, want):
    check(content, slots, WED_3PM, want)


# --- raw words, as virtual-alexa (or an unresolved slot) sends them --------------------

RAW_WORDS = [
    pytest.param(said(date="yesterday"), (ny(11, 25, 0), "day"),
                 id="'yesterday' is the end of yesterday"),
    pytest.param(said(date="yesterday evening"), (ny(11, 24, 21), "part_of_day"),
                 id="'yesterday evening' in the date slot ends at 9 pm"),
    pytest.param(said(time="last night"), (ny(11, 25, 4), "part_of_day"),
                 id="'last night' ends at 4 am today"),
    pytest.param(said(time="this morning"), (ny(11, 25, 12), "part_of_day"),
                 id="'this morning' said in the afternoon is noon"),
    pytest.param(said(time="this evening"), FUTURE,
                 id="'this evening' said in the afternoon is in the future"),
    pytest.param(said(duration="two days"), (ny(11, 23, 15), "day"),
                 id="'two days' is two days before now"),
    pytest.param(said(duration="an hour"), (ny(11, 25, 14), "hour"),
                 id="'an hour' is an hour before now"),
    pytest.param(said(date="just now"), (WED_3PM, "exact"),
                 id="'just now' is now"),
    pytest.param(said(date="monday"), (ny(11, 24, 0), "day"),
                 id="'monday' is the monday just past"),
    pytest.param(said(date="on monday"), (ny(11, 24, 0), "day"),
                 id="'on monday' is the monday just past"),
    pytest.param(said(time="3 pm"), (WED_3PM, "exact"),
                 id="'3 pm' said at 3 pm is now"),
    pytest.param(said(time="2 pm"), (ny(11, 25, 14), "exact"),
                 id="'2 pm' is today at 2 pm"),
    pytest.param(said(time="5 pm"), (ny(11, 24, 17), "exact"),
                 id="'5 pm' said at 3 pm is yesterday at 5 pm"),
    pytest.param(said(date="today", time="4 pm"), FUTURE,
                 id="'today' at '4 pm' said at 3 pm is in the future"),
    pytest.param(said(date="2026-11-24", time="evening"), (ny(11, 24, 21), "part_of_day"),
                 id="an alexa date with a raw 'evening' ends at 9 pm"),
    pytest.param(said(date="i hurt it lifting boxes two days ago"), (ny(11, 23, 15), "day"),
                 id="a whole sentence with 'two days ago' in it"),
    pytest.param(said(date="blah blah"), UNKNOWN,
                 id="'blah blah' is not understood"),
    pytest.param(said(date=""), UNKNOWN,
                 id="an empty slot is not understood"),
    pytest.param(said(date="   ", time="", duration=""), UNKNOWN,
                 id="blank slots are not understood"),
    pytest.param(said(), UNKNOWN,
                 id="no slots at all are not understood"),
    pytest.param({"date": None, "time": None, "duration": None}, UNKNOWN,
                 id="slots without values are not understood"),
]


@pytest.mark.parametrize("slots, want", RAW_WORDS)
def test_raw_words(content, slots, want):
    check(content, slots, WED_3PM, want)


# --- the same words at other times of the day ------------------------------------------

AT_OTHER_TIMES = [
    pytest.param(ny(11, 25, 10), said(date="2026-11-25", time="EV"), FUTURE,
                 id="this evening said at 10 am is in the future"),
    pytest.param(ny(11, 25, 10), said(time="EV"), (ny(11, 24, 21), "part_of_day"),
                 id="evening alone said at 10 am is yesterday evening"),
    pytest.param(ny(11, 25, 9), said(date="2026-11-25", time="MO"), (ny(11, 25, 9), "part_of_day"),
                 id="this morning said at 9 am is now, not noon"),
    pytest.param(ny(11, 25, 9), said(time="this morning"), (ny(11, 25, 9), "part_of_day"),
                 id="'this morning' said at 9 am is now, not noon"),
    pytest.param(ny(11, 25, 8), said(time="last night"), (ny(11, 25, 4), "part_of_day"),
                 id="'last night' said at 8 am is 4 am today"),
    pytest.param(ny(11, 25, 8), said(date="2026-11-24", time="NI"), (ny(11, 25, 4), "part_of_day"),
                 id="yesterday night said at 8 am is 4 am today"),
    pytest.param(ny(11, 25, 8), said(time="NI"), (ny(11, 25, 4), "part_of_day"),
                 id="night alone said at 8 am is 4 am today"),
    pytest.param(ny(11, 25, 2), said(time="last night"), (ny(11, 25, 2), "part_of_day"),
                 id="'last night' said at 2 am is now"),
    pytest.param(ny(11, 25, 3), said(time="MO"), (ny(11, 24, 12), "part_of_day"),
                 id="morning alone said at 3 am is yesterday morning"),
    pytest.param(ny(11, 25, 23), said(time="NI"), (ny(11, 25, 23), "part_of_day"),
                 id="night alone said at 11 pm is now"),
    pytest.param(ny(11, 25, 23), said(time="EV"), (ny(11, 25, 21), "part_of_day"),
                 id="evening alone said at 11 pm is 9 pm today"),
    pytest.param(ny(11, 25, 0, 30), said(time="23:00"), (ny(11, 24, 23), "exact"),
                 id="11 pm said just after midnight is yesterday at 11 pm"),
    pytest.param(ny(11, 1, 15), said(date="2026-11-01", time="09:00"), (ny(11, 1, 9), "exact"),
                 id="9 am on the day the clocks go back is 9 am on the clock"),
    pytest.param(ny(11, 1, 15), said(date="2026-10-31", time="NI"), (ny(11, 1, 4), "part_of_day"),
                 id="the night the clocks go back ends at 4 am on the clock"),
    # "2 hours ago" means two real hours, also on the nights the clocks change
    pytest.param(ny(11, 1, 3), said(duration="PT2H"), (utc(11, 1, 6), "hour"),
                 id="two hours ago said just after the clocks go back is two real hours"),
    pytest.param(ny(3, 8, 4), said(duration="PT2H"), (utc(3, 8, 6), "hour"),
                 id="two hours ago said just after the clocks go forward is two real hours"),
]


@pytest.mark.parametrize("now, slots, want", AT_OTHER_TIMES)
def test_at_other_times(content, now, slots, want):
    check(content, slots, now, want)


IN_UTC = [
    pytest.param(said(date="2026-11-24"), (utc(11, 25, 0), "day"),
                 id="yesterday ends at midnight UTC"),
    pytest.param(said(date="yesterday evening"), (utc(11, 24, 21), "part_of_day"),
                 id="'yesterday evening' ends at 9 pm UTC"),
    pytest.param(said(date="2026-11-30"), (utc(11, 24, 0), "day"),
                 id="monday resolved to next monday is the monday just past"),
    pytest.param(said(time="EV"), (utc(11, 24, 21), "part_of_day"),
                 id="evening alone before the evening is yesterday evening"),
    pytest.param(said(duration="PT1H"), (utc(11, 25, 14), "hour"),
                 id="an hour ago"),
    pytest.param(said(duration="P2D"), (utc(11, 23, 15), "day"),
                 id="two days ago"),
    pytest.param(said(date="2026-W47"), (utc(11, 23, 0), "week"),
                 id="last week"),
]


@pytest.mark.parametrize("slots, want", IN_UTC)
def test_in_utc(content, slots, want):
    check(content, slots, WED_3PM_UTC, want)


# --- absurd values: not understood, never an exception ---------------------------------

@pytest.mark.parametrize("slots", [
    pytest.param(said(duration="P99999999D"), id="a hundred million days ago"),
    pytest.param(said(duration="P9999999999D"), id="more days than a timedelta holds"),
    pytest.param(said(duration="PT99999999H"), id="a hundred million hours ago"),
    pytest.param(said(duration="P99999Y"), id="a hundred thousand years ago"),
    pytest.param(said(date="9999-12-31"), id="the last day of year 9999"),
    pytest.param(said(date="2026-W99"), id="week 99"),
    pytest.param(said(date="2026-W00"), id="week 0"),
    pytest.param(said(date="2026-13"), id="month 13"),
    pytest.param(said(date="2026-00"), id="month 0"),
    pytest.param(said(date="2026-02-30"), id="february 30th"),
    pytest.param(said(date="0000"), id="year 0"),
])
def test_absurd_values_are_not_understood(content, slots):
    assert onset.resolve(content, slots, WED_3PM) == UNKNOWN


# --- how precisely a duration says when it started -------------------------------------

@pytest.mark.parametrize("duration, precision", [
    pytest.param("PT5M", "exact", id="5 minutes is exact"),
    pytest.param("PT59M", "exact", id="59 minutes is exact"),
    pytest.param("PT1H", "hour", id="1 hour is to the hour"),
    pytest.param("PT90M", "hour", id="90 minutes is to the hour"),
    pytest.param("PT23H", "hour", id="23 hours is to the hour"),
    pytest.param("P1D", "day", id="1 day is to the day"),
    pytest.param("P3D", "day", id="3 days is to the day"),
    pytest.param("P1W", "day", id="1 week is to the day"),
    pytest.param("P1M", "day", id="1 month is to the day"),
])
def test_duration_precision(content, duration, precision):
    assert onset.resolve(content, said(duration=duration), WED_3PM).precision == precision


# --- never after now -------------------------------------------------------------------

@pytest.mark.parametrize("slots", [p.values[0] for p in ALEXA_VALUES + RAW_WORDS],
                         ids=[p.id for p in ALEXA_VALUES + RAW_WORDS])
def test_a_start_is_never_after_now(content, slots):
    result = onset.resolve(content, slots, WED_3PM)
    if result not in (UNKNOWN, FUTURE):
        assert result.start <= WED_3PM.timestamp()
