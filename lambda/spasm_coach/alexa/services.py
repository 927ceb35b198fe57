"""Alexa service APIs (Settings now; Reminders later), through ask-sdk's service clients.

ask-sdk's DefaultApiClient sends requests without a timeout, so one slow Alexa API call
could eat the whole 8 seconds Alexa gives a turn. `TimedApiClient` is the same client
with a connection pool and a timeout.
"""

import functools
import time

import requests
from ask_sdk_core.api_client import DefaultApiClient

from . import log

# Connect and read timeouts in seconds for Alexa API calls. The Settings and Reminders
# APIs answer in well under a second; past that the turn goes on without them.
API_TIMEOUT = (1.0, 1.5)


class TimedApiClient(DefaultApiClient):
    """DefaultApiClient with keep-alive connections and a timeout on every call."""

    def __init__(self, timeout=API_TIMEOUT):
        self.timeout = timeout
        self._session = requests.Session()

    def _resolve_method(self, request):
        if not request.method:
            return super()._resolve_method(request)
        return functools.partial(self._session.request, request.method.upper(), timeout=self.timeout)


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
