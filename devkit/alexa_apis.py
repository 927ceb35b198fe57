"""Local stand-ins for the Alexa service APIs the skill calls: Settings (the device's time
zone) and Reminders. For the console and the tests only; the skill talks to them exactly as
to Alexa, through ask-sdk's service clients, because the request envelope's apiEndpoint
points here.

ask-sdk only calls https URLs, so the server speaks HTTPS on loopback with a certificate
from a throwaway certificate authority (trustme); `trust()` makes `requests` (which
ask-sdk uses) trust that authority in this process.

It records every call (method, path, JSON body) so tests can assert exactly what the skill
sent, can be told to fail the next calls (`fail_next(429)`), and knows whether the user
granted the reminders permission.
"""

import json
import os
import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import trustme

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


@dataclass
class Call:
    method: str
    path: str
    body: object
    authorization: str | None


@dataclass
class LocalAlexaApis:
    zone: str | None = "America/New_York"   # None: the Settings API answers 404
    granted: bool = True                    # the reminders permission
    reminders: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    _faults: list = field(default_factory=list)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, cert_dir):
        """Serve on a free loopback port; returns the apiEndpoint to put in envelopes."""
        self.authority = authority = trustme.CA()  # devkit.fault_proxy issues from it too
        cert_dir = Path(cert_dir)
        cert_dir.mkdir(parents=True, exist_ok=True)
        self.ca_path = cert_dir / "local-alexa-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_path))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        apis = self

        class Handler(_Handler):
            owner = apis

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint = f"https://127.0.0.1:{self._server.server_address[1]}"
        return self.endpoint

    def trust(self):
        """Make `requests` in this process trust the local authority."""
        os.environ["REQUESTS_CA_BUNDLE"] = str(self.ca_path)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # --- test helpers --------------------------------------------------------------------

    def fail_next(self, *statuses):
        """The next calls answer with these HTTP statuses, in order."""
        self._faults.extend(statuses)

    def calls_to(self, prefix, method=None):
        return [c for c in self.calls if c.path.startswith(prefix) and (method is None or c.method == method)]

    def go_off_between(self, start, end):
        """Reminders that go off after `start` and at or before `end` (aware datetimes),
        oldest first, as (moment, spoken text); they are then COMPLETED, as on a device."""
        due = []
        for reminder in self.reminders.values():
            moment = trigger_moment(reminder)
            if reminder.get("status") == "ON" and moment and start < moment <= end:
                texts = reminder["alertInfo"]["spokenInfo"]["content"]
                due.append((moment, texts[0].get("text") or texts[0].get("ssml")))
                reminder["status"] = "COMPLETED"
        return sorted(due)

    # --- the APIs ------------------------------------------------------------------------

    def answer(self, method, path, body):
        """(status, JSON-able body) for one call."""
        if self._faults:
            status = self._faults.pop(0)
            return status, {"code": "INJECTED_FAULT", "message": f"injected {status}"}
        if re.fullmatch(r"/v2/devices/[^/]+/settings/System\.timeZone", path) and method == "GET":
            return (200, self.zone) if self.zone else (404, {"code": "NOT_FOUND", "message": "no time zone"})
        if path.startswith("/v1/alerts/reminders"):
            if not self.granted:
                return 401, {"code": "UNAUTHORIZED", "message": "reminders permission not granted"}
            return self._reminders(method, path, body)
        return 404, {"code": "NOT_FOUND", "message": path}

    def _reminders(self, method, path, body):
        token = path[len("/v1/alerts/reminders/"):] if path.startswith("/v1/alerts/reminders/") else None
        if method == "POST" and token is None:
            token = f"local-{uuid.uuid4()}"
            self.reminders[token] = {**body, "alertToken": token, "status": "ON"}
            return 200, self._summary(token)
        if method == "GET" and token is None:
            alerts = list(self.reminders.values())
            return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
        if token not in self.reminders:
            return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
        if method == "GET":
            return 200, self.reminders[token]
        if method == "PUT":
            self.reminders[token] = {**body, "alertToken": token, "status": "ON"}
            return 200, self._summary(token)
        if method == "DELETE":
            del self.reminders[token]
            return 200, None
        return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}

    def _summary(self, token):
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"alertToken": token, "createdTime": now, "updatedTime": now, "status": "ON",
                "version": "1", "href": f"/v1/alerts/reminders/{token}"}


def trigger_moment(reminder):
    """When a reminder goes off, as an aware datetime (None if its trigger is unreadable)."""
    trigger = reminder.get("trigger") or {}
    try:
        if trigger.get("type") == "SCHEDULED_ABSOLUTE":
            local = datetime.fromisoformat(trigger["scheduledTime"])
            return local.replace(tzinfo=ZoneInfo(trigger["timeZoneId"])) if local.tzinfo is None else local
        if trigger.get("type") == "SCHEDULED_RELATIVE":
            asked = datetime.fromisoformat(reminder["requestTime"].replace("Z", "+00:00"))
            asked = asked if asked.tzinfo else asked.replace(tzinfo=timezone.utc)
            return asked + timedelta(seconds=int(trigger["offsetInSeconds"]))
    except (KeyError, ValueError, TypeError):
        return None
    return None


class _Handler(BaseHTTPRequestHandler):
    owner = None

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.owner.calls.append(Call(self.command, self.path, body, self.headers.get("Authorization")))
        status, answer = self.owner.answer(self.command, self.path, body)
        data = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, *args):  # keep test and console output clean
        pass
