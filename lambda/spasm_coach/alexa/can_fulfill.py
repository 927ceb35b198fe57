"""CanFulfillIntentRequest: Alexa asking, before it picks a skill for a request said
without the skill's name ("Alexa, should I use ice or heat for my back spasm?"), whether
this skill can understand and fulfil it.

YES for the intents the skill serves with slot values it knows, MAYBE when a slot value
is unresolved (or missing where the intent needs one) or the intent only makes sense as
an answer inside a conversation, NO for anything else. The answer depends only on the
request: no storage, no Alexa API call, no speech, nothing remembered (Alexa may never
send the intent itself).
"""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import get_request_type
from ask_sdk_model.canfulfill import (
    CanFulfillIntent, CanFulfillIntentValues, CanFulfillSlot, CanFulfillSlotValues, CanUnderstandSlotValues,
)

from .. import care
from . import log, slots
from .turn import Turn

YES, MAYBE, NO = "YES", "MAYBE", "NO"
REQUEST_TYPE = "CanFulfillIntentRequest"

# What the skill does for each intent when asked out of the blue, and the slot it cannot do
# without. An answer to one of our questions ("it started yesterday", "it's better") needs
# the conversation around it, so Alexa should only maybe bring it here.
INTENTS = {
    "ReportSpasmIntent": (YES, None),
    "SymptomIntent": (YES, "sign"),
    "TopicIntent": (YES, "topic"),
    "IceOrHeatIntent": (YES, None),
    "MoreTipsIntent": (YES, None),
    "SetReminderIntent": (YES, None),
    "CancelRemindersIntent": (YES, None),
    "ListRemindersIntent": (YES, None),
    "DeleteDataIntent": (YES, None),
    "OnsetIntent": (MAYBE, None),
    "CheckInIntent": (MAYBE, "status"),
    "UnsureIntent": (MAYBE, None),
}
_ORDER = (NO, MAYBE, YES)


def known_values(content):
    """{slot name: the value ids the skill serves} for the custom slots it reads."""
    return {"sign": content.red_flags, "topic": content.topics, "status": care.STATUSES,
            "reminder": content.reminder_kinds, "recent": ("now",)}


def answer(handler_input, content):
    """The CanFulfillIntent for this request."""
    intent = handler_input.request_envelope.request.intent
    name = getattr(intent, "name", None)
    verdict, needs = INTENTS.get(name, (NO, None))
    said = {slot_name: slot for slot_name, slot in (getattr(intent, "slots", None) or {}).items()
            if slots.value(handler_input, slot_name)}
    per_slot = {}
    for slot_name in said:
        understood = _slot_verdict(handler_input, slot_name, known_values(content)) if verdict != NO else NO
        per_slot[slot_name] = CanFulfillSlot(can_understand=CanUnderstandSlotValues(understood),
                                             can_fulfill=CanFulfillSlotValues(YES if understood == YES else NO))
        verdict = min(verdict, understood, key=_ORDER.index)
    if needs and needs not in said:
        verdict = min(verdict, MAYBE, key=_ORDER.index)
    return CanFulfillIntent(can_fulfill=CanFulfillIntentValues(verdict), slots=per_slot or None)


def _slot_verdict(handler_input, slot_name, known):
    """YES when the slot's value is one the skill serves (a built-in type's value always
    is: Alexa resolved it), MAYBE when it is words we could not place."""
    if slot_name not in known:
        return YES if not _custom(handler_input, slot_name) else MAYBE
    return YES if slots.value_id(handler_input, slot_name, known[slot_name]) else MAYBE


def _custom(handler_input, slot_name):
    """Whether the slot carries entity resolution (custom slot types do; built-ins don't)."""
    slot = handler_input.request_envelope.request.intent.slots[slot_name]
    return bool(getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None))


def is_asking(event):
    """Whether a raw event (one we could not read) is a CanFulfillIntentRequest."""
    request = event.get("request") if isinstance(event, dict) else None
    return isinstance(request, dict) and request.get("type") == REQUEST_TYPE


def refusal():
    """The answer to a CanFulfillIntentRequest we could not read: NO, and nothing said."""
    return {"version": "1.0", "response": {"canFulfillIntent": {"canFulfill": NO}}}


class CanFulfillHandler(AbstractRequestHandler):
    """Answers CanFulfillIntentRequest (declared in skill.json: CAN_FULFILL_INTENT_REQUEST)."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == REQUEST_TYPE

    def handle(self, handler_input):
        result = answer(handler_input, Turn.of(handler_input).content)
        log.info(event="can_fulfill", outcome=result.can_fulfill.value)
        return handler_input.response_builder.set_can_fulfill_intent(result).response
