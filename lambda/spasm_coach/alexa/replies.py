"""How the skill asks: the question for what a turn expects (so the reprompt is always the
question itself), and the two ways an answer ends: with that question, or closing."""

from .. import speech, triage
from ..speech import Reply

# What we ask while expecting each kind of answer: (question, reprompt) message ids.
QUESTIONS = {
    "spasm_now": ("ask_spasm_now", "reprompt_spasm_now"),
    "onset": ("ask_onset", "reprompt_onset"),
    "more_tips": ("ask_more_tips", "reprompt_more_tips"),
    "checkin": ("ask_checkin", "reprompt_checkin"),
    "delete": ("ask_delete", "reprompt_delete"),
    "delete_home": ("ask_delete_home", "reprompt_delete_home"),
    None: ("ask_what_next", "reprompt_what_next"),
}


def question(turn):
    """The question for what `turn` now expects, and its reprompt."""
    say, pending = turn.texts.say, turn.pending
    kind = turn.pending_kind
    if kind == "triage":
        state = triage.State.from_dict(pending, len(turn.content.triage))
        text = say(turn.content.triage[state.step].say)
        return text, f"{say('reprompt_yes_no')} {text}"
    if kind == "same_episode":
        episode = turn.episode()
        if episode is None:
            turn.expect("onset")
            return question(turn)
        text = say("ask_same_episode", since=speech.since(turn.texts, episode, turn.now()))
        return text, f"{text} {say('reprompt_yes_no')}"
    if kind == "more_tips" and turn.tips_given():
        return say("ask_another_tip"), say("reprompt_another_tip")
    if kind == "reminder_offer" and isinstance(pending.get("reminder"), str) \
            and pending["reminder"] in turn.content.reminder_kinds:
        return say(turn.content.reminder_kinds[pending["reminder"]].offer), say("reprompt_reminder_offer")
    if kind not in QUESTIONS:
        turn.expect_nothing()
        kind = None
    ask, reprompt = QUESTIONS[kind]
    return say(ask), say(reprompt)


def ask(turn, *lines, card=None):
    """Say `lines`, then ask the question for what the turn now expects."""
    reply = Reply(card=card).add(*lines)
    return turn.respond(reply.question(*question(turn)))


def close(turn, *lines, card=None, urgent=False):
    """Say `lines` and end the session."""
    return turn.respond(Reply(card=card).add(*lines).close(), urgent=urgent)
