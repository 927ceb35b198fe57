"""The Lambda handler fed real request envelopes (tests/events/*.json, the same JSON you can
paste into the Alexa developer console's manual JSON input), and envelopes that are wrong
in the ways real traffic can be."""

import copy
import json
from pathlib import Path

import pytest

from devkit.alexa import ssml_to_text

EVENTS = Path(__file__).parent / "events"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def event(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


def speech(response):
    return ssml_to_text(response["response"]["outputSpeech"]["ssml"])


def is_open(response):
    return response["response"].get("shouldEndSession") is False


# name of the fixture, words the answer must contain, whether the session stays open
FIXTURES = [
    ("launch", ["not medical advice", "Is your back spasming right now?"], True),
    ("report_spasm", ["safety questions", "groin"], True),
    ("symptom_both_legs", ["Call 911 now"], False),
    ("triage_yes_to_nerves", ["Call 911 now"], False),
    ("ice_or_heat", ["When did the spasm start"], True),
    ("onset_yesterday_evening", ["about 18 hours ago", "Use ice", "switch to heat"], True),
    ("topic_pain_relief", ["ibuprofen", "label", "pharmacist"], True),
    ("help", ["ice or heat"], True),
    ("fallback", ["didn't get that"], True),
    ("stop", ["Goodbye"], False),
]


@pytest.mark.parametrize("name, words, stays_open", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_fixture_envelopes(skill, name, words, stays_open):
    response = skill(event(name), None)
    for word in words:
        assert word.lower() in speech(response).lower()
    assert is_open(response) == stays_open
    if stays_open:
        assert response["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_emergency_comes_before_the_first_use_disclaimer(skill):
    said = speech(skill(event("symptom_both_legs"), None))
    assert said.index("Call 911 now") < said.index("not medical advice")


def test_emergency_card_tells_them_to_call(skill):
    card = skill(event("symptom_both_legs"), None)["response"]["card"]
    assert card["type"] == "Simple" and "911" in card["title"] and "911" in card["content"]


def test_session_ended_with_an_error_gets_an_empty_answer(skill):
    response = skill(event("session_ended_error"), None)
    assert "outputSpeech" not in response["response"]


@pytest.mark.parametrize("request_type", [
    "System.ExceptionEncountered", "CanFulfillIntentRequest",
    "Some.Future.RequestType",
])
def test_request_types_the_skill_does_not_use_are_answered_quietly(skill, request_type):
    envelope = event("launch")
    envelope["request"]["type"] = request_type
    response = skill(envelope, None)
    assert response is not None
    assert "shouldEndSession" not in response["response"] or response["response"]["shouldEndSession"] is not False


def _without(path):
    def mutate(envelope):
        *parents, last = path
        node = envelope
        for key in parents:
            node = node[key]
        del node[last]
    return mutate


MALFORMED = {
    "no request": _without(["request"]),
    "no context": _without(["context"]),
    "no user": _without(["context", "System", "user"]),
    "no timestamp": _without(["request", "timestamp"]),
    "no application": _without(["context", "System", "application"]),
    "request is a string": lambda e: e.__setitem__("request", "hello"),
    "timestamp is not a date": lambda e: e["request"].__setitem__("timestamp", "yesterday-ish"),
    "session attributes are a list": lambda e: e["session"].__setitem__("attributes", [1, 2]),
}


@pytest.mark.parametrize("mutation", MALFORMED, ids=list(MALFORMED))
def test_malformed_envelopes_get_a_safe_spoken_answer(skill, mutation):
    envelope = event("report_spasm")
    MALFORMED[mutation](envelope)
    response = skill(envelope, None)
    assert "went wrong" in speech(response)
    assert response["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("garbage", [None, "", 42, [], {}, {"version": "1.0"}, "not json at all"])
def test_events_that_are_not_envelopes_get_a_safe_answer(skill, garbage):
    response = skill(garbage, None)
    assert "went wrong" in speech(response)
    assert response["response"]["shouldEndSession"] is True


def test_garbage_session_state_is_survived(skill):
    envelope = event("triage_yes_to_nerves")
    envelope["session"]["attributes"] = {
        "pending": {"kind": "triage", "step": "two", "level": 7, "unsure": "x"},
        "tips": "not a list", "fails": -4, "tz": 12, "last": [], "referral": {"x": 1},
    }
    response = skill(envelope, None)
    # A broken triage state is not guessed at: the yes counts for nothing and the first
    # question is asked again.
    assert "groin" in speech(response) and is_open(response)


def test_slot_text_is_escaped_in_ssml(skill):
    envelope = event("onset_yesterday_evening")
    envelope["request"]["intent"]["slots"]["date"]["value"] = "<audio src='x'/> & </speak>"
    envelope["request"]["intent"]["slots"]["time"]["value"] = None
    response = skill(envelope, None)
    ssml = response["response"]["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and ssml.count("<speak>") == 1 and "<audio" not in ssml


class TestSkillIdCheck:
    """Requests for another skill get no answer and touch no storage."""

    def test_wrong_skill_id_gets_no_answer_and_no_io(self, content):
        from spasm_coach.alexa.skill import SpasmCoach

        class NoIO:
            def __getattr__(self, name):
                raise AssertionError(f"storage was used: {name}")

        coach = SpasmCoach(content, NoIO(), skill_id="amzn1.ask.skill.the-real-one")
        assert coach(event("launch"), None) is None

    def test_right_skill_id_is_answered(self, content, store):
        from spasm_coach.alexa.skill import SpasmCoach
        from spasm_coach.storage import RecordAdapter
        coach = SpasmCoach(content, RecordAdapter(store, 30), skill_id=SKILL_ID)
        assert "Welcome" in speech(coach(event("launch"), None))


def test_fixtures_are_not_changed_by_the_handler(skill):
    envelope = event("report_spasm")
    before = copy.deepcopy(envelope)
    skill(envelope, None)
    assert envelope == before


# --- on a device with the Alexa APIs: the plan's length, and a reminder that failed ---------

def _words(text):
    import re
    return len(re.findall(r"[A-Za-z0-9']+", text))


def _disclaimer(content):
    return content.texts("en-US").say("disclaimer")


def test_the_plan_with_a_reminder_offer_is_at_most_50_words(device_talk, content):
    """The longest plan: no red-flag questions yet (so the emergency signs are said), ice
    until a clock time, and the reminder offer as its one question."""
    device_talk.intent("IceOrHeatIntent")
    plan = device_talk.intent("OnsetIntent", date="PRESENT_REF")
    assert plan.speech.endswith("Shall I remind you when it's time for heat?")
    assert _words(plan.speech.replace(_disclaimer(content), "")) <= 50, plan.speech


def test_the_plan_after_the_questions_on_a_device_is_at_most_50_words(device_talk):
    device_talk.intent("ReportSpasmIntent")
    for _ in range(6):
        device_talk.intent("AMAZON.NoIntent")
    plan = device_talk.intent("OnsetIntent", date="2026-11-24", time="EV")
    assert "until about" in plan.speech and plan.speech.endswith("time for heat?")
    assert _words(plan.speech) <= 50, plan.speech


def test_a_reminder_that_failed_is_not_offered_again_that_session(device_talk, apis):
    device_talk.intent("IceOrHeatIntent")
    device_talk.intent("OnsetIntent", date="PRESENT_REF")
    apis.fail_next(500)
    failed = device_talk.intent("AMAZON.YesIntent")
    assert "couldn't set the reminder" in failed.speech
    assert "time for heat?" not in failed.speech
    again = device_talk.intent("IceOrHeatIntent")  # the plan again, in the same session
    assert "time for heat?" not in again.speech and not again.ends_session
