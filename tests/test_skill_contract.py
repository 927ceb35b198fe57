"""The interaction model and the dialog agree: every intent Alexa can send has a meaning of
its own in the dialog table, and every intent the table names exists in the model."""

import json

from devkit.nlu import MODEL
from spasm_coach.alexa import dialog, handlers


def model_intents():
    language = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]
    return {intent["name"] for intent in language["intents"]}


def test_every_table_intent_is_in_the_model():
    missing = sorted(dialog.intents() - model_intents())
    assert not missing, f"the dialog table waits for intents the model never sends: {missing}"


def test_every_model_intent_has_a_row_of_its_own():
    unhandled = sorted(model_intents() - dialog.intents())
    assert not unhandled, f"intents only the catch-all row would answer: {unhandled}"


def test_a_red_flag_row_comes_first_and_the_catch_all_last():
    first, last = dialog.TABLE[0], dialog.TABLE[-1]
    assert first[:2] == (dialog.ANY, dialog.RED_FLAG), "a volunteered red flag must win over everything"
    assert last[:2] == (dialog.ANY, dialog.ANY)


def test_every_intent_goes_to_the_dialog_table():
    order = [h.__name__ for h in handlers.HANDLERS]
    assert order[0] == "ConversationHandler"
    assert order[-2:] == ["SessionEndedHandler", "OtherRequestHandler"]
