"""A local stand-in for the Skill Simulation API (SMAPI v2 simulations), for the tests of
devkit.live_test: HTTPS on loopback (the SDK's client calls https only) with a throwaway
authority. "Alexa" here is devkit's: the words are understood with our interaction model
(devkit.nlu, through devkit.voice as the console does) and sent to the real skill handler
as request envelopes (devkit.alexa), one conversation per session, as the real API keeps
one per developer and skill.

It answers like the real API in the ways the client must cope with: a simulation is
IN_PROGRESS at first and SUCCESSFUL on a later poll; a second simulation while one is
running gets 409; a wrong token gets 401; another skill id 404. `heard` records each
(words, session mode); `reword(text)` changes every answer's speech (a skill that drifted).
"""

import json
import re
import ssl
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

from devkit import voice
from devkit.alexa import Caller, Conversation
from devkit.nlu import Model
from devkit.serve import answer


class SimulationStandIn:
    def __init__(self, skill, skill_id, token):
        self.skill, self.skill_id, self.token = skill, skill_id, token
        self.model = Model()
        self.conversation = None
        self.heard = []
        self.polls = 0
        self.reword = None
        self._results = {}      # id -> [polls left before done, result]
        self._lock = threading.Lock()

    def start(self, cert_dir):
        authority = trustme.CA()
        self.ca_path = cert_dir / "smapi-standin-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_path))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(context)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                self._answer(*standin.answer("POST", self.path, body, self.headers.get("Authorization")))

            def do_GET(self):
                self._answer(*standin.answer("GET", self.path, None, self.headers.get("Authorization")))

            def _answer(self, status, body):
                answer(self, status, json.dumps(body).encode())

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.endpoint = f"https://127.0.0.1:{self._server.server_address[1]}"
        return self.endpoint

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method, path, body, authorization):
        if authorization != f"Bearer {self.token}":
            return 401, {"message": "The auth token is invalid/expired or doesn't have access to the resource."}
        match = re.fullmatch(r"/v2/skills/([^/]+)/stages/development/simulations(?:/([^/]+))?", path)
        if not match or match.group(1) != self.skill_id:
            return 404, {"message": "The specified skill does not exist."}
        with self._lock:
            if method == "POST" and match.group(2) is None:
                if any(left > 0 for left, _ in self._results.values()):
                    return 409, {"message": "A simulation is already in progress."}
                return 200, self._simulate(body)
            if method == "GET" and match.group(2) in self._results:
                self.polls += 1
                entry = self._results[match.group(2)]
                entry[0] -= 1
                return 200, entry[1] if entry[0] <= 0 else {"id": match.group(2), "status": "IN_PROGRESS"}
        return 404, {"message": "no such simulation"}

    def _simulate(self, body):
        words, mode = body["input"]["content"], body["session"]["mode"]
        self.heard.append((words, mode))
        if self.conversation is None:
            self.conversation = Conversation(self.skill, Caller(skill_id=self.skill_id), now=datetime.now(timezone.utc))
        talk = self.conversation
        talk.now = datetime.now(timezone.utc)
        if mode == "FORCE_NEW_SESSION":
            voice.fresh_session(talk)
        turn = voice.say(talk, self.model, words).turn
        response = json.loads(json.dumps(turn.response))
        if self.reword and response.get("response", {}).get("outputSpeech"):
            response["response"]["outputSpeech"] = {"type": "SSML", "ssml": f"<speak>{self.reword}</speak>"}
        simulation_id = str(uuid.uuid4())
        result = {"id": simulation_id, "status": "SUCCESSFUL", "result": {
            "alexaExecutionInfo": {"alexaResponses": [{"type": "Speech", "content": {"caption": turn.speech}}],
                                   "consideredIntents": []},
            "skillExecutionInfo": {"invocations": [{
                "invocationRequest": {"endpoint": "arn:aws:lambda:local", "body": turn.request},
                "invocationResponse": {"body": response}}]}}}
        self._results[simulation_id] = [2, result]  # still running at the first poll, done at the second
        return {"id": simulation_id, "status": "IN_PROGRESS"}
