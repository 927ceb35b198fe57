"""`make nlu-profile` (devkit.nlu_profile) offline: against a local stand-in of the Alexa
Utterance Profiler API (and of Login with Amazon's token endpoint), plain HTTP on
loopback, pointed at with the ASK CLI's own variables. The phrases are
tests/nlu/fixtures/profile-en-US.yaml; the stand-in answers some of them right and some
wrong, in the JSON shape Alexa answers with."""

import json
import subprocess
import sys
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devkit import nlu_profile
from tests.conftest import HANG_S, ROOT

SKILL_ID = "amzn1.ask.skill.33333333-profile"
TOKEN = "Atza|profile-test-token"
FIXTURE = ROOT / "tests" / "nlu" / "fixtures" / "profile-en-US.yaml"
PATH = f"/v1/skills/{SKILL_ID}/stages/development/interactionModel/locales/en-US/profileNlu"


def _custom(name, words, value_id, nested=True):
    value = {"value": {"name": value_id, "id": value_id}} if nested else {"name": value_id, "id": value_id}
    return {name: {"name": name, "value": words, "confirmationStatus": "NONE", "resolutions": {
        "resolutionsPerAuthority": [{"authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.X",
                                     "status": {"code": "ER_SUCCESS_MATCH"}, "values": [value]}]}}}


def _intent(name, slots=None):
    return {"sessionEnded": False, "selectedIntent": {"name": name, "confirmationStatus": "NONE",
                                                      "slots": slots or {}},
            "consideredIntents": [], "multiTurn": None}


# What "Alexa" understands: five of the seven right, one wrong slot, one wrong intent.
ANSWERS = {
    "my spine has locked up completely": _intent("ReportSpasmIntent"),
    "i pulled something in my back shovelling snow":
        _intent("ReportSpasmIntent", _custom("cause", "shovelling snow", "strain")),
    "i felt it go in my back this morning":
        _intent("ReportSpasmIntent", {"time": {"name": "time", "value": "MO", "confirmationStatus": "NONE"}}),
    "is a hot water bottle any good": _intent("TopicIntent", _custom("topic", "hot water bottle", "massage")),
    "what should i eat for sore muscles": _intent("AMAZON.FallbackIntent"),
    # the flat shape of ask-smapi-model's ResolutionsPerAuthorityValueItems is read too
    "i can't feel my inner thighs":
        _intent("SymptomIntent", _custom("sign", "can't feel my inner thighs", "saddle_numbness", nested=False)),
    "it feels a bit easier today": _intent("CheckInIntent", _custom("status", "a bit easier", "better")),
}


class StandIn:
    """The Utterance Profiler and LWA's token endpoint in one loopback server. `requests`
    records every request as (path, headers, body); `first` maps an utterance to the
    statuses to answer it with before the real answer; `status` answers everything so."""

    def __init__(self):
        self.requests, self.first, self.status = [], {}, None
        self.lwa = {"refresh_token": "Atzr|env-refresh", "client_id": "amzn1.application-oa2-client.test",
                    "client_secret": "test-secret", "access_token": "Atza|from-refresh"}
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                standin.requests.append((self.path, dict(self.headers), body))
                status, answer = standin.answer(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path, headers, body):
        if path == "/auth/o2/token":
            form = dict(urllib.parse.parse_qsl(body.decode()))
            wanted = {k: self.lwa[k] for k in ("refresh_token", "client_id", "client_secret")}
            if form.get("grant_type") == "refresh_token" and all(form.get(k) == v for k, v in wanted.items()):
                return 200, {"access_token": self.lwa["access_token"], "token_type": "bearer", "expires_in": 3600}
            return 400, {"error": "invalid_grant"}
        if self.status:
            return self.status, {"message": f"stand-in says {self.status}"}
        if headers.get("Authorization") not in (f"Bearer {TOKEN}", f"Bearer {self.lwa['access_token']}"):
            return 401, {"message": "The auth token is invalid/expired or doesn't have access to the resource."}
        if path != PATH:
            return 404, {"message": "The specified skill does not exist."}
        utterance = json.loads(body)["utterance"]
        pending = self.first.get(utterance)
        if pending:
            return pending.pop(0), {"message": "API user has exceeded the permitted request rate."}
        return 200, ANSWERS.get(utterance, _intent("AMAZON.FallbackIntent"))

    def profiled(self):
        return [json.loads(body) for path, _, body in self.requests if path.endswith("/profileNlu")]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _saved_credentials(home, expires_in=3000):
    expires = (datetime.now(timezone.utc) + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    (home / ".ask").mkdir(parents=True, exist_ok=True)
    (home / ".ask" / "cli_config").write_text(json.dumps({"profiles": {"default": {"token": {
        "access_token": TOKEN, "refresh_token": "Atzr|x", "token_type": "bearer", "expires_in": 3600,
        "expires_at": expires}}}}))


CREDENTIAL_VARIABLES = ("ASK_ACCESS_TOKEN", "ASK_REFRESH_TOKEN", "ASK_LWA_CLIENT_ID",
                        "ASK_LWA_CLIENT_CONFIRMATION", "ASK_DEFAULT_PROFILE")


@pytest.fixture
def standin(tmp_path, monkeypatch):
    """The stand-in, with this process pointed at it as `ask configure` would leave it."""
    server = StandIn()
    home = tmp_path / "home"
    _saved_credentials(home)
    monkeypatch.setenv("HOME", str(home))
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASK_SMAPI_SERVER_BASE_URL", server.url)
    monkeypatch.setenv("ASK_LWA_TOKEN_HOST", server.url)
    yield server
    server.stop()


def _run(*args):
    return nlu_profile.main(["--skill-id", SKILL_ID, "--set", str(FIXTURE), "--backoff", "0", *args])


def test_each_phrase_is_sent_to_the_profiler_and_the_report_gives_alexas_score(standin, capsys):
    assert _run() == 0
    out = capsys.readouterr().out
    # one POST per phrase, to the documented path, with just the utterance, as the developer
    profiled = [(path, headers, body) for path, headers, body in standin.requests]
    assert [path for path, _, _ in profiled] == [PATH] * 7
    assert [json.loads(body) for _, _, body in profiled] == [{"utterance": say} for say in ANSWERS]
    assert {headers["Authorization"] for _, headers, _ in profiled} == {f"Bearer {TOKEN}"}
    assert {headers["Content-Type"] for _, headers, _ in profiled} == {"application/json"}
    # the report: per intent, overall, then the failures
    lines = out.splitlines()
    assert "  ReportSpasmIntent  3/3" in lines
    assert "  TopicIntent        0/2" in lines
    assert "  SymptomIntent      1/1" in lines and "  CheckInIntent      1/1" in lines
    assert "overall: 5/7 correct (71.4%)" in lines
    assert "failures (2):" in lines
    assert "  is a hot water bottle any good -> TopicIntent {topic: massage} (TopicIntent {topic: ice_heat})" in lines
    assert ("  what should i eat for sore muscles -> AMAZON.FallbackIntent {topic: -} "
            "(TopicIntent {topic: diet})") in lines
    assert "credentials: profile default" in out and TOKEN not in out


def test_a_refresh_token_in_the_environment_is_exchanged_at_login_with_amazon(standin, monkeypatch, capsys):
    """It comes before the profile `ask configure` saved (the fixture's)."""
    monkeypatch.setenv("ASK_REFRESH_TOKEN", standin.lwa["refresh_token"])
    monkeypatch.setenv("ASK_LWA_CLIENT_ID", standin.lwa["client_id"])
    monkeypatch.setenv("ASK_LWA_CLIENT_CONFIRMATION", standin.lwa["client_secret"])
    assert _run() == 0
    path, headers, body = standin.requests[0]
    assert path == "/auth/o2/token"
    assert dict(urllib.parse.parse_qsl(body.decode())) == {
        "grant_type": "refresh_token", "refresh_token": standin.lwa["refresh_token"],
        "client_id": standin.lwa["client_id"], "client_secret": standin.lwa["client_secret"]}
    assert {h["Authorization"] for p, h, _ in standin.requests[1:]} == {"Bearer Atza|from-refresh"}
    assert "overall: 5/7 correct (71.4%)" in capsys.readouterr().out


def test_a_refused_refresh_token_stops_before_any_phrase_is_sent(standin, monkeypatch, capsys):
    monkeypatch.setenv("ASK_REFRESH_TOKEN", "Atzr|revoked")
    monkeypatch.setenv("ASK_LWA_CLIENT_ID", standin.lwa["client_id"])
    monkeypatch.setenv("ASK_LWA_CLIENT_CONFIRMATION", standin.lwa["client_secret"])
    assert _run() == 2
    assert "Login with Amazon refused ASK_REFRESH_TOKEN (HTTP 400: invalid_grant)" in capsys.readouterr().err
    assert standin.profiled() == []


def test_rate_limited_answers_are_retried_and_the_phrase_still_counts(standin, capsys):
    standin.first["my spine has locked up completely"] = [429, 429]
    standin.first["it feels a bit easier today"] = [503]
    assert _run() == 0
    out = capsys.readouterr().out
    sent = [body["utterance"] for body in standin.profiled()]
    assert sent.count("my spine has locked up completely") == 3
    assert sent.count("it feels a bit easier today") == 2
    assert "overall: 5/7 correct (71.4%)" in out and "could not profile" not in out


def test_a_phrase_still_rate_limited_after_the_retries_is_listed_and_the_run_fails(standin, capsys):
    standin.first["my spine has locked up completely"] = [429] * 10
    assert _run() == 1
    out = capsys.readouterr().out
    assert "could not profile 'my spine has locked up completely': HTTP 429, still rate-limited after 4 tries" in out
    assert "overall: 4/7 correct (57.1%)" in out
    assert "  my spine has locked up completely -> [HTTP 429, still rate-limited after 4 tries" in out
    assert len(standin.profiled()) == 4 + 6


@pytest.mark.parametrize("status, says", [
    (401, "Alexa refused the access token (HTTP 401"),
    (403, f"is skill {SKILL_ID} in the developer account"),
    (404, f"no en-US model for skill {SKILL_ID} at stage development (HTTP 404"),
])
def test_alexa_refusing_the_credentials_or_the_skill_stops_at_the_first_phrase(standin, capsys, status, says):
    standin.status = status
    assert _run() == 2
    captured = capsys.readouterr()
    assert says in captured.err and "make nlu-profile stopped" in captured.err
    assert len(standin.profiled()) == 1 and "overall" not in captured.out


def _command(tmp_path, standin, *args, **env):
    """devkit.nlu_profile as `make nlu-profile` runs it, with nothing set up, but aimed at
    the stand-in so that any request it made would be seen."""
    home = tmp_path / "empty-home"
    home.mkdir(exist_ok=True)
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "ASK_SMAPI_SERVER_BASE_URL": standin.url,
                   "ASK_LWA_TOKEN_HOST": standin.url, **env}
    return subprocess.run([sys.executable, "-m", "devkit.nlu_profile", "--set", str(FIXTURE), *args],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=HANG_S)


def test_without_credentials_it_stops_at_once_and_says_what_to_set_up(tmp_path, standin):
    done = _command(tmp_path, standin, "--skill-id", SKILL_ID)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("make nlu-profile: no ASK CLI credentials") and "nothing was sent" in lines[0]
    for step in ("npm install -g ask-cli && ask configure", "ASK_ACCESS_TOKEN", "ASK_REFRESH_TOKEN"):
        assert step in lines[1]
    assert lines[2].startswith("Then: make nlu-profile SKILL_ID=")
    assert standin.requests == []


def test_without_a_skill_id_it_stops_at_once(tmp_path, standin):
    done = _command(tmp_path, standin, ASK_ACCESS_TOKEN=TOKEN)
    assert done.returncode == 2 and "no skill id given (SKILL_ID)" in done.stderr
    assert standin.requests == []


def test_built_in_slots_match_by_their_words_or_by_what_they_resolve_to():
    types = {("OnsetIntent", "time"): "AMAZON.TIME", ("OnsetIntent", "duration"): "AMAZON.DURATION"}
    phrase = {"say": "about two days ago in the morning", "intent": "OnsetIntent",
              "slots": {"time": "in the morning", "duration": "two days"}}
    answer = _intent("OnsetIntent", {"time": {"name": "time", "value": "MO"},
                                     "duration": {"name": "duration", "value": "P2D"}})
    assert nlu_profile.judge(phrase, answer, types)["ok"]
    wrong = _intent("OnsetIntent", {"time": {"name": "time", "value": "EV"},
                                    "duration": {"name": "duration", "value": "P2D"}})
    row = nlu_profile.judge(phrase, wrong, types)
    assert not row["ok"] and row["got_slots"] == {"time": "EV", "duration": "P2D"}
