"""CanFulfillIntentRequest (name-free requests, Alexa+): YES for what the skill serves,
MAYBE for a slot it could not place, NO for what it does not do, and never a side effect:
no store call, no Alexa API call, no speech, nothing remembered."""

import pytest

from devkit.alexa import Caller, Conversation, SlotFill
from spasm_coach.alexa.services import TimedApiClient
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter
from tests.conftest import T0
from tests.test_storage import Counting


@pytest.fixture
def counted(content, store, apis):
    """(conversation from a device with Alexa API access, the counted store)."""
    counting = Counting(store)
    skill = SpasmCoach(content, RecordAdapter(counting, ttl_days=30), api_client=TimedApiClient())
    caller = Caller(api_endpoint=apis.endpoint, api_token="local-api-token", person_id="amzn1.ask.person.P")
    return Conversation(skill, caller, now=T0), counting


def verdict(turn):
    return turn.response["response"]["canFulfillIntent"]


def custom(value, value_id=None):
    return SlotFill(value, value_id, custom=True)


CASES = [
    ("IceOrHeatIntent", {}, "YES", {}),
    ("ReportSpasmIntent", {}, "YES", {}),
    ("TopicIntent", {"topic": custom("heat therapy", "ice_heat")}, "YES", {"topic": ("YES", "YES")}),
    ("SymptomIntent", {"sign": custom("both my legs are numb", "both_legs")}, "YES", {"sign": ("YES", "YES")}),
    ("SetReminderIntent", {"reminder": custom("switch to heat", "heat")}, "YES", {"reminder": ("YES", "YES")}),
    ("TopicIntent", {"topic": custom("knitting")}, "MAYBE", {"topic": ("MAYBE", "NO")}),
    ("TopicIntent", {}, "MAYBE", {}),
    ("OnsetIntent", {"date": SlotFill("2026-11-24")}, "MAYBE", {"date": ("YES", "YES")}),
    ("CheckInIntent", {"status": custom("better", "better")}, "MAYBE", {"status": ("YES", "YES")}),
    ("AMAZON.YesIntent", {}, "NO", {}),
    ("AMAZON.StopIntent", {}, "NO", {}),
    ("PlayMusicIntent", {"song": SlotFill("yesterday")}, "NO", {"song": ("NO", "NO")}),
]


@pytest.mark.parametrize("intent, slots, expected, per_slot", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_the_answer_says_what_the_skill_can_do(counted, intent, slots, expected, per_slot):
    talk, _ = counted
    answer = verdict(talk.can_fulfill(intent, **slots))
    assert answer["canFulfill"] == expected
    assert {name: (slot["canUnderstand"], slot["canFulfill"]) for name, slot in (answer.get("slots") or {}).items()} \
        == per_slot


def test_asking_has_no_side_effect(counted, apis):
    talk, counting = counted
    for intent, slots, _, _ in CASES:
        turn = talk.can_fulfill(intent, **slots)
        response = turn.response["response"]
        assert "outputSpeech" not in response and "card" not in response and "directives" not in response
        assert not turn.response.get("sessionAttributes")
    assert counting.calls == [] and apis.calls == [], "no store and no Alexa API call"
    first = talk.launch()
    assert "not medical advice" in first.speech, "nothing was remembered: still a first use"


@pytest.mark.parametrize("intent", [None, {"name": 42, "slots": []}, {"name": "TopicIntent", "slots": {"topic": 7}},
                                    {"name": "TopicIntent", "slots": {"topic": {"name": "topic", "value": ["x"]}}}])
def test_a_malformed_request_gets_a_quiet_answer_never_the_apology(skill, intent):
    event = Conversation(lambda e, _: e, Caller(), now=T0).can_fulfill("IceOrHeatIntent").response
    event["request"]["intent"] = intent
    answer = skill(event, None)["response"]
    assert "outputSpeech" not in answer and answer["canFulfillIntent"]["canFulfill"] in ("NO", "MAYBE")
