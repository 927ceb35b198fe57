"""Nothing from the user reaches SSML unescaped: every intent of the interaction model, with
every slot filled with markup, in the states a conversation can be in, and session state
sent back with markup in it, gets speech and a reprompt that are one <speak> element with
plain text inside. (Property-based fuzzing of whole envelopes is in tests/fuzz/.)"""

import json
import xml.etree.ElementTree as ET

import pytest

from devkit.alexa import Caller, Conversation, SlotFill
from devkit.build_model import OUTPUT as MODEL
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter
from tests.conftest import T0

HOSTILE = [
    "<audio src='https://example.invalid/x.mp3'/>",
    "</speak><speak>hello",
    "&amp; & &lt; <",
    '<break time="10s"/> <prosody volume="x-loud">',
    "]]><!-- <![CDATA[",
    "ok\x07\x1b",
]

INTENTS = {intent["name"]: [slot["name"] for slot in intent.get("slots", [])]
           for intent in json.loads(MODEL.read_text())["interactionModel"]["languageModel"]["intents"]}


def well_formed(ssml):
    """The SSML is a <speak> element with text only: no element the user could have added."""
    root = ET.fromstring(ssml)
    assert root.tag == "speak" and len(root) == 0, ssml
    return root.text or ""


def check(turn):
    response = (turn.response or {}).get("response", {})
    for path in (("outputSpeech",), ("reprompt", "outputSpeech")):
        node = response
        for key in path:
            node = node.get(key) or {}
        if node.get("ssml"):
            well_formed(node["ssml"])


STATES = {
    "fresh": lambda talk: None,
    "mid-triage": lambda talk: talk.intent("ReportSpasmIntent"),
    "asked when it started": lambda talk: talk.intent("IceOrHeatIntent"),
    "with a stored episode": lambda talk: (talk.intent("IceOrHeatIntent"), talk.intent("OnsetIntent", date="PRESENT_REF")),
    "asked to delete": lambda talk: talk.intent("DeleteDataIntent"),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_markup_in_any_slot_of_any_intent_stays_text(content, store, state, hostile):
    skill = SpasmCoach(content, RecordAdapter(store, 30))
    for intent, slots in INTENTS.items():
        talk = Conversation(skill, Caller(user_id=f"amzn1.ask.account.{intent}"), now=T0)
        STATES[state](talk)
        fills = {name: SlotFill(hostile, None, custom=True) for name in slots}
        check(talk.intent(intent, **fills))


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_markup_in_session_state_sent_back_stays_text(skill, hostile):
    talk = Conversation(skill, Caller(), now=T0)
    talk.launch()
    talk.attributes.update(last={"say": hostile}, tz=hostile, tips=[hostile], referral=hostile,
                           pending={"kind": hostile})
    check(talk.intent("AMAZON.RepeatIntent"))
    talk.attributes.update(last={"say": hostile}, tz=hostile)
    check(talk.intent("IceOrHeatIntent"))
    check(talk.intent("OnsetIntent", date="PRESENT_REF"))


def test_the_check_would_catch_unescaped_markup():
    with pytest.raises(AssertionError):
        well_formed("<speak>hi <audio src='x'/></speak>")
    with pytest.raises(ET.ParseError):
        well_formed("<speak>a & b</speak>")
