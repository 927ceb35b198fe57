"""The self-care plan over time (spasm_coach.care) and how it is said (spasm_coach.speech).

Unless a case says otherwise, "now" is Wednesday 25 November 2026, 9 AM in New York, the
user's clock is known, and texts are en-US.
"""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from spasm_coach import care, speech
from spasm_coach.care import Episode
from spasm_coach.speech import Reply

NY = ZoneInfo("America/New_York")
HOUR = 3600
DAY = 24 * HOUR
MINUTE = 60


def ny(month, day, hour=0, minute=0, second=0):
    return datetime(2026, month, day, hour, minute, second, tzinfo=NY)


NOW = ny(11, 25, 9)                       # Wednesday, 9 AM


def ago(seconds, precision="hour", now=NOW):
    """An episode that started `seconds` before `now`."""
    return Episode(int(now.timestamp()) - int(seconds), precision)


def at(moment):
    return int(moment.timestamp())


@pytest.fixture(scope="module")
def texts(content):
    return content.texts("en-US")


def say(texts, message_id, **values):
    return texts.say(message_id, **values)


def mentions_ice(lines):
    return any(re.search(r"\bice\b", line, re.IGNORECASE) for line in lines)


# --- care.phase: ice first, heat after 48 hours, "long" after 72 -----------------------

START = 1_800_000_000


@pytest.mark.parametrize("age, use_ice, long", [
    pytest.param(0, True, False, id="just started: ice"),
    pytest.param(30 * HOUR, True, False, id="after 30 hours: ice"),
    pytest.param(48 * HOUR - 1, True, False, id="a second before 48 hours: still ice"),
    pytest.param(48 * HOUR, False, False, id="at 48 hours: heat"),
    pytest.param(72 * HOUR, False, False, id="at exactly 72 hours: heat, not yet long"),
    pytest.param(72 * HOUR + 1, False, True, id="just after 72 hours: heat, and long"),
    pytest.param(10 * DAY, False, True, id="after 10 days: heat, and long"),
    pytest.param(-HOUR, True, False, id="a start after now (clock skew) counts as just started"),
])
def test_phase(content, age, use_ice, long):
    stage = care.phase(content, Episode(START, "hour"), START + age)
    assert (stage.use_ice, stage.long) == (use_ice, long)
    assert stage.age_s == max(0, age)


@pytest.mark.parametrize("age", [0, 30 * HOUR, 60 * HOUR], ids=["now", "after 30 hours", "after 60 hours"])
def test_switch_to_heat_is_48_hours_after_the_start(content, age):
    assert care.phase(content, Episode(START, "day"), START + age).switch_at == START + 48 * HOUR


@pytest.mark.parametrize("age, stale", [
    pytest.param(DAY, False, id="a day old is current"),
    pytest.param(14 * DAY, False, id="exactly 14 days old is still current"),
    pytest.param(14 * DAY + 1, True, id="older than 14 days is history"),
    pytest.param(60 * DAY, True, id="two months old is history"),
])
def test_is_stale(content, age, stale):
    assert care.is_stale(content, Episode(START, "day"), START + age) is stale


# --- care.checkin: what "better", "same", "worse" or "gone" leads to --------------------

@pytest.mark.parametrize("status, answering, age, result", [
    pytest.param("gone", True, 10 * HOUR, "end", id="gone when asked ends the episode"),
    pytest.param("gone", False, 10 * HOUR, "end", id="gone out of the blue ends the episode"),
    pytest.param("gone", True, 100 * HOUR, "end", id="gone after a long spasm ends the episode"),
    pytest.param("better", False, 10 * HOUR, "end", id="better out of the blue ends the episode"),
    pytest.param("better", True, 10 * HOUR, "better", id="better when asked is glad news, episode kept"),
    pytest.param("better", True, 100 * HOUR, "better", id="better when asked after a long spasm is still better"),
    pytest.param("worse", True, 10 * HOUR, "worse", id="worse when asked"),
    pytest.param("worse", False, 100 * HOUR, "worse", id="worse out of the blue"),
    pytest.param("same", True, 10 * HOUR, "same_early", id="the same early on: give it time"),
    pytest.param("same", True, 72 * HOUR, "same_early", id="the same at exactly 72 hours: still early"),
    pytest.param("same", True, 72 * HOUR + 1, "same_long", id="the same after 72 hours: see a provider"),
    pytest.param("same", False, 5 * DAY, "same_long", id="the same out of the blue after 5 days: see a provider"),
])
def test_checkin(content, status, answering, age, result):
    assert care.checkin(content, status, Episode(START, "hour"), START + age, answering) == result


@pytest.mark.parametrize("result", ["better", "same_early", "same_long", "worse"])
def test_every_checkin_outcome_has_something_to_say(texts, result):
    assert say(texts, f"checkin_{result}")


# --- speech.since: how long ago it started ---------------------------------------------

@pytest.mark.parametrize("age, precision, words", [
    pytest.param(0, "exact", "just now", id="0 seconds: just now"),
    pytest.param(119, "exact", "just now", id="under 2 minutes: just now"),
    pytest.param(-5 * MINUTE, "exact", "just now", id="a start after now: just now"),
    pytest.param(2 * MINUTE, "exact", "about 5 minutes ago", id="2 minutes: about 5 minutes ago"),
    pytest.param(10 * MINUTE, "exact", "about 10 minutes ago", id="10 minutes: about 10 minutes ago"),
    pytest.param(30 * MINUTE, "exact", "about 30 minutes ago", id="30 minutes: about 30 minutes ago"),
    pytest.param(55 * MINUTE, "exact", "about an hour ago", id="55 minutes: about an hour ago"),
    pytest.param(HOUR, "hour", "about an hour ago", id="an hour: about an hour ago"),
    pytest.param(89 * MINUTE, "hour", "about an hour ago", id="89 minutes: about an hour ago"),
    pytest.param(3 * HOUR, "hour", "about 3 hours ago", id="3 hours: about 3 hours ago"),
    pytest.param(30 * HOUR, "hour", "about 30 hours ago", id="30 hours: about 30 hours ago"),
    pytest.param(11 * HOUR, "part_of_day", "about 11 hours ago", id="a part of the day is said in hours"),
    pytest.param(0, "part_of_day", "earlier today", id="this morning placed at now is earlier today, not just now"),
    pytest.param(90 * MINUTE, "part_of_day", "earlier today", id="a part of the day under two hours ago is earlier today"),
    pytest.param(48 * HOUR, "exact", "2 days ago", id="48 hours: 2 days ago"),
    pytest.param(71 * HOUR, "hour", "2 days ago", id="71 hours: 2 days ago"),
    pytest.param(5 * DAY, "exact", "5 days ago", id="5 days: 5 days ago"),
])
def test_since_for_a_known_time(texts, age, precision, words):
    assert speech.since(texts, ago(age, precision), NOW) == words


@pytest.mark.parametrize("stored_at, precision, words", [
    pytest.param(NOW, "day", "earlier today", id="today (stored as now): earlier today"),
    pytest.param(ny(11, 25, 0), "day", "yesterday", id="yesterday (stored at its end): yesterday"),
    pytest.param(ny(11, 24, 0), "day", "2 days ago", id="monday (stored at its end): 2 days ago"),
    pytest.param(ny(11, 23, 0), "day", "3 days ago", id="sunday (stored at its end): 3 days ago"),
    pytest.param(ny(11, 23, 9), "day", "2 days ago", id="two days ago (a duration): 2 days ago"),
    pytest.param(ny(11, 23, 0), "week", "3 days ago", id="last week (stored at its end): 3 days ago"),
    pytest.param(NOW, "month", "earlier today", id="this month (stored as now): earlier today"),
])
def test_since_for_a_vague_day(texts, stored_at, precision, words):
    assert speech.since(texts, Episode(at(stored_at), precision), NOW) == words


# --- speech.time_left: rounded up, so ice is never cut short ---------------------------

@pytest.mark.parametrize("seconds, words", [
    pytest.param(1, "5 minutes", id="a second: 5 minutes"),
    pytest.param(12 * MINUTE, "15 minutes", id="12 minutes: 15 minutes"),
    pytest.param(45 * MINUTE, "45 minutes", id="45 minutes: 45 minutes"),
    pytest.param(45 * MINUTE + 1, "50 minutes", id="just over 45 minutes: 50 minutes"),
    pytest.param(56 * MINUTE, "an hour", id="56 minutes: an hour, not 60 minutes"),
    pytest.param(HOUR, "an hour", id="exactly an hour: an hour"),
    pytest.param(61 * MINUTE, "2 hours", id="61 minutes: 2 hours"),
    pytest.param(18 * HOUR, "18 hours", id="18 hours: 18 hours"),
    pytest.param(47 * HOUR + 59 * MINUTE, "48 hours", id="47 hours 59 minutes: 48 hours"),
])
def test_time_left(texts, seconds, words):
    assert speech.time_left(texts, seconds) == words


# --- speech.clock: a moment in the user's zone, rounded up to the half hour ------------

@pytest.mark.parametrize("moment, words", [
    pytest.param(ny(11, 25, 14, 37), "3 PM today", id="2:37 PM rounds up to 3 PM today"),
    pytest.param(ny(11, 25, 14, 30), "2:30 PM today", id="2:30 PM sharp stays 2:30 PM today"),
    pytest.param(ny(11, 25, 14, 30, 30), "3 PM today", id="30 seconds past 2:30 PM rounds up to 3 PM"),
    pytest.param(ny(11, 25, 14, 0), "2 PM today", id="2 PM sharp stays 2 PM today"),
    pytest.param(ny(11, 25, 9, 1), "9:30 AM today", id="9:01 AM rounds up to 9:30 AM today"),
    pytest.param(ny(11, 25, 11, 50), "noon today", id="11:50 AM rounds up to noon today"),
    pytest.param(ny(11, 25, 17, 30), "5:30 PM today", id="5:30 PM is still today"),
    pytest.param(ny(11, 25, 17, 45), "6 PM tonight", id="5:45 PM rounds up to 6 PM tonight"),
    pytest.param(ny(11, 25, 18, 10), "6:30 PM tonight", id="6:10 PM rounds up to 6:30 PM tonight"),
    pytest.param(ny(11, 25, 23, 45), "midnight tonight", id="11:45 PM rounds up to midnight tonight"),
    pytest.param(ny(11, 26, 0, 0), "midnight tonight", id="midnight at the end of today: midnight tonight"),
    pytest.param(ny(11, 26, 0, 10), "12:30 AM tomorrow", id="12:10 AM rounds up to 12:30 AM tomorrow"),
    pytest.param(ny(11, 26, 3), "3 AM tomorrow", id="3 AM tomorrow"),
    pytest.param(ny(11, 26, 12), "noon tomorrow", id="noon tomorrow"),
    pytest.param(ny(11, 26, 15), "3 PM tomorrow", id="3 PM tomorrow"),
    pytest.param(ny(11, 26, 20), "8 PM tomorrow", id="8 PM tomorrow is not tonight"),
    pytest.param(ny(11, 27, 0), "the end of tomorrow", id="midnight at the end of tomorrow"),
    pytest.param(ny(11, 28, 0), "the end of Friday", id="midnight at the end of Friday"),
    pytest.param(ny(11, 28, 10), "10 AM on Saturday", id="3 days ahead names the weekday"),
    pytest.param(ny(12, 1, 10), "10 AM on Tuesday", id="6 days ahead names the weekday"),
    pytest.param(ny(12, 2, 10), "10 AM on December 2", id="a week ahead names the date, not the weekday"),
    pytest.param(ny(12, 5, 10), "10 AM on December 5", id="10 days ahead names the date"),
    pytest.param(ny(12, 6, 0), "the end of December 5", id="midnight 10 days ahead: the end of that date"),
])
def test_clock(texts, moment, words):
    assert speech.clock(texts, at(moment), NOW) == words


def test_clock_is_said_in_the_users_zone(texts):
    moment = at(datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc))   # 3 PM in New York
    assert speech.clock(texts, moment, NOW) == "3 PM tomorrow"
    assert speech.clock(texts, moment, NOW.astimezone(timezone.utc)) == "8 PM tomorrow"


# --- the issue's example ---------------------------------------------------------------

def test_issue_example_started_30_hours_ago_at_9_am(content, texts):
    episode = ago(30 * HOUR)
    assert speech.since(texts, episode, NOW) == "about 30 hours ago"
    lines = speech.ice_or_heat(texts, content, episode, NOW, clock_known=True, answer_first=True)
    assert "Keep using ice until about 3 AM tomorrow, then switch to heat." in lines


def test_issue_example_started_30_hours_ago_at_9_pm(content, texts):
    now = ny(11, 25, 21)
    episode = ago(30 * HOUR, now=now)
    assert speech.since(texts, episode, now) == "about 30 hours ago"
    lines = speech.ice_or_heat(texts, content, episode, now, clock_known=True, answer_first=True)
    assert "Keep using ice until about 3 PM tomorrow, then switch to heat." in lines


# --- speech.ice_or_heat ----------------------------------------------------------------

ICE = "Use ice in a cloth, 15 to 20 minutes at a time, "


@pytest.mark.parametrize("age, clock_known, until", [
    pytest.param(30 * HOUR, True, "until about 3 AM tomorrow", id="clock known: ice until a clock time"),
    pytest.param(30 * HOUR, False, "for about 18 hours more", id="clock unknown: ice for a number of hours"),
    pytest.param(47 * HOUR + 30 * MINUTE, False, "for about 30 minutes more",
                 id="clock unknown, half an hour left: ice for 30 minutes"),
    pytest.param(47 * HOUR, False, "for about an hour more", id="clock unknown, an hour left: ice for an hour"),
    pytest.param(0, True, "until about 9 AM on Friday", id="just started at 9 AM wednesday: ice until friday 9 AM"),
])
def test_ice_until(content, texts, age, clock_known, until):
    lines = speech.ice_or_heat(texts, content, ago(age), NOW, clock_known)
    assert lines == [f"{ICE}{until}, then switch to heat."]


def test_answering_ice_or_heat_says_until_when_first_then_how(content, texts):
    assert speech.ice_or_heat(texts, content, ago(30 * HOUR), NOW, True, answer_first=True) == [
        "Keep using ice until about 3 AM tomorrow, then switch to heat.", say(texts, "ice_how")]


@pytest.mark.parametrize("answer_first", [False, True], ids=["in the plan", "answering ice or heat"])
@pytest.mark.parametrize("age", [48 * HOUR, 80 * HOUR], ids=["at 48 hours", "after 80 hours"])
def test_heat_after_48_hours_never_mentions_ice(content, texts, age, answer_first):
    lines = speech.ice_or_heat(texts, content, ago(age), NOW, True, answer_first=answer_first)
    assert lines == [say(texts, "plan_heat")]
    assert not mentions_ice(lines)


# --- speech.plan (spoken) and speech.plan_card ---------------------------------------------

def plan(content, texts, age, clock_known=True, safety_net=False, locale_texts=None):
    return speech.plan(locale_texts or texts, content, ago(age), NOW, clock_known, safety_net=safety_net)


def card(content, texts, age, referral=None, safety_net=False):
    return speech.plan_card(texts, content, ago(age), NOW, True, referral=referral, safety_net=safety_net)


def test_the_spoken_plan_is_what_to_use_until_when_and_the_movement_tip(content, texts):
    assert plan(content, texts, 30 * HOUR) == [f"{ICE}until about 3 AM tomorrow, then switch to heat.",
                                               say(texts, "plan_move")]


def test_plan_within_48_hours_without_the_users_clock(content, texts):
    lines = plan(content, texts, 30 * HOUR, clock_known=False)
    assert f"{ICE}for about 18 hours more, then switch to heat." in lines
    assert not any("until about" in line for line in lines)


def test_plan_after_48_hours_says_heat_and_never_ice(content, texts):
    lines = plan(content, texts, 50 * HOUR)
    assert lines == [say(texts, "plan_heat"), say(texts, "plan_move")]
    assert not mentions_ice(lines)


@pytest.mark.parametrize("age, says_long", [
    pytest.param(30 * HOUR, False, id="30 hours: not long yet"),
    pytest.param(72 * HOUR, False, id="exactly 72 hours: not long yet"),
    pytest.param(73 * HOUR, True, id="73 hours: more than a few days"),
    pytest.param(6 * DAY, True, id="6 days: more than a few days"),
])
def test_plan_mentions_a_long_spasm_only_after_72_hours(content, texts, age, says_long):
    assert (say(texts, "plan_long") in plan(content, texts, age)) is says_long
    assert (say(texts, "plan_long") in card(content, texts, age)) is says_long


def test_a_long_spasm_already_mentioned_is_not_repeated(content, texts):
    lines = speech.follow_ups(texts, content, ago(80 * HOUR), NOW, None, True, long_said=True)
    assert say(texts, "plan_long") not in lines


@pytest.mark.parametrize("referral, reminder", [
    pytest.param("provider_prompt", "reminder_provider_prompt", id="see a provider promptly"),
    pytest.param("provider_same_day", "reminder_provider_same_day", id="see a provider today"),
])
def test_the_card_with_a_referral_drops_stretches_and_reminds_of_the_provider(content, texts, referral, reminder):
    text = card(content, texts, 30 * HOUR, referral=referral)
    assert say(texts, "plan_stretch") not in text
    assert text.endswith(say(texts, reminder))
    assert say(texts, "plan_rest") in text and say(texts, "plan_no_bare_skin") in text


def test_the_card_without_a_referral_has_stretches_and_no_reminder(content, texts):
    text = card(content, texts, 30 * HOUR)
    assert say(texts, "plan_stretch") in text
    assert "healthcare provider" not in text


@pytest.mark.parametrize("safety_net", [False, True], ids=["after the safety questions: no emergency line",
                                                            "without them: the emergency line, with 911"])
def test_plan_emergency_safety_net(content, texts, safety_net):
    lines = plan(content, texts, 30 * HOUR, safety_net=safety_net)
    assert any("911" in line for line in lines) is safety_net
    assert (say(texts, "plan_safety_net") in lines) is safety_net
    assert (say(texts, "plan_safety_net") in card(content, texts, 30 * HOUR, safety_net=safety_net)) is safety_net


def test_the_safety_net_uses_the_locales_own_emergency_number(content):
    lines = speech.plan(content.texts("en-GB"), content, ago(30 * HOUR), NOW, True, safety_net=True)
    assert any("999" in line for line in lines)
    assert not any("911" in line for line in lines)


def test_the_card_follow_ups_come_in_order(content, texts):
    text = card(content, texts, 80 * HOUR, referral="provider_prompt", safety_net=True)
    assert text == " ".join([
        say(texts, "plan_heat"),
        say(texts, "plan_rest"),
        say(texts, "plan_long"),
        say(texts, "reminder_provider_prompt"),
        say(texts, "plan_safety_net"),
    ])


# --- Reply ------------------------------------------------------------------------------

def test_a_new_reply_says_nothing_and_stays_open():
    reply = Reply()
    assert (reply.text(), reply.ask, reply.end) == ("", None, False)


def test_add_skips_empty_sentences():
    assert Reply().add("One.", "", None, "Two.").say == ["One.", "Two."]


def test_question_is_said_last_and_repeated_as_the_reprompt():
    reply = Reply().add("Hello.").question("Better or worse?")
    assert reply.text() == "Hello. Better or worse?"
    assert (reply.ask, reply.reprompt, reply.end) == ("Better or worse?", "Better or worse?", False)


def test_question_with_its_own_reprompt():
    reply = Reply().question("Better or worse?", "Please say better or worse.")
    assert reply.reprompt == "Please say better or worse."


def test_close_ends_the_session_without_a_question():
    reply = Reply().add("Bye.").question("More?").close()
    assert reply.text() == "Bye."
    assert (reply.ask, reply.reprompt, reply.end) == (None, None, True)


def test_a_question_after_close_reopens_the_session():
    reply = Reply().close().question("More?")
    assert (reply.ask, reply.end) == ("More?", False)


def test_reply_methods_chain():
    reply = Reply()
    assert reply.add("A.") is reply
    assert reply.question("Q?") is reply
    assert reply.close() is reply
