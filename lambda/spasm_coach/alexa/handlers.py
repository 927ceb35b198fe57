"""The ask-sdk request handlers, in the order they are tried (first match wins).

Each handler names the intents (and, for answers, what we must have asked) it takes, reads
its slots, and hands over to one move in `flows`. A volunteered red flag comes first: it
wins over whatever else was going on.
"""

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
)
from ask_sdk_core.utils import get_intent_name, get_request_type

from .. import care, triage
from . import can_fulfill, flows, followups, household, log, slots, touch
from .turn import TURN_KEY, Turn, ssml_text

ANY = object()
YES, NO, UNSURE = "AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent"
RECENT_NOW = "now"  # the ONSET_RECENT slot value for "just now", "a moment ago"...


class TurnInterceptor(AbstractRequestInterceptor):
    """Builds the Turn for this request and tags log lines with it."""

    def __init__(self, content, adapter=None):
        self.content = content
        self.adapter = adapter

    def process(self, handler_input):
        request_type = get_request_type(handler_input)
        intent = get_intent_name(handler_input) if request_type == "IntentRequest" else None
        log.info(event="request", request_type=request_type, intent=intent)
        handler_input.attributes_manager.request_attributes[TURN_KEY] = Turn(handler_input, self.content, self.adapter)


class IntentHandler(AbstractRequestHandler):
    """Takes IntentRequests for `intents`, when what we last asked is one of `expecting`."""
    intents = ()
    expecting = ANY

    def can_handle(self, handler_input):
        if get_request_type(handler_input) != "IntentRequest":
            return False
        if get_intent_name(handler_input) not in self.intents:
            return False
        return self.expecting is ANY or Turn.of(handler_input).pending_kind in self.expecting

    def handle(self, handler_input):
        return self.answer(Turn.of(handler_input), handler_input)

    def answer(self, turn, handler_input):
        raise NotImplementedError


class YesNoHandler(IntentHandler):
    """A yes or no to the question in `expecting`; `on_yes`/`on_no` are flows."""
    intents = (YES, NO)

    def answer(self, turn, handler_input):
        move = self.on_yes if get_intent_name(handler_input) == YES else self.on_no
        return move(turn)


# --- safety first ----------------------------------------------------------------------

class VolunteeredSignHandler(IntentHandler):
    """A red flag said at any moment ("both my legs have gone numb")."""
    intents = ("SymptomIntent",)

    def can_handle(self, handler_input):
        return super().can_handle(handler_input) and self._flag(handler_input) is not None

    def _flag(self, handler_input):
        return slots.value_id(handler_input, "sign", Turn.of(handler_input).content.red_flags)

    def answer(self, turn, handler_input):
        return flows.volunteered_sign(turn, self._flag(handler_input))


class MentionedSignHandler(AbstractRequestHandler):
    """A red flag mentioned in words that reached us unresolved ("i lost control of my
    bowels" as raw text, "i hurt my back in a car crash"): treated as volunteered."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "IntentRequest" and bool(self._flags(handler_input))

    def _flags(self, handler_input):
        text = slots.free_text(handler_input)
        return triage.mentioned_flags(Turn.of(handler_input).content, text) if text else []

    def handle(self, handler_input):
        return flows.volunteered_sign(Turn.of(handler_input), self._flags(handler_input)[0])


# --- answers to our questions ----------------------------------------------------------

class TriageAnswerHandler(IntentHandler):
    """Yes, no or "not sure" to a red-flag question."""
    intents = (YES, NO, UNSURE)
    expecting = ("triage",)

    def answer(self, turn, handler_input):
        reply = {YES: "yes", NO: "no"}.get(get_intent_name(handler_input), "unsure")
        return flows.answer_triage(turn, reply)


class SpasmNowAnswerHandler(YesNoHandler):
    """"Is your back spasming right now?" """
    expecting = ("spasm_now",)
    on_yes = staticmethod(lambda turn: flows.start_triage(turn, "sorry_hurts"))
    on_no = staticmethod(flows.no_spasm_now)


class SameEpisodeAnswerHandler(YesNoHandler):
    """"Last time, you told me it started ... Is that still right?" """
    expecting = ("same_episode",)
    on_yes = staticmethod(flows.keep_episode)

    @staticmethod
    def on_no(turn):
        turn.expect("onset")
        return flows.ask(turn)


class MoreTipsAnswerHandler(YesNoHandler):
    """"Would you like more tips?" """
    expecting = ("more_tips",)
    on_yes = staticmethod(flows.next_tip)
    on_no = staticmethod(lambda turn: flows.close(turn, turn.texts.say("goodbye")))


class ReminderOfferAnswerHandler(YesNoHandler):
    """"Would you like me to remind you when it's time to switch to heat?" """
    expecting = ("reminder_offer",)
    on_yes = staticmethod(lambda turn: followups.set_reminder(turn, (turn.pending or {}).get("reminder")))
    on_no = staticmethod(followups.decline_reminder)


class PermissionAnswerHandler(AbstractRequestHandler):
    """Alexa's answer to our request for the reminders permission (Connections.Response
    for AskFor); the token says which reminder it was for."""

    def can_handle(self, handler_input):
        request = handler_input.request_envelope.request
        return get_request_type(handler_input) == "Connections.Response" and getattr(request, "name", None) == "AskFor"

    def handle(self, handler_input):
        request = handler_input.request_envelope.request
        token = request.token if isinstance(request.token, str) else ""
        kind = token.split(":", 1)[1] if token.startswith("reminder:") else None
        code = str(getattr(request.status, "code", "")) if request.status else ""
        payload = request.payload if isinstance(request.payload, dict) else {}
        outcome = payload.get("status") if code == "200" else "ERROR"
        return followups.permission_answer(Turn.of(handler_input), kind, outcome)


class DeleteAnswerHandler(YesNoHandler):
    """"Should I delete your saved data?" """
    expecting = ("delete",)
    on_yes = staticmethod(flows.delete_data)
    on_no = staticmethod(flows.keep_data)


# --- things the user asks for ----------------------------------------------------------

class LaunchHandler(AbstractRequestHandler):
    """"Open back spasm coach"."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "LaunchRequest"

    def handle(self, handler_input):
        return flows.welcome(Turn.of(handler_input))


class ReportSpasmHandler(IntentHandler):
    """"My back is spasming": the red-flag questions first."""
    intents = ("ReportSpasmIntent",)

    def answer(self, turn, handler_input):
        return flows.start_triage(turn, "sorry_hurts")


class OnsetHandler(IntentHandler):
    """"It started yesterday evening", "two days ago", "just now"."""
    intents = ("OnsetIntent",)

    def answer(self, turn, handler_input):
        said = slots.values(handler_input, "date", "time", "duration")
        if slots.value_id(handler_input, "recent", (RECENT_NOW,)) and not any(said.values()):
            said["date"] = "PRESENT_REF"
        return flows.take_onset(turn, said)


class IceOrHeatHandler(IntentHandler):
    """"Should I use ice or heat?" """
    intents = ("IceOrHeatIntent",)

    def answer(self, turn, handler_input):
        return flows.ice_or_heat(turn)


class TopicHandler(IntentHandler):
    """"Tell me about stretches", "can I take ibuprofen"."""
    intents = ("TopicIntent",)

    def answer(self, turn, handler_input):
        return flows.topic(turn, slots.value_id(handler_input, "topic", turn.content.topics))


class MoreTipsHandler(IntentHandler):
    """"What else can I do?": the next tip of the walk-through."""
    intents = ("MoreTipsIntent",)

    def answer(self, turn, handler_input):
        return flows.next_tip(turn)


class CheckInHandler(IntentHandler):
    """"It's better", "about the same", "worse", "it's gone", "my back is better"."""
    intents = ("CheckInIntent",)

    def answer(self, turn, handler_input):
        return flows.check_in(turn, slots.value_id(handler_input, "status", care.STATUSES))


class SetReminderHandler(IntentHandler):
    """"Remind me to switch to heat", "remind me to check in"."""
    intents = ("SetReminderIntent",)

    def answer(self, turn, handler_input):
        return followups.set_reminder(turn, slots.value_id(handler_input, "reminder", turn.content.reminder_kinds))


class CancelRemindersHandler(IntentHandler):
    """"Cancel my reminders"."""
    intents = ("CancelRemindersIntent",)

    def answer(self, turn, handler_input):
        return followups.cancel_reminders(turn)


class ListRemindersHandler(IntentHandler):
    """"What reminders do I have?" """
    intents = ("ListRemindersIntent",)

    def answer(self, turn, handler_input):
        return followups.list_reminders(turn)


class DeleteDataHandler(IntentHandler):
    """"Delete my data": asks to confirm first."""
    intents = ("DeleteDataIntent",)

    def answer(self, turn, handler_input):
        return flows.ask_delete(turn)


# --- built-ins -------------------------------------------------------------------------

class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, turn, handler_input):
        return flows.offer_help(turn)


class RepeatHandler(IntentHandler):
    intents = ("AMAZON.RepeatIntent",)

    def answer(self, turn, handler_input):
        return flows.repeat(turn)


class StartOverHandler(IntentHandler):
    intents = ("AMAZON.StartOverIntent",)

    def answer(self, turn, handler_input):
        return flows.start_over(turn)


class StopHandler(IntentHandler):
    """Stop, cancel, or go home: goodbye."""
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def answer(self, turn, handler_input):
        return flows.goodbye(turn)


class FallbackHandler(AbstractRequestHandler):
    """Anything else that is an intent: Fallback, a yes or no we did not ask for, a sign we
    could not place, an intent we don't know. Says so and asks the current question again."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "IntentRequest"

    def handle(self, handler_input):
        return flows.fallback(Turn.of(handler_input))


class SessionEndedHandler(AbstractRequestHandler):
    """The session ended (user quiet, said exit, or an error on Alexa's side): no speech."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "SessionEndedRequest"

    def handle(self, handler_input):
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        error_type = getattr(getattr(getattr(request, "error", None), "object_type", None), "value", None)
        log.info(event="session_ended", reason=reason, error=error_type)
        return handler_input.response_builder.response


class OtherRequestHandler(AbstractRequestHandler):
    """Request types this skill does not use (e.g. System.ExceptionEncountered): no speech."""

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        log.info(event="ignored_request", request_type=get_request_type(handler_input))
        return handler_input.response_builder.response


class ErrorHandler(AbstractExceptionHandler):
    """Anything that went wrong while handling: apologise and ask again, never crash.
    Only the exception's type is logged: its message could quote what the user said."""

    def __init__(self, content):
        self.content = content

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        log.warning(event="unhandled", error=type(exception).__name__)
        turn = handler_input.attributes_manager.request_attributes.get(TURN_KEY)
        if turn is not None:
            try:
                return flows.error(turn)
            except Exception as second:  # the error path itself must not fail
                log.warning(event="unhandled", error=type(second).__name__, reason="error_handler")
        return apology(handler_input.response_builder, self.content)


def apology(builder, content):
    """The last-resort answer when even the Turn could not be built: sorry, try again."""
    texts = content.texts("en-US")
    return builder.speak(ssml_text(f"{texts.say('error')} {texts.say('try_later')}")).set_should_end_session(True).response


HANDLERS = (
    VolunteeredSignHandler,
    MentionedSignHandler,
    TriageAnswerHandler,
    SpasmNowAnswerHandler,
    SameEpisodeAnswerHandler,
    MoreTipsAnswerHandler,
    ReminderOfferAnswerHandler,
    DeleteAnswerHandler,
    household.DeleteHomeAnswerHandler,
    PermissionAnswerHandler,
    can_fulfill.CanFulfillHandler,
    LaunchHandler,
    ReportSpasmHandler,
    OnsetHandler,
    IceOrHeatHandler,
    TopicHandler,
    MoreTipsHandler,
    CheckInHandler,
    SetReminderHandler,
    CancelRemindersHandler,
    ListRemindersHandler,
    DeleteDataHandler,
    HelpHandler,
    RepeatHandler,
    StartOverHandler,
    StopHandler,
    touch.UserEventHandler,
    touch.RuntimeErrorHandler,
    FallbackHandler,
    SessionEndedHandler,
    OtherRequestHandler,
)
