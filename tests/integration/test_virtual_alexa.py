"""End to end through virtual-alexa, an Alexa emulator written by others (bespoken, npm):
it reads our interaction model (en-US's, or the conversation's locale's: en-GB), resolves
each spoken phrase to an intent and slots,
and POSTs real request envelopes to lambda/app.py's handler (behind devkit/serve.py),
which keeps its data in DynamoDB Local. The conversations are data:
virtual_alexa/conversations.json (its "about" explains the format)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devkit.alexa import ssml_to_text
from devkit.build_model import OUTPUT as MODEL
from tests.conftest import ROOT

HERE = Path(__file__).parent / "virtual_alexa"
DRIVER = HERE / "drive.js"
DATA = json.loads((HERE / "conversations.json").read_text())
NAMES = [conversation["name"] for conversation in DATA["conversations"]]


@pytest.fixture(scope="module")
def played(serve_skill):
    """Every conversation, played once through virtual-alexa: {name: turns heard}."""
    node = shutil.which("node")
    assert node, "node is needed for the virtual-alexa tests (make test installs the npm packages)"
    assert (ROOT / "node_modules" / "virtual-alexa").is_dir(), "run `npm ci` (make test does)"
    url, apis = serve_skill(DATA["skill_id"], DATA["time_zone"])
    result = subprocess.run([node, str(DRIVER), url, str(MODEL), str(HERE / "conversations.json"), apis],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"drive.js failed:\n{result.stderr}"
    return {conversation["name"]: conversation["turns"] for conversation in json.loads(result.stdout)}


def describe(turn):
    request = turn.get("request") or {}
    heard = request.get("intent") or request.get("type")
    slots = " ".join(f"{k}={v}" for k, v in (request.get("slots") or {}).items())
    return f"{turn.get('say')!r} heard as {heard} {slots}".strip()


@pytest.mark.parametrize("conversation", DATA["conversations"], ids=NAMES)
def test_conversation(conversation, played):
    heard = played[conversation["name"]]
    spoken = [step for step in conversation["turns"] if "say" in step]
    done = [turn for turn in heard if "say" in turn]
    for number, (step, turn) in enumerate(zip(spoken, done), 1):
        where = f"turn {number}: {describe(turn)}"
        assert "error" not in turn, f"{where}: {turn['error']}"
        speech = ssml_to_text(turn.get("speech")).lower()
        if "heard" in step:
            request = turn["request"]
            assert step["heard"] in (request.get("intent"), request["type"]), where
        missing = [words for words in step.get("expect", []) if words.lower() not in speech]
        assert not missing, f"{where}: {missing} not in {speech!r}"
        unwanted = [words for words in step.get("not", []) if words.lower() in speech]
        assert not unwanted, f"{where}: {unwanted} in {speech!r}"
        if "open" in step:
            assert turn["ends"] is not step["open"], f"{where}: session {'ended' if turn['ends'] else 'stayed open'}"
    errors = [turn["error"] for turn in heard if "error" in turn]
    assert not errors and len(done) == len(spoken), f"stopped early: {errors}"


def test_every_request_carried_the_conversation_clock(played):
    """The clock is ours: a timestamp from the real clock would make the answers drift."""
    stamps = [turn["request"]["timestamp"] for turns in played.values() for turn in turns if turn.get("request")]
    assert stamps and all(re.fullmatch(r"2026-11-2[57]T15:00:00Z", stamp) for stamp in stamps), stamps
