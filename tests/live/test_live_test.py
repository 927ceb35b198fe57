"""`make live-test` (devkit.live_test) offline: against a local stand-in of the Skill
Simulation API (tests/live/standin.py) whose "Alexa" is devkit's, in front of the real
skill handler. And without credentials or a skill id it stops at once with the setup."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from devkit import live_test
from tests.conftest import HANG_S, ROOT
from tests.live.standin import SimulationStandIn

SKILL_ID = "amzn1.ask.skill.22222222-live-test"
TOKEN = "Atza|local-test-token"

CONVERSATIONS = """
- name: the safety questions start, one by one
  turns:
    - {launch: true, says: [not medical advice, is your back spasming right now], open: true}
    - {user: "yes", says: [groin], open: true}
    - {user: "no", says: [both legs]}
- name: a one-shot report with no session open
  turns:
    - {user: my back is spasming, heard: ReportSpasmIntent, says: [groin]}
- name: an exact intent and a clock that moves
  turns:
    - {intent: AMAZON.HelpIntent, says: [ice or heat]}
    - {advance: 2d, user: help, says: [ice or heat]}
"""


def _saved_credentials(home, expires_in):
    expires = (datetime.now(timezone.utc) + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    (home / ".ask").mkdir(parents=True, exist_ok=True)
    (home / ".ask" / "cli_config").write_text(json.dumps({"profiles": {"default": {"token": {
        "access_token": TOKEN, "refresh_token": "Atzr|x", "token_type": "bearer", "expires_in": 3600,
        "expires_at": expires}}}}))


@pytest.fixture
def standin(skill, tmp_path, monkeypatch):
    """The stand-in, with this process pointed at it as `ask configure` would leave it."""
    server = SimulationStandIn(skill, SKILL_ID, TOKEN)
    endpoint = server.start(tmp_path)
    home = tmp_path / "home"
    _saved_credentials(home, 3000)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ASK_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ASK_DEFAULT_PROFILE", raising=False)
    monkeypatch.setenv("ASK_SMAPI_SERVER_BASE_URL", endpoint)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_path))
    yield server
    server.stop()


@pytest.fixture
def conversations(tmp_path):
    path = tmp_path / "conversations.yaml"
    path.write_text(CONVERSATIONS)
    return path


def _run(*args):
    return live_test.main(["--skill-id", SKILL_ID, "--poll", "0.01", *args])


def test_each_step_reports_what_alexa_understood_and_whether_the_speech_matched(standin, conversations, capsys):
    assert _run("--files", str(conversations)) == 0
    out = capsys.readouterr().out
    assert "sent 'open back spasm coach' -> LaunchRequest: speech matched" in out
    assert "sent 'yes' -> AMAZON.YesIntent: speech matched" in out
    assert "sent 'ask back spasm coach my back is spasming' -> ReportSpasmIntent: speech matched" in out
    assert "intent AMAZON.HelpIntent: skipped" in out
    assert "reported, not counted" in out
    assert "4 of 4 counted steps matched" in out
    # each conversation began in a new session, after deleting what the skill kept
    news = [words for words, mode in standin.heard if mode == "FORCE_NEW_SESSION"]
    assert news.count("ask back spasm coach to delete my data") == 3
    assert "open back spasm coach" in news and standin.polls >= 2 * len(standin.heard)


def test_a_speech_that_no_longer_matches_is_reported_and_fails_the_run(standin, conversations, capsys):
    standin.reword = "Something else entirely."
    assert _run("--files", str(conversations), "--only", "one by one") == 1
    out = capsys.readouterr().out
    assert "-> LaunchRequest: MISMATCH: missing 'not medical advice'" in out
    assert "said: Something else entirely." in out
    assert "0 of 3 counted steps matched" in out


def test_every_conversation_in_the_repository_replays_step_by_step(standin, capsys):
    """Whatever the conversations say today (their content changes; their format is
    tests/test_conversations.py's): every step is sent, skipped, or reported."""
    cases = live_test.load()
    assert cases
    live_test.replay(live_test.Simulator(live_test.smapi_client(TOKEN), SKILL_ID, poll=0.01), cases,
                     "back spasm coach", out=print, reset=False)
    out = capsys.readouterr().out
    steps = sum(1 for _, case in cases for step in case["turns"] if isinstance(step, dict))
    assert out.count("\n  ") - out.count("\n     said:") == steps


def test_credentials_alexa_refuses_stop_the_run_with_the_setup(standin, conversations, monkeypatch, capsys):
    monkeypatch.setenv("ASK_ACCESS_TOKEN", "Atza|someone-else")
    assert _run("--files", str(conversations)) == 2
    assert "HTTP 401" in capsys.readouterr().err


def _command(tmp_path, *args, **env):
    home = tmp_path / "empty-home"
    home.mkdir(exist_ok=True)
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "devkit.live_test", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=HANG_S)


def test_without_ask_cli_credentials_it_stops_at_once_with_the_setup(tmp_path):
    done = _command(tmp_path, "--skill-id", SKILL_ID)
    assert done.returncode == 2 and done.stdout == ""
    assert "no ASK CLI credentials" in done.stderr
    for step in ("npm install -g ask-cli", "ask configure", "ASK_ACCESS_TOKEN", "make live-test SKILL_ID="):
        assert step in done.stderr


def test_without_a_skill_id_it_stops_at_once(tmp_path):
    done = _command(tmp_path)
    assert done.returncode == 2 and "no skill id given" in done.stderr


def test_an_expired_saved_token_without_the_ask_cli_says_how_to_refresh_it(tmp_path):
    _saved_credentials(tmp_path / "empty-home", -10)
    done = _command(tmp_path, "--skill-id", SKILL_ID)
    assert done.returncode == 2 and "has expired" in done.stderr and "ask smapi get-skill-status" in done.stderr
