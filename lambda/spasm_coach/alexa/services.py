"""Alexa service APIs (Settings, Reminders): the transport under ask-sdk's service clients.

ask-sdk's DefaultApiClient sends requests without a timeout, so one slow Alexa API call
could eat the whole 8 seconds Alexa gives a turn, and importing it loads `requests` at
cold start even for turns that never call an API. `TimedApiClient` implements the same
ask-sdk ApiClient interface with a connection pool, a timeout on every call, and
`requests` imported on first use.
"""

import json
import time

from ask_sdk_model.services import ApiClient, ApiClientResponse

from . import log

# Connect and read timeouts in seconds for Alexa API calls. The Settings and Reminders
# APIs answer in well under a second; past that the turn goes on without them.
API_TIMEOUT = (1.0, 1.5)


class ApiCallFailed(Exception):
    """The call did not get an HTTP answer (refused, timed out, TLS, not https)."""


class TimedApiClient(ApiClient):
    """An ask-sdk ApiClient: https only, keep-alive, a timeout on every call."""

    def __init__(self, timeout=API_TIMEOUT):
        self.timeout = timeout
        self._session = None

    def invoke(self, request):
        if not str(request.url or "").startswith("https://"):
            raise ApiCallFailed("Alexa APIs are only called over https")
        if self._session is None:
            import requests
            self._session = requests.Session()
        headers = {}
        for name, value in request.headers or []:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        body = request.body
        if body is not None and "json" in str(headers.get("Content-type", "")):
            body = json.dumps(body)
        try:
            answer = self._session.request(request.method, request.url, headers=headers, data=body,
                                           timeout=self.timeout)
        except Exception as error:  # connection refused, timeout, TLS, ...
            raise ApiCallFailed(type(error).__name__) from None
        return ApiClientResponse(headers=list(answer.headers.items()), status_code=answer.status_code,
                                 body=answer.text)


def client_factory(handler_input):
    """ask-sdk's service client factory, or None when this request carries no API access
    (no endpoint or token, or the skill was built without an API client)."""
    system = handler_input.request_envelope.context.system
    if not (system.api_access_token and system.api_endpoint):
        return None
    try:
        return handler_input.service_client_factory
    except ValueError:
        return None


def device_time_zone(handler_input):
    """The device's IANA time zone name from the Settings API, or None if it is unknown."""
    system = handler_input.request_envelope.context.system
    device_id = getattr(system.device, "device_id", None) if system.device else None
    factory = client_factory(handler_input)
    if not (device_id and factory):
        return None
    started = time.monotonic()
    try:
        zone = factory.get_ups_service().get_system_time_zone(device_id)
    except Exception as error:  # any API, network or parsing failure means "unknown"
        log.warning(event="settings_api", status="failed", error=type(error).__name__,
                    ms=int((time.monotonic() - started) * 1000))
        return None
    return zone if isinstance(zone, str) and zone else None
