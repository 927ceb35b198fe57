"""Lambda SnapStart runtime hooks (template.yaml: SnapStart ApplyOn PublishedVersions).

With SnapStart, Lambda runs the init phase (app.py's import) once per published version,
snapshots the memory and restores copies of it instead of starting new containers. So:

before the snapshot (`before_snapshot`): walk the first request's path once, without any
  network: a canned LaunchRequest goes through the whole handler (deserialization, the
  handlers, the turn, the response), its DynamoDB calls built, signed and answered by a
  stub on the client's own event hooks (botocore before-send), log lines held back (with
  a store that is not DynamoDB, as on a developer machine, the canned turn is skipped:
  it would write a record); then compile and import what later turns make on first use
  (the red-flag mention patterns, `requests` for the Alexa API client, `zoneinfo`) and close every pooled connection, so no
  socket is frozen into the snapshot.
after each restore (`after_restore`): refresh what must differ between copies: reseed
  Python's `random` (botocore's retry jitter), drop pooled connections again, clear the
  log context.

Each logs one line with how long it took (event "snapshot" / "restore"). Neither can
fail the function: an error is logged and the hook returns.

`register(handler)` wires both through snapshot_restore_py, which only the Lambda managed
runtime has; anywhere else (tests, make chat, the bench) it does nothing, and the bench
calls the two functions itself for its "restore-like" figure.
"""

import json
import logging
import random
import time

from . import log

WARMUP_USER = "amzn1.ask.account.SNAPSHOT-WARMUP"
STUB_ANSWERS = {  # what the stub answers each store call with: no record yet, a first write
    "GetItem": {},
    "UpdateItem": {"Attributes": {"version": {"N": "1"}}},
    "DeleteItem": {},
}


def register(handler):
    """Register the hooks with the managed runtime's snapshot_restore_py, if present."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(lambda: before_snapshot(handler))
    register_after_restore(lambda: after_restore(handler))
    return True


def canned_launch(skill_id):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    application = {"applicationId": skill_id or "amzn1.ask.skill.snapshot-warmup"}
    user = {"userId": WARMUP_USER}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.snapshot-warmup",
                    "application": application, "attributes": {}, "user": user},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "amzn1.ask.device.SNAPSHOT-WARMUP", "supportedInterfaces": {}}}},
        "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.snapshot-warmup",
                    "timestamp": now, "locale": "en-US"},
    }


class _Body:
    def __init__(self, data):
        self._data = data

    def stream(self, **_):
        yield self._data


def _stub_answer(request, operation_name=None, **_):
    from botocore.awsrequest import AWSResponse
    target = (request.headers.get("X-Amz-Target") or b"")
    operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    body = json.dumps(STUB_ANSWERS.get(operation, {})).encode()
    return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Body(body))


def _store_client(handler):
    return getattr(getattr(handler.adapter, "store", None), "client", None)


def before_snapshot(handler):
    started = time.perf_counter()
    client = _store_client(handler)
    quiet = logging.getLogger("spasm_coach")
    try:
        if client is not None:  # a store whose calls can be stubbed: DynamoDB (always, in Lambda)
            client.meta.events.register_first("before-send.dynamodb", _stub_answer, unique_id="snapstart-stub")
            quiet.disabled = True  # the canned turn is nobody's: no line about it
            try:
                handler(canned_launch(handler.skill_id), None)
            finally:
                quiet.disabled = False
                log.bind(None)
                client.meta.events.unregister("before-send.dynamodb", unique_id="snapstart-stub")
        handler.content.compile_patterns()  # compiled on first use: compile them into the snapshot
        import requests  # noqa: F401  (the Alexa API client's first use imports it)
        import zoneinfo  # noqa: F401  (so does the first turn that knows the device's zone)
        close_connections(handler)
    except Exception as error:
        log.warning(event="snapshot", outcome="failed", error=type(error).__name__)
        return
    log.info(event="snapshot", outcome="ready", ms=round((time.perf_counter() - started) * 1000, 1))


def after_restore(handler):
    started = time.perf_counter()
    try:
        random.seed()
        close_connections(handler)
        log.bind(None)
    except Exception as error:
        log.warning(event="restore", outcome="failed", error=type(error).__name__)
        return
    log.info(event="restore", outcome="ready", ms=round((time.perf_counter() - started) * 1000, 1))


def close_connections(handler):
    """Close the store client's and the Alexa API client's pooled connections."""
    client = _store_client(handler)
    endpoint = getattr(client, "_endpoint", None)
    if endpoint is not None:
        endpoint.http_session.close()
    api_client = getattr(handler, "api_client", None)
    session = getattr(api_client, "_session", None)
    if session is not None:
        session.close()

