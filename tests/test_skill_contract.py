"""The interaction model and the handlers agree: every intent Alexa can send has a handler
meant for it, and every handler listens for an intent that exists."""

import json

from devkit.nlu import MODEL
from spasm_coach.alexa import handlers


def model_intents():
    language = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]
    return {intent["name"] for intent in language["intents"]}


def handler_intents():
    return {name for handler in handlers.HANDLERS for name in getattr(handler, "intents", ())}


def test_every_handler_intent_is_in_the_model():
    missing = sorted(handler_intents() - model_intents())
    assert not missing, f"handlers wait for intents the model never sends: {missing}"


def test_every_model_intent_has_its_own_handler():
    # AMAZON.FallbackIntent is the one intent left to the catch-all FallbackHandler.
    unhandled = sorted(model_intents() - handler_intents() - {"AMAZON.FallbackIntent"})
    assert not unhandled, f"intents only the fallback would answer: {unhandled}"


def test_the_catch_alls_come_last():
    order = [h.__name__ for h in handlers.HANDLERS]
    assert order[-3:] == ["FallbackHandler", "SessionEndedHandler", "OtherRequestHandler"]
    assert order[0] == "VolunteeredSignHandler", "a volunteered red flag must win over everything"
