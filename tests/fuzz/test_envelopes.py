"""Property tests: the Lambda handler fed generated Alexa envelopes (tests/fuzz/strategies.py,
built from the interaction model) and the corpus of the nastiest ones (tests/fuzz/corpus/).

For every envelope:
  - the handler never raises, and returns None only for a request meant for another skill;
  - an envelope ask-sdk can read gets a valid Alexa response: it deserializes into
    ResponseEnvelope, version 1.0, its speech is one well-formed <speak> element with no
    markup inside and under 8,000 characters, an open session has a reprompt and asks a
    question, a Connections.SendRequest hands over without reprompt or shouldEndSession,
    and the session attributes are JSON and fit Alexa's 24 KB;
  - nothing the user said (any text in the request) reaches the SSML unescaped;
  - a realistic envelope (shaped as Alexa sends it; session attributes may be junk) never
    needs the skill's ErrorHandler;
  - no answer costs the handler more than 2 seconds of its own work (CPU time, so that a
    busy machine cannot fail it; waiting on I/O is bounded by the turn's budget,
    tests/test_budget.py; Alexa waits 8 seconds in all);
  - an envelope ask-sdk cannot read gets the spoken apology and the session ends.

These hold for every envelope, with no exceptions: a failure is a product bug. Fix it, and
keep the envelope that showed it (shrunk) as a corpus case named for what it holds, e.g.
tests/fuzz/corpus/out-of-session-request.json (the user's stored record, if it matters,
in <name>.stored.json): every corpus case is replayed on each run, against every
invariant, as a regression test.

`make test` runs the "ci" profile, `make fuzz` the "fuzz" one (tests/fuzz/conftest.py).
"""

import json
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from hypothesis import example, given, note
from hypothesis.control import currently_in_test_context

from devkit.alexa import _get, ssml_to_text

from . import strategies as S
from .conftest import run

SERIALIZER = DefaultSerializer()
MAX_SPEECH_CHARS = 8000
MAX_SESSION_BYTES = 24 * 1024
MAX_RESPONSE_BYTES = 24 * 1024
# Alexa waits 8 seconds for an answer, network and cold start included; a turn that works
# for two on a warm container is in trouble (a normal one takes milliseconds). Measured as
# the handler thread's CPU time: wall time on a shared machine measures the machine.
MAX_TURN_SECONDS = 2.0
CORPUS = Path(__file__).parent / "corpus"


# --- the invariants ----------------------------------------------------------------------

def call_handler(coach, store, crashes, case):
    """Invariant: the Lambda handler never raises. Returns (response, hidden crashes,
    seconds taken)."""
    try:
        return run(coach, store, crashes, case)
    except Exception:
        escape_trace = traceback.format_exc()
    raise AssertionError(f"the Lambda handler raised instead of answering:\n{escape_trace}")


def sdk_can_read(envelope):
    """Whether ask-sdk's DefaultSerializer can turn the event into a RequestEnvelope."""
    return _read(envelope) is not None


def _read(envelope):
    try:
        return SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)
    except Exception:
        return None


def assert_answered_unless_other_skill(response, case, skill_id):
    """Invariant: None only for a request whose application id is not ours; and a readable
    request for another skill, with a user and a timestamp, does get None."""
    application_id = _get(case.envelope, "context", "System", "application", "applicationId")
    if response is None:
        assert skill_id is not None and str(application_id) != skill_id, \
            "the handler returned None for a request meant for this skill"
        return
    envelope = _read(case.envelope)
    if skill_id is None or _attr(envelope, "request", "timestamp") is None:
        return
    user_id = _attr(envelope, "context", "system", "user", "user_id")
    read_id = _attr(envelope, "context", "system", "application", "application_id")
    if isinstance(user_id, str) and user_id and isinstance(read_id, str) and read_id != skill_id:
        raise AssertionError(f"a request for another skill ({application_id}) was answered: {_short(response)}")


def assert_refused_cleanly(response, apology):
    """Invariant: an envelope the SDK cannot read gets the spoken apology, session ended."""
    assert isinstance(response, dict), f"an unreadable envelope got {response!r}, not the apology"
    body = response.get("response") or {}
    said = ssml_to_text(_get(body, "outputSpeech", "ssml"))
    assert said == apology, f"an unreadable envelope got {said!r}, not the apology {apology!r}"
    assert body.get("shouldEndSession") is True, "an unreadable envelope's apology must end the session"
    assert_valid_response(response, [])


def assert_valid_response(response, user_texts, request_attributes=None):
    """Invariant: a response Alexa accepts (see the module docstring)."""
    assert isinstance(response, dict), f"the response is {type(response).__name__}, not a JSON object"
    try:
        text = json.dumps(response)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"the response is not JSON-serializable: {error}") from None
    try:
        SERIALIZER.deserialize(text, ResponseEnvelope)
    except Exception as error:
        raise AssertionError(f"the response does not deserialize into ResponseEnvelope: {error}") from None
    assert response.get("version") == "1.0", f"response version is {response.get('version')!r}, not '1.0'"
    body = response.get("response")
    assert isinstance(body, dict), f"the response has no 'response' object: {_short(response)}"
    speech = body.get("outputSpeech")
    if speech is not None:
        assert speech.get("type") == "SSML", f"outputSpeech is {speech.get('type')!r}, not SSML"
        assert_ssml(speech.get("ssml"), "outputSpeech", user_texts)
    reprompt = _get(body, "reprompt", "outputSpeech")
    if reprompt is not None:
        assert_ssml(reprompt.get("ssml"), "reprompt", user_texts)
    assert_open_session_asks(body)
    assert_handoff_has_no_reprompt(body)
    assert_session_attributes_fit(response, request_attributes)
    if _size(request_attributes) <= MAX_SESSION_BYTES - MAX_SPEECH_CHARS:
        assert _size(response) <= MAX_RESPONSE_BYTES, \
            f"the response is {_size(response)} bytes; Alexa rejects more than {MAX_RESPONSE_BYTES}"


def assert_ssml(ssml, where, user_texts):
    """Invariant: one well-formed <speak> element, no markup inside it (the skill writes
    none, so any would have come from the input), under 8,000 characters, no user text raw."""
    assert isinstance(ssml, str), f"{where} has no SSML string: {ssml!r}"
    assert "<audio" not in ssml and ssml.count("<speak") == 1, f"{where} SSML carries input markup: {ssml[:300]!r}"
    assert_no_raw_user_text(ssml, where, user_texts)
    try:
        root = ET.fromstring(ssml)
    except (ET.ParseError, ValueError) as error:  # ValueError: characters XML cannot carry at all
        raise AssertionError(f"{where} SSML is not well-formed XML ({error}): {ssml[:300]!r}") from None
    assert root.tag == "speak", f"{where} SSML root is <{root.tag}>, not <speak>"
    assert len(root) == 0, f"{where} SSML has markup inside <speak>: {[child.tag for child in root]} in {ssml[:300]!r}"
    assert len(ssml) < MAX_SPEECH_CHARS, f"{where} SSML is {len(ssml)} characters; Alexa allows under 8,000"


def assert_no_raw_user_text(ssml, where, user_texts):
    """Invariant: text from the request that holds '<' or '&' appears in the SSML only
    escaped (or not at all)."""
    inner = ssml[len("<speak>"):-len("</speak>")] if ssml.startswith("<speak>") else ssml
    for text in user_texts:
        if ("<" in text or "&" in text) and text not in escape(text):
            assert text not in inner, f"user text {text[:80]!r} reached the {where} SSML unescaped: {ssml[:300]!r}"


def assert_open_session_asks(body):
    """Invariant: a session left open has a reprompt, and the speech asks a question."""
    if body.get("shouldEndSession") is not False:
        return
    assert _get(body, "reprompt", "outputSpeech", "ssml"), "the session stays open but there is no reprompt"
    said = ssml_to_text(_get(body, "outputSpeech", "ssml"))
    assert said.endswith("?"), f"the session stays open but the speech does not end with a question: ...{said[-120:]!r}"


def assert_handoff_has_no_reprompt(body):
    """Invariant: a Connections.SendRequest hands the turn to Alexa: no reprompt, no
    shouldEndSession."""
    if not any(d.get("type") == "Connections.SendRequest" for d in body.get("directives") or []):
        return
    assert "reprompt" not in body, "a Connections.SendRequest response has a reprompt"
    assert "shouldEndSession" not in body, "a Connections.SendRequest response sets shouldEndSession"


def assert_session_attributes_fit(response, request_attributes):
    """Invariant: session attributes are JSON, and under Alexa's 24 KB whenever the ones
    the request brought left room for what a turn adds (its speech, 8 KB at most). Alexa
    only sends back what the skill set, so bigger ones never arrive; the fuzzer still sends
    them to see they are survived."""
    attributes = response.get("sessionAttributes")
    if attributes is None:
        return
    try:
        size = _size(attributes)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"session attributes are not JSON-serializable: {error}") from None
    if _size(request_attributes) <= MAX_SESSION_BYTES - MAX_SPEECH_CHARS:
        assert size <= MAX_SESSION_BYTES, (
            f"session attributes grew from {_size(request_attributes)} to {size} bytes; "
            f"Alexa allows {MAX_SESSION_BYTES}")


def assert_answers_in_time(seconds):
    """Invariant: the handler's own work for one answer stays within MAX_TURN_SECONDS."""
    assert seconds <= MAX_TURN_SECONDS, \
        f"the handler worked {seconds:.1f} s (CPU); a turn must answer within {MAX_TURN_SECONDS} s (Alexa waits 8 s)"


def assert_no_hidden_crash(hidden, case):
    """Invariant: a realistic case (an envelope shaped as Alexa sends it, a record the skill
    could have written) is handled without the skill's ErrorHandler stepping in: the user
    would hear "something went wrong"."""
    if case.realistic and hidden:
        raise AssertionError("the skill crashed and its ErrorHandler hid it:\n" + "\n".join(hidden))


def check(coach, store, crashes, case, texts, skill_id=None):
    """Every invariant, for one case."""
    response, hidden, seconds = call_handler(coach, store, crashes, case)
    assert_answers_in_time(seconds)
    if currently_in_test_context():
        note(f"response: {_short(response, 3000)}")
    assert_answered_unless_other_skill(response, case, skill_id)
    if response is None:
        return response
    if not sdk_can_read(case.envelope):
        assert_refused_cleanly(response, f"{texts.say('error')} {texts.say('try_later')}")
        return response
    assert_valid_response(response, list(_strings(_get(case.envelope, "request"))),
                          _get(case.envelope, "session", "attributes"))
    assert_no_hidden_crash(hidden, case)
    return response


@pytest.fixture(scope="module")
def texts(content):
    return content.texts("en-US")


# --- the corpus ----------------------------------------------------------------------------

def corpus_cases():
    """(name, Case) for every tests/fuzz/corpus/<name>.json (a complete envelope), with the
    user's stored record from <name>.stored.json when there is one."""
    cases = []
    for path in sorted(CORPUS.glob("*.json")):
        if path.name.endswith(".stored.json"):
            continue
        envelope = json.loads(path.read_text(encoding="utf-8"))
        stored_path = path.with_name(f"{path.stem}.stored.json")
        stored = json.loads(stored_path.read_text(encoding="utf-8")) if stored_path.exists() else None
        cases.append((path.stem, S.Case(envelope, stored, realistic=True, notes=[f"corpus {path.stem}"])))
    return cases


CORPUS_CASES = corpus_cases()


@pytest.mark.parametrize("case", [case for _, case in CORPUS_CASES], ids=[name for name, _ in CORPUS_CASES])
def test_corpus(skill, fuzz_store, crashes, texts, case):
    """Each corpus case against every invariant."""
    check(skill, fuzz_store, crashes, case, texts)


@pytest.mark.parametrize("case", [case for _, case in CORPUS_CASES], ids=[name for name, _ in CORPUS_CASES])
def test_corpus_as_deployed(deployed_skill, fuzz_store, crashes, texts, case):
    """The corpus again, on the skill as app.py wires it (skill id, Alexa API client)."""
    check(deployed_skill, fuzz_store, crashes, case, texts, skill_id=S.SKILL_ID)


def test_corpus_is_a_useful_size():
    assert 10 <= len(CORPUS_CASES) <= 30, f"{len(CORPUS_CASES)} corpus cases; keep the nastiest 10 to 30"


def _with_corpus(test):
    """The corpus as explicit examples of a property test."""
    for _, case in CORPUS_CASES:
        test = example(case=case)(test)
    return test


# --- the properties --------------------------------------------------------------------------

@given(case=S.alexa_envelopes())
@_with_corpus
def test_envelopes_shaped_as_alexa_sends_them(skill, fuzz_store, crashes, texts, case):
    check(skill, fuzz_store, crashes, case, texts)


@given(case=S.broken_envelopes())
def test_broken_envelopes(skill, fuzz_store, crashes, texts, case):
    check(skill, fuzz_store, crashes, case, texts)


@given(case=S.any_envelopes_for((S.SKILL_ID, S.SKILL_ID, S.OTHER_SKILL_ID)))
def test_as_deployed_with_skill_id_and_alexa_apis(deployed_skill, fuzz_store, crashes, texts, case):
    check(deployed_skill, fuzz_store, crashes, case, texts, skill_id=S.SKILL_ID)


# --- helpers ---------------------------------------------------------------------------------

def _strings(node):
    """Every string in a JSON value (keys included)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _attr(obj, *names):
    for name in names:
        obj = getattr(obj, name, None)
    return obj


def _size(value):
    """Bytes of `value` as JSON, written the way the Lambda runtime writes the response."""
    return len(json.dumps(value).encode("utf-8")) if value is not None else 0


def _short(value, limit=500):
    text = json.dumps(value, ensure_ascii=True, default=repr)
    return text if len(text) <= limit else text[:limit] + "..."
