"""Saying something to the skill: words -> what Alexa would understand -> a request.

Shared by the console and the conversation tests, so both treat a line exactly alike:
"open back spasm coach" launches; "ask back spasm coach ..." starts a session with that
request; anything else goes to the open session, or, with none open, is sent as if the
user had said "ask back spasm coach ..." first.
"""

from dataclasses import dataclass


@dataclass
class Said:
    heard: object      # devkit.nlu.Understanding
    turn: object       # devkit.alexa.Turn
    implied_invocation: bool = False


def say(conversation, model, words, today=None):
    """Send `words`; `today` is the device's local date (Alexa resolves "yesterday" on the
    device's calendar), the conversation clock's UTC date if not given."""
    heard = model.understand(words, today or conversation.now.date())
    if heard.launch and not heard.intent:
        fresh_session(conversation)
        return Said(heard, conversation.launch())
    implied = not heard.launch and not conversation.in_session
    if heard.launch or implied:
        fresh_session(conversation)
    return Said(heard, conversation.intent(heard.intent, **heard.slots), implied)


def fresh_session(conversation):
    if conversation.in_session:
        conversation.end()
    conversation.new_session()
