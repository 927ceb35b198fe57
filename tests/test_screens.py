"""Screens (APL): a RenderDocument directive exactly for devices that have a screen, its
datasource the same words as the speech, touches on "more tips" and topics answered,
runtime errors logged and answered with silence; every document in content/apl/ parses,
is APL 2024.x, and names only APL's own components or ones it imports."""

import json
import logging
from pathlib import Path

import pytest

from devkit.alexa import Caller, Conversation, SlotFill
from spasm_coach import content as content_module
from spasm_coach.alexa import screens
from tests.conftest import ROOT, T0

APL_DIR = ROOT / "content" / "apl"
DOCUMENTS = sorted(APL_DIR.glob("*.json"))
RENDER = "Alexa.Presentation.APL.RenderDocument"

# APL's own components (APL 2024.2 specification) and what alexa-layouts provides.
PRIMITIVES = {"Container", "EditText", "Frame", "GridSequence", "Image", "Pager", "ScrollView", "Sequence",
              "Text", "TouchWrapper", "VectorGraphic", "Video", "FlexSequence"}
PACKAGES = {"alexa-layouts": {"AlexaBackground", "AlexaButton", "AlexaCheckbox", "AlexaDetail", "AlexaFooter",
                              "AlexaHeader", "AlexaHeadline", "AlexaIconButton", "AlexaImage", "AlexaImageList",
                              "AlexaLists", "AlexaPaginatedList", "AlexaProgressBar", "AlexaRadioButton",
                              "AlexaSlider", "AlexaSwitch", "AlexaTextList", "AlexaTransportControls",
                              "AlexaGridList", "AlexaDivider", "AlexaRating", "AlexaKeyboard"}}


def screen_talk(skill, screen=True, locale="en-US"):
    interfaces = ("Alexa.Presentation.APL",) if screen else ()
    user = f"amzn1.ask.account.{'SCREEN' if screen else 'SPEAKER'}-{locale}"
    return Conversation(skill, Caller(user_id=user, interfaces=interfaces, locale=locale), now=T0)


def renders(turn):
    return [d for d in turn.directives if d.get("type") == RENDER]


def to_plan(talk):
    talk.launch()
    talk.intent("AMAZON.YesIntent")
    for _ in content_module.load().triage:  # no to every red-flag question
        talk.intent("AMAZON.NoIntent")
    return talk.intent("OnsetIntent", date=SlotFill("2026-11-25"), time=SlotFill("MO"))


def component_types(node):
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and ("items" in node or "item" in node or node["type"][0].isupper()):
            yield node["type"]
        for key, value in node.items():
            if key in ("primaryAction", "onPress", "onMount", "commands"):
                continue  # commands, not components
            yield from component_types(value)
    elif isinstance(node, list):
        for value in node:
            yield from component_types(value)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_document_parses_and_names_only_components_it_imports(path):
    document = json.loads(path.read_text())
    assert document["type"] == "APL" and document["version"].startswith("2024.")
    imported = set()
    for package in document.get("import", []):
        imported |= PACKAGES[package["name"]]
    assert "alexa-layouts" in {p["name"] for p in document["import"]}, "the responsive components"
    used = set(component_types(document["mainTemplate"]["items"]))
    assert used and used <= PRIMITIVES | imported, used - PRIMITIVES - imported
    assert used & imported, "uses the responsive components it imports"
    assert document["mainTemplate"]["parameters"] == ["payload"]


def test_there_is_a_document_for_every_screen_kind():
    assert {p.stem for p in DOCUMENTS} == set(screens.KINDS)


def test_the_plan_is_shown_exactly_on_a_screen_device_and_says_what_was_spoken(skill):
    plan = to_plan(screen_talk(skill))
    [directive] = renders(plan)
    data = directive["datasources"]["payload"]["plan"]
    assert data["now"] in plan.speech and data["now"].startswith("Use ice")
    assert data["switch"].startswith("Keep using ice ") and "switch to heat" in data["switch"]
    when = data["switch"][len("Keep using ice "):].split(", then")[0]  # "until about 3 PM", "for about 45 hours more"
    assert when in plan.speech
    assert data["tip"] == "Next tip: Pain relief" and data["more"] == "More tips"
    assert directive["document"]["type"] == "APL"
    headless = to_plan(screen_talk(skill, screen=False))
    assert headless.speech == plan.speech and renders(headless) == []


def test_no_directive_on_a_device_without_a_screen_anywhere_in_a_conversation(skill):
    talk = screen_talk(skill, screen=False)
    turns = [talk.launch(), talk.intent("AMAZON.HelpIntent"),
             talk.intent("SymptomIntent", sign=SlotFill("both legs numb", "both_legs", custom=True))]
    assert all(renders(turn) == [] for turn in turns)


def test_the_emergency_is_shown_large_with_the_number(skill):
    talk = screen_talk(skill)
    turn = talk.intent("SymptomIntent", sign=SlotFill("both legs numb", "both_legs", custom=True))
    [directive] = renders(turn)
    data = directive["datasources"]["payload"]["emergency"]
    assert data["title"] == "Call 911 now" and data["number"] == "911" and "Call 911 now" in turn.speech
    assert directive["document"]["mainTemplate"]["items"][0]["type"] == "AlexaHeadline"


def test_help_shows_the_topics_as_a_short_list(skill, content):
    turn = screen_talk(skill).intent("AMAZON.HelpIntent")
    [directive] = renders(turn)
    items = directive["datasources"]["payload"]["topics"]["items"]
    assert [item["id"] for item in items] == list(content.topics)
    assert all(len(item["primaryText"].split()) <= 5 for item in items)


def touch(talk, *arguments):
    from ask_sdk_model.interfaces.alexa.presentation.apl import UserEvent
    return talk._send(UserEvent(token="back-spasm-coach-plan", arguments=list(arguments), **talk._request_fields()))


def test_touching_more_tips_gives_the_next_tip(skill, content):
    talk = screen_talk(skill)
    to_plan(talk)
    turn = touch(talk, "more_tips")
    assert content.locales["en-US"].say("topic_pain_relief") in turn.speech
    assert renders(turn), "the list stays on the screen"
    again = touch(talk, "topic", "stretches")
    assert content.locales["en-US"].say("topic_stretches") in again.speech


@pytest.mark.parametrize("arguments", [["self_destruct"], [], ["topic", {"id": "rest"}], ["topic", "x" * 5000],
                                       [["more_tips"]], ["topic"]])
def test_a_touch_we_do_not_know_is_answered_like_words_we_did_not_get(skill, arguments):
    talk = screen_talk(skill)
    talk.launch()
    assert "Sorry, I didn't get that" in touch(talk, *arguments).speech


@pytest.mark.parametrize("error", [
    {"type": "LIST_ERROR", "reason": "INVALID_LIST_INDEX", "listId": "x", "message": "bad"},
    {"type": "RENDER_ERROR", "reason": "SOMETHING_NEW", "message": "unknown to ask-sdk-model"},
    "not even an object",
])
def test_a_runtime_error_is_logged_and_gets_no_answer(skill, caplog, error):
    talk = screen_talk(skill)
    talk.launch()
    caplog.set_level(logging.INFO, logger="spasm_coach")
    event = {"version": "1.0", "session": talk.history[-1].request["session"],
             "context": talk.history[-1].request["context"],
             "request": {"type": "Alexa.Presentation.APL.RuntimeError", "requestId": "amzn1.echo-api.request.x",
                         "timestamp": "2026-11-25T15:00:00Z", "locale": "en-US", "token": "back-spasm-coach-plan",
                         "errors": [error]}}
    response = skill(event, None)["response"]
    assert "outputSpeech" not in response and "directives" not in response
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "spasm_coach"]
    assert any(line.get("event") == "apl_runtime_error" for line in lines)
    assert not any(line.get("event") == "unhandled" for line in lines)


@pytest.mark.parametrize("locale, number", [("en-GB", "999"), ("en-AU", "000"), ("en-IN", "112")])
def test_the_emergency_screen_shows_the_locales_own_number(skill, locale, number):
    turn = screen_talk(skill, locale=locale).intent(
        "SymptomIntent", sign=SlotFill("both legs numb", "both_legs", custom=True))
    [directive] = renders(turn)
    data = directive["datasources"]["payload"]["emergency"]
    assert data["number"] == number and f"Call {number} now" == data["title"]
    assert "911" not in json.dumps(directive["datasources"])
