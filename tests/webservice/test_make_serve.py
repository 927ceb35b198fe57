"""`make serve`'s command (python -m devkit.serve --skill-id …) in its own process, around
lambda/app.py's real handler on a local store, trusting a self-made authority instead of
the real roots: a forged request is refused with one log line and stores nothing; the same
request correctly signed gets the skill's answer; without a skill id nothing starts."""

import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest

from devkit.alexa_signer import envelope
from devkit.dynamodb_local import clean_environment
from tests.conftest import HANG_S, ROOT
from tests.webservice.common import SKILL_ID


@pytest.fixture
def served(authority, tmp_path):
    """(URL, stderr lines so far, store path) of a running `devkit.serve`."""
    ca = tmp_path / "test-ca.pem"
    ca.write_bytes(authority.root_pem)
    store = tmp_path / "store.sqlite3"
    env = clean_environment({"BSC_LOCAL_STORE": str(store), "PYTHONUNBUFFERED": "1"})
    env.pop("TABLE_NAME", None)
    env.pop("SKILL_ID", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "devkit.serve", "--skill-id", SKILL_ID, "--port", "0",
         "--trust-ca", str(ca), "--cert-origin", authority.origin],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors = []
    threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
    first = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        assert first and first[0].startswith("listening on http://127.0.0.1:"), (first, errors)
        assert f"verifying Alexa's requests for {SKILL_ID}" in first[0]
        yield first[0].split()[2], errors, store
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post(url, body, headers):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("POST", "/", body, headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def _records(store):
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return db.execute("SELECT COUNT(*) FROM records").fetchone()[0]


def _refusals(errors, wait=10):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not any("refused" in line for line in errors):
        time.sleep(0.05)
    return [line for line in errors if "refused" in line]


def test_make_serve_refuses_a_forged_request_and_answers_the_signed_one(served, authority):
    url, errors, store = served
    event = envelope(SKILL_ID, "report_spasm.json")
    body, headers = authority.sign(event, "good.pem")
    forged = body.replace(b'"en-US"', b'"en-UK"', 1)

    status, answer = _post(url, forged, headers)
    assert status == 400 and answer == {"error": "request not verified"}
    refusals = _refusals(errors)
    assert len(refusals) == 1 and "signature does not match the body" in refusals[0]
    assert "EXAMPLE-USER" not in "".join(errors)
    assert _records(store) == 0

    status, answer = _post(url, body, headers)
    assert status == 200
    speech = answer["response"]["outputSpeech"]["ssml"].lower()
    assert "groin" in speech and "not medical advice" in speech  # the first safety question
    assert _records(store) == 1 and len(_refusals(errors, wait=0)) == 1


def test_make_serve_without_a_skill_id_starts_nothing_and_says_what_to_set(tmp_path):
    env = clean_environment({"BSC_LOCAL_STORE": str(tmp_path / "store.sqlite3")})
    env.pop("SKILL_ID", None)
    done = subprocess.run([sys.executable, "-m", "devkit.serve"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=HANG_S)
    assert done.returncode == 2 and done.stdout == ""
    assert "make serve SKILL_ID=amzn1.ask.skill." in done.stderr
