"""The ask-sdk request handlers, in the order they are tried (first match wins).

Every intent goes to one handler, ConversationHandler, which reads the request and hands
it to the dialog table (dialog.py): what each thing the user says means in each state,
red flags first, lives there and only there. The other handlers take the request types
that are not intents.
"""

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
)
from ask_sdk_core.utils import get_intent_name, get_request_type

from . import can_fulfill, dialog, flows, followups, log, slots, touch
from .slots import RECENT_NOW  # noqa: F401  (the ONSET_RECENT value id, for the model's tests)
from .turn import TURN_KEY, Turn, ssml_text


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


class ConversationHandler(AbstractRequestHandler):
    """Every IntentRequest: what it said is read once (slots.read) and answered with the
    dialog table's move for it in the conversation's state (dialog.py)."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "IntentRequest"

    def handle(self, handler_input):
        turn = Turn.of(handler_input)
        return dialog.respond(turn, slots.read(handler_input, turn.content))


class LaunchHandler(AbstractRequestHandler):
    """"Open back spasm coach"."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == "LaunchRequest"

    def handle(self, handler_input):
        return flows.welcome(Turn.of(handler_input))


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
    ConversationHandler,
    LaunchHandler,
    PermissionAnswerHandler,
    can_fulfill.CanFulfillHandler,
    touch.UserEventHandler,
    touch.RuntimeErrorHandler,
    SessionEndedHandler,
    OtherRequestHandler,
)
