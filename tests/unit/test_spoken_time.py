"""Spoken words -> Alexa built-in slot values (spasm_coach.spoken_time)."""

from datetime import date

import pytest

from spasm_coach import spoken_time as st

WED = date(2026, 11, 25)       # a Wednesday, ISO week 48
MON = date(2026, 11, 23)       # a Monday
NYE = date(2026, 12, 31)       # a Thursday in ISO week 2026-W53
NEW_YEAR = date(2027, 1, 1)    # a Friday, still ISO week 2026-W53


@pytest.mark.parametrize("words, today, expected", [
    ("today", WED, "2026-11-25"),
    ("Yesterday", WED, "2026-11-24"),
    ("the day before yesterday", WED, "2026-11-23"),
    ("tomorrow", WED, "2026-11-26"),
    ("  earlier today ", WED, "2026-11-25"),
    ("since yesterday", WED, "2026-11-24"),
    # weekdays: the upcoming one, today included; "last" is strictly before today
    ("monday", WED, "2026-11-30"),
    ("on monday", WED, "2026-11-30"),
    ("this monday", WED, "2026-11-30"),
    ("wednesday", WED, "2026-11-25"),
    ("last monday", WED, "2026-11-23"),
    ("this past monday", WED, "2026-11-23"),
    ("last wednesday", WED, "2026-11-18"),
    ("next wednesday", WED, "2026-12-02"),
    ("monday", MON, "2026-11-23"),
    ("last monday", MON, "2026-11-16"),
    ("sunday", MON, "2026-11-29"),
    ("last friday", NEW_YEAR, "2026-12-25"),
    # month and day: on or after today, so a past day rolls to next year
    ("november twenty third", WED, "2027-11-23"),
    ("november 23rd", WED, "2027-11-23"),
    ("the twenty third of november", WED, "2027-11-23"),
    ("23rd of november", WED, "2027-11-23"),
    ("nov 23", WED, "2027-11-23"),
    ("november twenty fifth", WED, "2026-11-25"),
    ("December first", WED, "2026-12-01"),
    ("may the fourth", WED, "2027-05-04"),
    ("march 3 2025", WED, "2025-03-03"),
    ("january first", NYE, "2027-01-01"),
    ("december thirty first", NEW_YEAR, "2027-12-31"),
    ("the twenty third", WED, "2026-12-23"),
    ("on the 25th", WED, "2026-11-25"),
    ("the thirty first", WED, "2026-12-31"),
    # weeks, weekends, months, years
    ("this week", WED, "2026-W48"),
    ("last week", WED, "2026-W47"),
    ("next week", WED, "2026-W49"),
    ("this weekend", WED, "2026-W48-WE"),
    ("last weekend", WED, "2026-W47-WE"),
    ("this week", NYE, "2026-W53"),
    ("next week", NYE, "2027-W01"),
    ("this week", NEW_YEAR, "2026-W53"),
    ("last week", NEW_YEAR, "2026-W52"),
    ("this weekend", NEW_YEAR, "2026-W53-WE"),
    ("this month", WED, "2026-11"),
    ("last month", WED, "2026-10"),
    ("last month", NEW_YEAR, "2026-12"),
    ("next month", NYE, "2027-01"),
    ("this year", WED, "2026"),
    ("last year", WED, "2025"),
    ("last year", NEW_YEAR, "2026"),
    ("now", WED, "PRESENT_REF"),
    ("right now", WED, "PRESENT_REF"),
    ("just now", WED, "PRESENT_REF"),
])
def test_to_date(words, today, expected):
    assert st.to_date(words, today) == expected


@pytest.mark.parametrize("words", [
    "yesterday evening",        # a date and a time: two slots in Alexa
    "last night",
    "this morning",
    "monday morning",
    "november thirty first",
    "two days ago",
    "the week",
    "my back hurts",
    "no",
    "",
])
def test_to_date_rejects(words):
    assert st.to_date(words, WED) is None


@pytest.mark.parametrize("words, expected", [
    ("3 pm", "15:00"),
    ("three pm", "15:00"),
    ("3 p.m.", "15:00"),
    ("3pm", "15:00"),
    ("three in the afternoon", "15:00"),
    ("three thirty pm", "15:30"),
    ("3:30 pm", "15:30"),
    ("15:30", "15:30"),
    ("three oh five pm", "15:05"),
    ("half past two in the afternoon", "14:30"),
    ("quarter to nine in the morning", "08:45"),
    ("twenty past three", "03:20"),
    ("noon", "12:00"),
    ("midday", "12:00"),
    ("twelve noon", "12:00"),
    ("midnight", "00:00"),
    ("twelve am", "00:00"),
    ("seven am", "07:00"),
    ("eleven at night", "23:00"),
    ("ten o'clock", "10:00"),
    ("at about 3 pm", "15:00"),
    ("morning", "MO"),
    ("in the morning", "MO"),
    ("this morning", "MO"),
    ("afternoon", "AF"),
    ("evening", "EV"),
    ("this evening", "EV"),
    ("tonight", "EV"),
    ("night", "NI"),
    ("at night", "NI"),
    ("last night", "NI"),
    ("in the middle of the night", "NI"),
])
def test_to_time(words, expected):
    assert st.to_time(words) == expected


@pytest.mark.parametrize("words", [
    "13 pm", "25:00", "half to three", "yesterday evening", "two days", "my back hurts", "",
])
def test_to_time_rejects(words):
    assert st.to_time(words) is None


@pytest.mark.parametrize("words, expected", [
    ("two days", "P2D"),
    ("a day", "P1D"),
    ("one day", "P1D"),
    ("an hour", "PT1H"),
    ("30 minutes", "PT30M"),
    ("thirty minutes", "PT30M"),
    ("half an hour", "PT30M"),
    ("an hour and a half", "PT1H30M"),
    ("one and a half hours", "PT1H30M"),
    ("1.5 hours", "PT1H30M"),
    ("an hour and thirty minutes", "PT1H30M"),
    ("a day and a half", "P1DT12H"),
    ("half a day", "PT12H"),
    ("36 hours", "PT36H"),
    ("a week", "P1W"),
    ("two weeks", "P2W"),
    ("a fortnight", "P2W"),
    ("a couple of days", "P2D"),
    ("a few hours", "PT2H"),
    ("a few days", "P2D"),
    ("several days", "P3D"),
    ("a month", "P1M"),
    ("a year and a half", "P1Y6M"),
    ("twenty-one days", "P21D"),
    ("zero minutes", "PT0M"),
    ("two days ago", "P2D"),
    ("2 days ago", "P2D"),
    ("about two weeks ago", "P2W"),
    ("for the past three days", "P3D"),
    ("it's been an hour or so", "PT1H"),
])
def test_to_duration(words, expected):
    assert st.to_duration(words) == expected


@pytest.mark.parametrize("words", ["45", "a few", "half a second", "yesterday", "three pm", "no", ""])
def test_to_duration_rejects(words):
    assert st.to_duration(words) is None


@pytest.mark.parametrize("words, expected", [
    ("twenty three", "23"),
    ("twenty-one", "21"),
    ("5", "5"),
    ("zero", "0"),
    ("a hundred", "100"),
    ("one hundred and five", "105"),
    ("two thousand twenty six", "2026"),
    ("1,000", "1000"),
    ("no", None),
    ("a", None),
    ("first", None),
    ("twenty three days", None),
    ("", None),
])
def test_to_number(words, expected):
    assert st.to_number(words) == expected


@pytest.mark.parametrize("text, expected", [
    ("it started yesterday evening", {"date": "2026-11-24", "time": "EV"}),
    ("i hurt it lifting boxes two days ago", {"duration": "P2D"}),
    ("around lunchtime", {"time": "12:00"}),
    ("when i woke up", {"time": "MO"}),
    ("this morning when i woke up", {"date": "2026-11-25", "time": "MO"}),
    ("yesterday at dinner", {"date": "2026-11-24", "time": "EV"}),
    ("it's been about an hour and a half", {"duration": "PT1H30M"}),
    ("just now", {"date": "PRESENT_REF"}),
    ("right now", {"date": "PRESENT_REF"}),
    ("now", {"date": "PRESENT_REF"}),
    ("a moment ago", {"date": "PRESENT_REF"}),
    ("a minute ago", {"duration": "PT1M"}),
    ("last night", {"date": "2026-11-24", "time": "NI"}),
    ("it happened last night around 11 pm", {"date": "2026-11-24", "time": "23:00"}),
    ("this morning", {"date": "2026-11-25", "time": "MO"}),
    ("this afternoon", {"date": "2026-11-25", "time": "AF"}),
    ("this evening", {"date": "2026-11-25", "time": "EV"}),
    ("tonight", {"date": "2026-11-25", "time": "EV"}),
    ("earlier today", {"date": "2026-11-25"}),
    ("it started at 7 this morning", {"date": "2026-11-25", "time": "07:00"}),
    ("since monday morning", {"date": "2026-11-30", "time": "MO"}),
    ("about three in the afternoon yesterday", {"date": "2026-11-24", "time": "15:00"}),
    ("it went at half past two", {"time": "02:30"}),
    ("it started on the third", {"date": "2026-12-03"}),
    ("i hurt it last week", {"date": "2026-W47"}),
    ("for the last three days", {"duration": "P3D"}),
    ("it's been two days now", {"duration": "P2D"}),
    ("a couple of weeks ago", {"duration": "P2W"}),
    ("two days", {"duration": "P2D"}),
    ("on may the fourth", {"date": "2027-05-04"}),
])
def test_scan_finds(text, expected):
    assert st.scan(text, WED) == expected


@pytest.mark.parametrize("text", [
    "no",
    "yes",
    "my back hurts",
    "i am 45 years old",
    "i am about 45 years old",
    "i take ibuprofen every four hours",
    "it was the first time",
    "at one point it got better",
    "it may one day get better",
    "from one to two hours",
    "wait a second",
    "",
])
def test_scan_finds_nothing(text):
    assert st.scan(text, WED) == {}


@pytest.mark.parametrize("check, value, expected", [
    (st.is_alexa_date, "2026-11-24", True),
    (st.is_alexa_date, "2026-W48", True),
    (st.is_alexa_date, "2026-W48-WE", True),
    (st.is_alexa_date, "2026-11", True),
    (st.is_alexa_date, "2026", True),
    (st.is_alexa_date, "PRESENT_REF", True),
    (st.is_alexa_date, "yesterday", False),
    (st.is_alexa_date, "two days ago", False),
    (st.is_alexa_time, "15:30", True),
    (st.is_alexa_time, "EV", True),
    (st.is_alexa_time, "25:00", False),
    (st.is_alexa_time, "three pm", False),
    (st.is_alexa_duration, "P2D", True),
    (st.is_alexa_duration, "PT1H30M", True),
    (st.is_alexa_duration, "P1DT12H", True),
    (st.is_alexa_duration, "P", False),
    (st.is_alexa_duration, "PT", False),
    (st.is_alexa_duration, "two days", False),
])
def test_is_alexa_value(check, value, expected):
    assert check(value) is expected
