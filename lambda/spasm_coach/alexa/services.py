"""Alexa service APIs (Settings, Reminders): the transport under ask-sdk's service clients.

ask-sdk's DefaultApiClient sends requests without a timeout, so one slow Alexa API call
could eat the whole 8 seconds Alexa gives a turn, and importing it loads `requests` at
cold start even for turns that never call an API. `TimedApiClient` implements the same
ask-sdk ApiClient interface with a connection pool, a timeout on every call, and
`requests` imported on first use. Calls are made only while the turn's I/O budget has
room for them (spasm_coach/budget.py), and after one call in a turn got no answer at all,
the rest of that turn makes no more.
"""

import json
import time

from ask_sdk_model.services import ApiClient, ApiClientResponse

from .. import budget
from . import log

# Connect and read timeouts in seconds for Alexa API calls, one attempt each (requests
# does not retry). Measured here (python -m devkit.io_latency) against the HTTPS stand-in
# on loopback: p50 4 ms, p99 8 to 11 ms, max 28 ms, a new TLS connection included. Amazon
# publishes no latency figures for the Settings and Reminders APIs.
# connect 0.2 s: TCP and TLS to a nearby endpoint take tens of milliseconds at most, and a
#   dropped SYN waits 1 s for the kernel's resend anyway, so more would buy nothing.
# read 0.7 s: the Reminders API does the most work (it stores and schedules a reminder);
#   0.7 s is generous for that, and it is what the turn's 3 s leave after a read and a
#   write of the store that both fail slowly (2 x 1.05 s).
# Measured through devkit.fault_proxy: 0.70 s for an API that never answers, 0.20 s for
# one that cannot be reached, under 0.05 s for refused, closed or reset connections.
# Past that the turn goes on without the API: times are said relative to now, and a
# reminder is reported as not set.
# Environment: BSC_API_CONNECT_TIMEOUT_S, BSC_API_READ_TIMEOUT_S replace them (for tests;
# production sets neither, and spasm_coach/budget.py says what else must then change).
API_TIMEOUT = (0.2, 0.7)
API_CALL_WORST_S = sum(API_TIMEOUT)


def api_timeout(environ=None):
    """(connect, read) timeouts of an Alexa API call: API_TIMEOUT unless the environment
    sets them."""
    return (budget.seconds("BSC_API_CONNECT_TIMEOUT_S", API_TIMEOUT[0], environ),
            budget.seconds("BSC_API_READ_TIMEOUT_S", API_TIMEOUT[1], environ))


class ApiCallFailed(Exception):
    """The call did not get an HTTP answer (refused, timed out, TLS, not https)."""


class TimedApiClient(ApiClient):
    """An ask-sdk ApiClient: https only, keep-alive, a timeout on every call."""

    def __init__(self, timeout=None):
        self.timeout = timeout or api_timeout()
        self._session = None

    def invoke(self, request):
        if not str(request.url or "").startswith("https://"):
            raise ApiCallFailed("Alexa APIs are only called over https")
        if not budget.allows_api_call(sum(self.timeout)):
            raise ApiCallFailed("no time left in this turn, or the APIs did not answer")
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
            budget.api_unreachable()
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
