"""`make debug` (devkit.debug): ask-sdk-local-debug wired to lambda/app.py's handler. The
debugger runs in its own process, as make debug runs it, connected to a local websocket
stand-in of Amazon's debug service (autobahn, the library the debugger itself uses):
a request sent down the socket comes back answered by the real skill, and no user data is
printed. Without credentials or a skill id it stops at once with the setup."""

import asyncio
import json
import subprocess
import sys
import threading

from devkit.alexa_signer import envelope
from tests.conftest import HANG_S, ROOT

SKILL_ID = "amzn1.ask.skill.33333333-local-debug"
TOKEN = "Atza|local-debug-token"


class DebugService:
    """Amazon's side of a debug session: accepts the debugger, sends it `requests` one at a
    time, keeps each answer, closes when done."""

    def __init__(self, requests):
        self.requests, self.answers, self.authorization = list(requests), [], None
        self.path = None
        self.ready, self.closed = threading.Event(), threading.Event()

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()
        assert self.ready.wait(30)
        return f"ws://127.0.0.1:{self.port}/v1/skills/{SKILL_ID}/stages/development/connectCustomDebugEndpoint"

    def _run(self):
        from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol
        service = self

        class Session(WebSocketServerProtocol):
            def onConnect(self, request):
                service.authorization = request.headers.get("authorization")
                service.path = request.path

            def onOpen(self):
                self._next()

            def onMessage(self, payload, is_binary):
                service.answers.append(json.loads(payload.decode()))
                self._next()

            def _next(self):
                if service.requests:
                    self.sendMessage(json.dumps(service.requests.pop(0)).encode())
                else:
                    self.sendClose()

            def onClose(self, was_clean, code, reason):
                service.closed.set()

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # autobahn schedules on the thread's loop
        factory = WebSocketServerFactory(loop=loop)
        factory.protocol = Session
        server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        loop.run_forever()


def _message(number, event):
    return {"version": "1.0", "type": "SkillRequestMessage", "requestId": f"debug-{number}",
            "requestPayload": json.dumps(event)}


def _debug(tmp_path, *args, **env):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "BSC_LOCAL_STORE": str(tmp_path / "store.sqlite3"),
                   "PYTHONUNBUFFERED": "1", **env}
    return subprocess.run([sys.executable, "-m", "devkit.debug", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=HANG_S)


def test_requests_down_the_debug_socket_are_answered_by_the_skill(tmp_path):
    launch = envelope(SKILL_ID, "launch.json")
    report = envelope(SKILL_ID, "report_spasm.json")
    service = DebugService([_message(1, launch), _message(2, report)])
    url = service.start()
    done = _debug(tmp_path, "--skill-id", SKILL_ID, "--debug-endpoint", url, ASK_ACCESS_TOKEN=TOKEN)
    assert done.returncode == 0, done.stderr
    assert service.closed.is_set() and service.authorization == TOKEN, done.stdout + done.stderr
    assert [a["originalRequestId"] for a in service.answers] == ["debug-1", "debug-2"]
    assert all(a["type"] == "SkillResponseSuccessMessage" for a in service.answers), service.answers
    speech = [json.loads(a["responsePayload"])["response"]["outputSpeech"]["ssml"].lower() for a in service.answers]
    assert "is your back spasming" in speech[0] and "groin" in speech[1]
    assert done.stdout.count("a request came in") == 2 and done.stdout.count("answered") == 2
    assert "EXAMPLE-USER" not in done.stdout + done.stderr


def test_the_region_picks_amazons_debug_service_for_it():
    code = ("from devkit import debug; c = debug.client('amzn1.ask.skill.X', 'T', 'EU'); "
            "print(c.web_socket_config.web_socket_server_uri)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=HANG_S)
    assert done.stdout.strip() == ("wss://bob-dispatch-prod-eu.amazon.com/v1/skills/amzn1.ask.skill.X"
                                   "/stages/development/connectCustomDebugEndpoint"), done.stderr


def test_without_ask_cli_credentials_it_stops_at_once_with_the_setup(tmp_path):
    done = _debug(tmp_path, "--skill-id", SKILL_ID)
    assert done.returncode == 2 and done.stdout == ""
    for step in ("no ASK CLI credentials", "npm install -g ask-cli", "ask configure", "REGION=NA",
                 "make debug SKILL_ID="):
        assert step in done.stderr


def test_without_a_skill_id_it_stops_at_once(tmp_path):
    done = _debug(tmp_path)
    assert done.returncode == 2 and "no skill id given" in done.stderr
