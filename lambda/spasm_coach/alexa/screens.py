"""Screens (APL) on devices that have one: the plan, the emergency advice, the topics.

One APL document per screen kind lives in content/apl/ (data); this module picks the
screen for a turn's answer and fills its datasource from the same locale strings the
answer is spoken from, so the screen can never say something the voice did not. A device
without Alexa.Presentation.APL in its supportedInterfaces gets no directive at all.

Which screen: an answer with the emergency card shows the emergency screen (the number,
large); one with the plan card shows the plan (what to use now, the switch time, the next
tip); help, a tip, and "more tips" show the topics as a short list.
"""

import functools
import json

from ask_sdk_core.utils import get_supported_interfaces

from .. import care, speech
from .. import content as content_module

APL = "Alexa.Presentation.APL"
TOKEN_PREFIX = "back-spasm-coach-"
KINDS = ("plan", "emergency", "topics")
LIST_INTENTS = ("AMAZON.HelpIntent", "TopicIntent", "MoreTipsIntent")
USER_EVENT = "Alexa.Presentation.APL.UserEvent"


def has_screen(handler_input):
    """Whether the device renders APL (its supportedInterfaces list Alexa.Presentation.APL)."""
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except AttributeError:  # no device in the envelope (requests from outside a device)
        return False


@functools.lru_cache(maxsize=None)
def document(kind, directory=None):
    """The APL document for a screen kind, read once per container from content/apl/."""
    folder = directory or content_module.content_dir()
    with open(folder / "apl" / f"{kind}.json", encoding="utf-8") as handle:
        data = json.load(handle)
    data.pop("$comment", None)
    return data


def directive(turn, reply):
    """The RenderDocument directive for this answer, or None (no screen, or nothing to show)."""
    if not has_screen(turn.input):
        return None
    chosen = datasource(turn, reply)
    if chosen is None:
        return None
    kind, data = chosen
    # Imported here: ask-sdk-model's APL package is 70-odd modules a device without a
    # screen (and a cold start) never needs.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective
    return RenderDocumentDirective(token=TOKEN_PREFIX + kind, document=document(kind),
                                   datasources={"payload": {kind: data}})


def datasource(turn, reply):
    """(screen kind, its data) for the answer `reply` of `turn`, or None."""
    say = turn.texts.say
    title = reply.card[0] if isinstance(reply.card, tuple) else None
    if title is not None and title == say("card_emergency_title"):
        return "emergency", {"title": title, "text": say("card_emergency_text"), "number": turn.texts.number}
    if title is not None and title == say("card_plan_title"):
        episode = turn.episode()
        if episode is not None:
            return "plan", plan_data(turn, episode)
    if _request_name(turn.input) in LIST_INTENTS + (USER_EVENT,):
        return "topics", topics_data(turn)
    return None


def plan_data(turn, episode):
    """What to use now, until when (the same sentences the plan speaks), and the next tip."""
    say = turn.texts.say
    now, = speech.ice_or_heat(turn.texts, turn.content, episode, turn.now(), turn.clock_known)
    stage = care.phase(turn.content, episode, turn.now_s)
    switch = []
    if stage.use_ice:  # the switch time on its own line, in the words the plan speaks it
        how, values = speech.switch_words(turn.texts, stage.switch_at, turn.now(), turn.clock_known)
        switch = [say(f"plan_ice_until_{how}", **values)]
    upcoming = care.upcoming_tip(turn.content, set(turn.tips_given()), turn.referral)
    tip = say("screen_next_tip", what=_title(say(turn.content.topics[upcoming].name))) if upcoming else ""
    return {"title": say("card_plan_title"), "now": now, "switch": " ".join(switch), "tip": tip,
            "more": say("screen_more_tips")}


def topics_data(turn):
    say = turn.texts.say
    items = [{"id": topic_id, "primaryText": _title(say(turn.content.topics[topic_id].name))} for topic_id in turn.content.topics]
    return {"title": say("screen_topics_title"), "items": items, "more": say("screen_more_tips")}




def _request_name(handler_input):
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    return getattr(intent, "name", None) or getattr(request, "object_type", None)


def _title(name):
    """A topic's spoken short name as a screen title: "ice and heat" -> "Ice and heat"."""
    return name[:1].upper() + name[1:]
