"""A stand-in for the Alexa service on a developer machine: it builds the request envelopes
Alexa would send (with ask-sdk-model's types), calls a Lambda handler with them, and keeps
the session going from the responses, the way Alexa does.

Used by `make chat` and the tests. The clock is the caller's: every request carries the
conversation's "now" as its timestamp, so a conversation can travel in time.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import (
    Application, Context, Device, Intent, IntentConfirmationStatus, IntentRequest,
    LaunchRequest, RequestEnvelope, Session, SessionEndedReason, SessionEndedRequest, Slot,
    SlotConfirmationStatus, SupportedInterfaces, User,
)
from ask_sdk_model.canfulfill import CanFulfillIntentRequest
from ask_sdk_model.interfaces.alexa.presentation.apl import AlexaPresentationAplInterface, Runtime
from ask_sdk_model.interfaces.connections import ConnectionsResponse, ConnectionsStatus
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.person import Person
from ask_sdk_model.slu.entityresolution import (
    Resolution, Resolutions, Status, StatusCode, Value, ValueWrapper,
)

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-back-spasm-coach-local"
_serializer = DefaultSerializer()


@dataclass
class Caller:
    """Who is talking, from which device, and where the Alexa service APIs are."""
    user_id: str = "amzn1.ask.account.LOCAL-USER"
    device_id: str = "amzn1.ask.device.LOCAL-DEVICE"
    skill_id: str = LOCAL_SKILL_ID
    locale: str = "en-US"
    api_endpoint: str | None = None
    api_token: str | None = None
    person_id: str | None = None  # a speaker Alexa recognised (context.System.person)
    interfaces: tuple = ()  # the device's supportedInterfaces, e.g. ("Alexa.Presentation.APL",)


@dataclass
class SlotFill:
    """What filled a slot: the spoken or resolved value, and for custom slot types the value
    id entity resolution matched (None: no match)."""
    value: str
    id: str | None = None
    custom: bool = False


@dataclass
class Turn:
    """One exchange: the envelope sent and the response received (both plain dicts)."""
    request: dict
    response: dict | None

    @property
    def speech(self):
        return ssml_to_text(_get(self.response, "response", "outputSpeech", "ssml"))

    @property
    def reprompt(self):
        return ssml_to_text(_get(self.response, "response", "reprompt", "outputSpeech", "ssml"))

    @property
    def card(self):
        card = _get(self.response, "response", "card")
        return (card.get("title"), card.get("content") or card.get("text")) if card else None

    @property
    def ends_session(self):
        """True when the skill closed the session. A response that hands over to Alexa
        (a directive, no shouldEndSession) keeps it open."""
        value = _get(self.response, "response", "shouldEndSession")
        return value is True or (value is None and not self.directives)

    @property
    def directives(self):
        return _get(self.response, "response", "directives") or []


@dataclass
class Conversation:
    """Alexa's side of a conversation with `handler` (a Lambda handler function)."""
    handler: object
    caller: Caller = field(default_factory=Caller)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    session_id: str | None = None
    attributes: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    def launch(self):
        return self._send(LaunchRequest(**self._request_fields()))

    def intent(self, name, **slots):
        """Send an IntentRequest. Slot values are strings or SlotFill."""
        fills = {k: v if isinstance(v, SlotFill) else SlotFill(str(v)) for k, v in slots.items() if v is not None}
        intent = Intent(
            name=name,
            slots={k: self._slot(k, fill) for k, fill in fills.items()},
            confirmation_status=IntentConfirmationStatus.NONE,
        )
        return self._send(IntentRequest(dialog_state=None, intent=intent, **self._request_fields()))

    def can_fulfill(self, name, **slots):
        """Send a CanFulfillIntentRequest (Alexa asking, for a request said without the
        skill's name, whether the skill could take it). It is outside any session."""
        fills = {k: v if isinstance(v, SlotFill) else SlotFill(str(v)) for k, v in slots.items() if v is not None}
        intent = Intent(name=name, slots={k: self._slot(k, fill) for k, fill in fills.items()},
                        confirmation_status=IntentConfirmationStatus.NONE)
        session_id, attributes = self.session_id, self.attributes
        self.session_id = None
        try:
            return self._send(CanFulfillIntentRequest(intent=intent, **self._request_fields()))
        finally:
            self.session_id, self.attributes = session_id, attributes

    def permission_answer(self, status, token, code="200"):
        """Alexa's Connections.Response after it asked the user for a permission the skill
        requested (AskFor): status ACCEPTED, DENIED or NOT_ANSWERED."""
        request = ConnectionsResponse(
            name="AskFor", token=token, status=ConnectionsStatus(code=code, message="OK" if code == "200" else "Error"),
            payload={"permissionScope": "alexa::alerts:reminders:skill:readwrite", "status": status},
            **self._request_fields())
        return self._send(request)

    def end(self, reason=SessionEndedReason.USER_INITIATED):
        if self.session_id is None:
            return None
        return self._send(SessionEndedRequest(reason=reason, **self._request_fields()))

    def new_session(self):
        """Forget the current session, as when the user comes back later."""
        self.session_id = None
        self.attributes = {}

    @property
    def in_session(self):
        return self.session_id is not None

    def _request_fields(self):
        return {
            "request_id": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": self.now.astimezone(timezone.utc).replace(microsecond=0),
            "locale": self.caller.locale,
        }

    def _slot(self, name, fill):
        resolutions = None
        if fill.custom:
            authority = f"amzn1.er-authority.echo-sdk.{self.caller.skill_id}.{name}"
            if fill.id:
                values = [ValueWrapper(value=Value(name=fill.value, id=fill.id))]
                status = Status(code=StatusCode.ER_SUCCESS_MATCH)
            else:
                values, status = None, Status(code=StatusCode.ER_SUCCESS_NO_MATCH)
            resolutions = Resolutions(resolutions_per_authority=[
                Resolution(authority=authority, status=status, values=values)])
        return Slot(name=name, value=fill.value, resolutions=resolutions,
                    confirmation_status=SlotConfirmationStatus.NONE)

    def _envelope(self, request):
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        application = Application(application_id=self.caller.skill_id)
        user = User(user_id=self.caller.user_id)
        session = Session(new=new, session_id=self.session_id, user=user,
                          attributes=dict(self.attributes), application=application)
        system = SystemState(
            application=application, user=user,
            device=Device(device_id=self.caller.device_id, supported_interfaces=self._interfaces()),
            api_endpoint=self.caller.api_endpoint, api_access_token=self.caller.api_token,
            person=Person(person_id=self.caller.person_id) if self.caller.person_id else None,
        )
        return RequestEnvelope(version="1.0", session=session, context=Context(system=system), request=request)

    def _interfaces(self):
        """The device's supportedInterfaces: a screen device lists Alexa.Presentation.APL."""
        if "Alexa.Presentation.APL" not in self.caller.interfaces:
            return {}
        return SupportedInterfaces(alexa_presentation_apl=AlexaPresentationAplInterface(
            runtime=Runtime(max_version="2024.2")))

    def _send(self, request):
        event = _serializer.serialize(self._envelope(request))
        # Alexa writes the timestamp as 2026-11-25T15:00:00Z
        event["request"]["timestamp"] = self.now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = self.handler(event, None)
        turn = Turn(event, response)
        self.history.append(turn)
        if isinstance(request, SessionEndedRequest) or turn.ends_session:
            self.new_session()
        else:
            self.attributes = (response or {}).get("sessionAttributes") or {}
        return turn


def ssml_to_text(ssml):
    """What a listener hears, roughly: the SSML without its tags, entities decoded."""
    if not ssml:
        return ""
    text = re.sub(r"<[^>]+>", " ", ssml)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
