"""How the skill asks: the question for what a turn expects (so the reprompt is always the
question itself), the two ways an answer ends (with that question, or closing), and the
things one can say when we did not understand twice."""

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
# Two or three things one can say, by what we wait for (a yes or no, when not listed).
SUGGESTIONS = {"triage": "suggest_triage", "onset": "suggest_onset", "checkin": "suggest_checkin",
               None: "suggest_idle"}
SAME_ANSWER_MAX = 2  # the same answer is never given a third time in a row


def question(turn):
    """The question for what `turn` now expects, and its reprompt."""
    say, pending = turn.texts.say, turn.pending
    kind = turn.pending_kind
    if kind == "triage":
        state = triage.State.from_dict(pending.get("state"), turn.content)
        asking = triage.asking_say(turn.content, state)
        if asking is None:  # a state we cannot use: start the questions over, safely
            outcome = triage.start(turn.content, state.floor)
            pending["state"] = outcome.state.to_dict() if isinstance(outcome, triage.Ask) else {}
            asking = outcome.say if isinstance(outcome, triage.Ask) else turn.content.triage[0].say
        text = say(asking)
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
    if kind == "topic_offer" and pending.get("topic") in turn.content.topics:
        what = say(turn.content.topics[pending["topic"]].name)
        return say("offer_deferred_topic", what=what), say("reprompt_deferred_topic", what=what)
    if kind not in QUESTIONS:
        turn.expect_nothing()
        kind = None
    ask, reprompt = QUESTIONS[kind]
    return say(ask), say(reprompt)


def suggestion(turn):
    """Two or three concrete things to say to what we now wait for."""
    return turn.texts.say(SUGGESTIONS.get(turn.pending_kind, "suggest_yes_no"))


def ask(turn, *lines, card=None):
    """Say `lines`, then ask the question for what the turn now expects. An answer that
    would be the same as the last two is replaced by things one can say."""
    reply = Reply(card=card).add(*lines).question(*question(turn))
    times = _times_in_a_row(turn, reply.text())
    if times > SAME_ANSWER_MAX:
        reply = Reply(card=card).add(suggestion(turn)).question(*question(turn))
        times = _times_in_a_row(turn, reply.text())
    response = turn.respond(reply)
    last = turn.session.get("last") or {}
    turn.session["same"] = {"text": f"{last.get('say', '')} {reply.ask}".strip(), "n": times}
    return response


def close(turn, *lines, card=None, urgent=False):
    """Say `lines` and end the session."""
    return turn.respond(Reply(card=card).add(*lines).close(), urgent=urgent)


def _times_in_a_row(turn, text):
    """How many times in a row `text` will have been said if it is said now (the record
    holds what was last said, as it was spoken)."""
    same = turn.session.get("same")
    if isinstance(same, dict) and same.get("text") == text and isinstance(same.get("n"), int):
        return same["n"] + 1
    return 1
