"""The skill as a callable Lambda handler: envelope in, response out, never an exception.

Built once per container (`SpasmCoach(...)` in app.py). Each call deserializes the event
into ask-sdk-model's RequestEnvelope, refuses envelopes it cannot use and requests for
another skill (before any storage or API call), and runs the ask-sdk skill within the
turn's I/O budget (spasm_coach/budget.py).
"""

import json

from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.ui import SsmlOutputSpeech

from .. import budget
from . import can_fulfill, handlers, log, touch
from .turn import ssml_text


class SpasmCoach:
    def __init__(self, content, adapter, api_client=None, skill_id=None, io_budget_s=None):
        builder = CustomSkillBuilder(persistence_adapter=adapter, api_client=api_client)
        for handler in handlers.HANDLERS:
            builder.add_request_handler(handler())
        builder.add_exception_handler(handlers.ErrorHandler(content))
        builder.add_global_request_interceptor(handlers.TurnInterceptor(content, adapter))
        self.skill = builder.create()
        self.content = content
        self.adapter = adapter
        self.api_client = api_client
        self.skill_id = skill_id or None
        self.io_budget_s = io_budget_s or budget.turn_io_budget_s()

    def __call__(self, event, context=None):
        """The Lambda handler. Returns the response envelope as a dict, or None for a
        request meant for another skill (it gets no answer at all)."""
        request_id = getattr(context, "aws_request_id", None)
        log.bind(request_id)  # lines about an unusable event name this request, and no user
        envelope = self._envelope(event)
        if envelope is None:
            # Alexa asking whether we could take a request hears no, never an apology.
            return can_fulfill.refusal() if can_fulfill.is_asking(event) else self._apology()
        log.bind(request_id, envelope.context.system.user.user_id)
        if self.skill_id and envelope.context.system.application.application_id != self.skill_id:
            log.warning(event="rejected", reason="skill_id")
            return None
        try:
            with budget.turn(store_op_s=getattr(self.adapter, "worst_case_s", 0.0), budget_s=self.io_budget_s):
                response = self.skill.invoke(request_envelope=envelope, context=context)
            return self.skill.serializer.serialize(response)
        except Exception as error:  # the skill's own error handler failed too
            log.warning(event="unhandled", error=type(error).__name__, reason="invoke")
            return self._apology()

    def _envelope(self, event):
        """The RequestEnvelope, or None when the event is not one we can answer."""
        try:
            event = touch.without_error_details(event)
            envelope = self.skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
            system = envelope.context.system
            usable = (
                envelope.request is not None
                and envelope.request.timestamp is not None
                and isinstance(system.application.application_id, str)
                and isinstance(system.user.user_id, str) and system.user.user_id
            )
        except Exception as error:
            log.warning(event="malformed", error=type(error).__name__)
            return None
        if not usable:
            log.warning(event="malformed", reason="missing fields")
            return None
        return envelope

    def _apology(self):
        texts = self.content.texts("en-US")
        speech = SsmlOutputSpeech(ssml=f"<speak>{ssml_text(texts.say('error') + ' ' + texts.say('try_later'))}</speak>")
        response = ResponseEnvelope(version="1.0", response=Response(output_speech=speech, should_end_session=True))
        return self.skill.serializer.serialize(response)
