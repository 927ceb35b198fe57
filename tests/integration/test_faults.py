"""Faults around the skill, injected for real: devkit.fault_proxy sits on loopback between
lambda/app.py's handler and DynamoDB Local (DYNAMODB_ENDPOINT points at it) and between
the handler and the HTTPS Alexa API stand-in (the envelopes' apiEndpoint points at it),
and misbehaves in one mode at a time: refused, hanging connect, closed, slow, reset, 500,
throttled.

In every mode every turn must answer: with the advice that needs no stored state, and a
plain sentence when the episode could not be looked up or saved, or a reminder could not
be set, moved or cancelled. Each turn's wall time is recorded and reported at the end of
the run (tests/integration/figures.py); how long a turn can take at worst is asserted as a
property of the configuration in tests/test_budget.py, not measured here.

The faults come from the proxy, never from the machine's speed: the turns under a fault run
on a handler with production's timeouts (a fault fails them whatever the machine does),
and the turns that set things up before or check them after run on one with the test
run's generous timeouts, so a busy machine cannot fail them.
"""

import hashlib
import time
from datetime import datetime, timezone

import pytest

from devkit.alexa import Caller, Conversation, SlotFill
from devkit.fault_proxy import ERROR_MODES, ERRORS, MODES
from tests.conftest import GENEROUS, PRODUCTION_IO, io_environment
from tests.integration import figures

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
USER = "amzn1.ask.account.FAULTS-USER"
STORE_FAULTS = [m for m in MODES if m != "pass"]
API_FAULTS = [m for m in MODES if m != "pass" and (m not in ERROR_MODES or m in ERRORS["alexa"])]

UNREADABLE = "I couldn't look up your saved details just now."
UNSAVED = "I couldn't save that, so I may not remember it next time."
ICE_ADVICE = "Use ice in a cloth, 15 to 20 minutes at a time"
# Modes in which the request reaches the upstream and is carried out, and only the answer
# is lost (held back past the timeout, withheld, or cut off by a reset).
CARRIED_OUT_UNANSWERED = ("slow", "lost", "reset")
# Production's API timeouts with a store that is not failing (and so must not be raced).
API_STRICT_IO = io_environment(store=GENEROUS, api=None)
# A store that fails once: its one retry must succeed on a busy machine, and the proxy's
# slow mode (10 s, tests/integration/conftest.py) must outlast the read timeout.
ONE_FAILURE_IO = io_environment(store=(2.0, 5.0), api=GENEROUS)


class Timed:
    """A Lambda handler that records how long each turn took while `fault` is set."""

    def __init__(self, handler):
        self.handler = handler
        self.fault = None  # (component, mode) while a fault is injected
        self.name = None

    def __call__(self, event, context):
        started = time.perf_counter()
        response = self.handler(event, context)
        if self.fault:
            figures.turn(*self.fault, self.name or event["request"]["type"], time.perf_counter() - started)
        return response


def answered(turn):
    """The turn got a real answer: speech, not the last-resort apology."""
    assert turn.response is not None and turn.speech, "no answer"
    assert "something went wrong" not in turn.speech, turn.speech
    return turn.speech


def say(talk, name, *args, **slots):
    talk.handler.name = name
    if name == "launch":
        return talk.launch()
    return talk.intent(*args, **slots)


def stored(table):
    name, client = table
    key = hashlib.sha256(USER.encode()).hexdigest()
    return client.get_item(TableName=name, Key={"user_key": {"S": key}}, ConsistentRead=True).get("Item") or {}


# --- the store --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", STORE_FAULTS)
def test_with_the_store_failing_every_turn_still_helps(mode, proxies, lambda_entry, table):
    db, _ = proxies
    steady = lambda_entry(DYNAMODB_ENDPOINT=db.endpoint)
    strict = Timed(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint, **PRODUCTION_IO))
    talk = Conversation(steady, Caller(user_id=USER), now=T0)
    talk.intent("IceOrHeatIntent")
    assert ICE_ADVICE in talk.intent("OnsetIntent", date="2026-11-24", time="EV").speech  # stored
    before = stored(table)
    talk.new_session()

    db.set_mode(mode)
    talk.handler = strict
    talk.handler.fault = ("store", mode)
    launch = answered(say(talk, "launch"))
    assert UNREADABLE in launch and launch.endswith("Is your back spasming right now?")
    ice_or_heat = answered(say(talk, "ice or heat", "IceOrHeatIntent"))
    assert UNREADABLE in ice_or_heat and "When did the spasm start" in ice_or_heat
    plan = answered(say(talk, "onset", "OnsetIntent", date="2026-11-24", time="EV"))
    assert ICE_ADVICE in plan and "switch to heat" in plan and UNSAVED in plan
    tip = answered(say(talk, "topic", "TopicIntent", topic=SlotFill("stretches", "stretches", custom=True)))
    assert "stretch" in tip.lower() and UNREADABLE not in tip  # nothing stored was needed
    talk.new_session()
    sign = SlotFill("both my legs are numb", "both_legs", custom=True)
    emergency = answered(say(talk, "red flag", "SymptomIntent", sign=sign))
    assert emergency.startswith("That can be a sign of a serious problem. Call 911 now")
    talk.new_session()
    say(talk, "delete my data", "DeleteDataIntent")
    assert "couldn't delete your data" in answered(say(talk, "delete: yes", "AMAZON.YesIntent"))
    assert db.seen[mode] or mode in ("refuse", "blackhole")  # the faults really reached the store

    db.set_mode("pass")
    talk.handler = steady
    talk.new_session()
    after = talk.intent("IceOrHeatIntent")
    assert UNREADABLE not in after.speech
    # The record could not be read, so no delete was sent blind (others in the home may
    # have data in it): the user was told it could not be done, and nothing was lost.
    assert "When did the spasm start" not in after.speech
    assert stored(table)["episode_start"] == before["episode_start"], "the faults lost nothing"


@pytest.mark.parametrize("mode", ["throughput", "throttling", "500", "reset", "close", "slow", "lost"])
@pytest.mark.parametrize("failing", ["read", "write"])
def test_a_single_transient_store_failure_is_retried_unnoticed(mode, failing, proxies, lambda_entry, table):
    """One attempt fails, then the store answers again: botocore's one retry hides it. A
    write whose first attempt was carried out before its answer was lost (reset, slow,
    lost) is not carried out again: the retry's condition fails on a record that names
    this turn, and the turn takes it as done (tests/integration/test_answer_lost.py)."""
    db, _ = proxies
    talk = Conversation(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint, **ONE_FAILURE_IO), Caller(user_id=USER), now=T0)
    talk.intent("IceOrHeatIntent")
    db.set_mode(mode, times=1, skip=1 if failing == "write" else 0)
    plan = talk.intent("OnsetIntent", date="2026-11-24", time="EV")
    assert ICE_ADVICE in plan.speech and UNSAVED not in plan.speech and UNREADABLE not in plan.speech
    assert db.seen[mode] == 1
    assert "episode_start" in stored(table) and stored(table)["version"] == {"N": "2"}, "each write once"


# --- the Alexa APIs -----------------------------------------------------------------------

def device(handler, api_proxy):
    return Conversation(handler, Caller(user_id=USER, api_endpoint=api_proxy.endpoint,
                                        api_token="local-api-token"), now=T0)


@pytest.mark.parametrize("mode", API_FAULTS)
def test_with_the_alexa_apis_failing_the_plan_and_the_reminders_degrade_plainly(mode, proxies, lambda_entry, table,
                                                                                apis):
    db, api = proxies
    steady = lambda_entry(DYNAMODB_ENDPOINT=db.endpoint)
    talk = device(Timed(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint, **API_STRICT_IO)), api)
    api.set_mode(mode)
    talk.handler.fault = ("alexa-apis", mode)
    say(talk, "ice or heat", "IceOrHeatIntent")
    plan = answered(say(talk, "onset (Settings API)", "OnsetIntent", date="PRESENT_REF"))
    assert ICE_ADVICE in plan and "for about 48 hours more, then switch to heat" in plan  # no clock: relative
    assert plan.endswith("Shall I remind you when it's time for heat?")
    reminder = answered(say(talk, "set a reminder", "AMAZON.YesIntent"))
    assert "Sorry, I couldn't set the reminder just now. Your care plan stays the same." in reminder
    assert not any(key.startswith("reminder_") for key in stored(table))
    assert api.seen[mode] or mode in ("refuse", "blackhole")
    if mode in CARRIED_OUT_UNANSWERED:
        # Alexa set the reminder but its answer (and the reminder's token) never came
        # back: the skill cannot know about it yet. It goes off at the right time, and
        # cancelling (or ending the episode, or deleting the data) finds it by listing
        # the skill's reminders.
        assert len(apis.reminders) == 1
        api.set_mode("pass")
        talk.handler = steady
        assert "I've cancelled your reminders." in talk.intent("CancelRemindersIntent").speech
    assert apis.reminders == {}


@pytest.mark.parametrize("mode", API_FAULTS)
def test_with_the_alexa_apis_failing_reminders_already_set_are_reported_not_lost(mode, proxies, lambda_entry,
                                                                                  table, apis):
    db, api = proxies
    talk = device(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint), api)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="PRESENT_REF")
    talk.intent("AMAZON.YesIntent")
    assert "I'll remind you to check on your back" in talk.intent("AMAZON.YesIntent").speech
    assert len(apis.reminders) == 2
    talk.new_session()

    api.set_mode(mode)
    talk.handler = Timed(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint, **API_STRICT_IO))
    talk.handler.fault = ("alexa-apis", mode)
    listed = answered(say(talk, "list reminders", "ListRemindersIntent"))
    assert "Sorry, I can't reach your reminders just now." in listed
    api.operations.clear()
    moved = answered(say(talk, "correct the start", "OnsetIntent", date="2026-11-25", time="06:00"))
    assert ICE_ADVICE in moved and "Sorry, I couldn't move your reminders just now." in moved
    if mode not in ERROR_MODES:  # the first call got no answer: no reminder update was tried after it
        # (counted by method: a GET of the turn before may reach the proxy only now, on a
        # busy machine, after its client gave up on it)
        assert api.operations["PUT"] <= 1
    ended = answered(say(talk, "it's gone", "CheckInIntent", status="gone"))
    assert "Sorry, I couldn't cancel your reminders just now. You can delete them in the Alexa app." in ended
    assert "episode_start" not in stored(table)


# --- both at once -------------------------------------------------------------------------

@pytest.mark.parametrize("store_mode, api_mode", [("slow", "slow"), ("blackhole", "blackhole"), ("slow", "blackhole")])
def test_with_everything_failing_slowly_a_new_session_still_gets_its_plan(store_mode, api_mode, proxies,
                                                                          lambda_entry, table):
    """The slowest turns there are: the store fails to read and to write, and the Settings
    API is asked for the first time in the session and fails too."""
    db, api = proxies
    talk = device(Timed(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint, **PRODUCTION_IO)), api)
    db.set_mode(store_mode)
    api.set_mode(api_mode)
    talk.handler.fault = ("store+alexa-apis", f"{store_mode}+{api_mode}")
    launch = answered(say(talk, "launch", None))
    assert UNREADABLE in launch
    say(talk, "ice or heat", "IceOrHeatIntent")
    plan = answered(say(talk, "onset (read, Settings API, write)", "OnsetIntent", date="2026-11-24", time="EV"))
    assert ICE_ADVICE in plan and "switch to heat" in plan and UNREADABLE in plan and UNSAVED in plan
