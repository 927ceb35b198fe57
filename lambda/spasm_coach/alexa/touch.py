"""What a screen sends back: a touch (Alexa.Presentation.APL.UserEvent) on "more tips" or
on a topic, and a RuntimeError report from the device (logged; nothing is said)."""

import re

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import get_request_type

from . import flows, log
from .screens import USER_EVENT
from .turn import Turn

RUNTIME_ERROR = "Alexa.Presentation.APL.RuntimeError"


class UserEventHandler(AbstractRequestHandler):
    """A touch: ["more_tips"] gives the next tip, ["topic", id] that topic; anything else
    is answered like words we did not get."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == USER_EVENT

    def handle(self, handler_input):
        turn = Turn.of(handler_input)
        arguments = getattr(handler_input.request_envelope.request, "arguments", None)
        arguments = arguments if isinstance(arguments, list) else []
        if arguments[:1] == ["more_tips"]:
            return flows.next_tip(turn)
        if len(arguments) == 2 and arguments[0] == "topic" and isinstance(arguments[1], str) \
                and arguments[1] in turn.content.topics:
            return flows.give_topic(turn, arguments[1])
        return flows.not_understood(turn)


class RuntimeErrorHandler(AbstractRequestHandler):
    """The device could not show a document: say nothing (`without_error_details` logged
    what kind of error it was)."""

    def can_handle(self, handler_input):
        return get_request_type(handler_input) == RUNTIME_ERROR

    def handle(self, handler_input):
        return handler_input.response_builder.response


def without_error_details(event):
    """A RuntimeError event with its error list logged (the error types only) and emptied:
    ask-sdk-model can read only some error types and reasons, and an event it cannot read
    would get the spoken apology instead of silence. Any other event is returned as it is."""
    request = event.get("request") if isinstance(event, dict) else None
    if not isinstance(request, dict) or request.get("type") != RUNTIME_ERROR:
        return event
    errors = request.get("errors") if isinstance(request.get("errors"), list) else []
    kinds = sorted({str(e.get("type")) for e in errors if isinstance(e, dict) and _ERROR_TYPE.fullmatch(str(e.get("type")))})
    log.warning(event="apl_runtime_error", error=",".join(kinds)[:60] or "unknown")
    return {**event, "request": {**request, "errors": []}}


_ERROR_TYPE = re.compile(r"[A-Z_]{1,30}")
