"""`make live-test SKILL_ID=…`: our conversations (tests/conversations/*.yaml) replayed on
real Alexa, through the Skill Simulation API (SMAPI's simulate-skill and
get-skill-simulation, the calls behind `ask smapi simulate-skill`), against the skill's
development stage: whatever endpoint that stage has (the deployed Lambda, `make serve`
behind a tunnel, or `make debug`).

For every step it prints what was sent as the user's words, what Alexa understood (the
request type or intent and its slots, as the skill received them), and whether the
speech matched the step's `says` / `not_says` (and `heard`, `open`). Alexa's own language
understanding decides here, not devkit.nlu, so this is where a phrasing that only our
matcher understands shows up.

What cannot be replayed on Alexa is said, not faked: a step given as an exact `intent:`
(Alexa takes words) is skipped; a conversation that moves the clock (`advance`), sets it
(`start`) or starts from a stored record (`stored`) runs, but its results are reported and
not counted, since the live skill has the real clock and the developer's own record
(a step's `stored` expectations are not checked for the same reason).
Each conversation starts from nothing stored, as in the tests: before it, the skill is
asked to "delete my data" (and "yes"), so run it with a developer account whose skill data
may go (--no-reset keeps it, and then first-time answers such as the disclaimer differ).
Session: a conversation's first step, a `launch`, and `new_session` start a new one; words
said with no session open get "ask back spasm coach" in front, as devkit.voice does.

Exit status: 0 every counted step matched, 1 some did not, 2 not set up (ASK CLI
credentials, skill id: stops before anything is sent and says what to set up).

    python -m devkit.live_test --skill-id ID [--only TEXT] [--files F.yaml ...] [--no-reset]

ASK_SMAPI_SERVER_BASE_URL (as for the ASK CLI) points it at another SMAPI, as the tests do
with a local stand-in.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from devkit import ask_credentials
from devkit.alexa import ssml_to_text

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = ROOT / "tests" / "conversations"
MODELS = ROOT / "interaction_model" / "skill-package" / "interactionModels" / "custom"
SMAPI = "https://api.amazonalexa.com"
STAGE = "development"

EXTRA_SETUP = """\
  4. The development stage answering: an endpoint in the console's Build > Endpoint (the
     deployed Lambda, or `make serve` behind a tunnel), or `make debug` running.
"""


class _Token:
    """The service client's LWA client, handing out the ASK CLI's access token."""

    def __init__(self, token):
        self._token = token

    def get_access_token_from_refresh_token(self):
        return self._token

    def get_access_token_for_scope(self, scope):
        return self._token


def smapi_client(token, endpoint=None):
    from ask_sdk_core.api_client import DefaultApiClient
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model_runtime import ApiConfiguration, AuthenticationConfiguration
    from ask_smapi_model.services.skill_management import SkillManagementServiceClient
    configuration = ApiConfiguration(serializer=DefaultSerializer(), api_client=DefaultApiClient(),
                                     api_endpoint=endpoint or os.environ.get("ASK_SMAPI_SERVER_BASE_URL") or SMAPI)
    return SkillManagementServiceClient(configuration, AuthenticationConfiguration(), lwa_client=_Token(token))


@dataclass
class Heard:
    """One simulation's outcome, in the terms of a conversation step."""
    understood: str            # "LaunchRequest", "OnsetIntent (when: yesterday evening)", or Alexa's reply
    intent: str | None
    speech: str
    open: bool | None          # None: the skill was not reached
    reached_skill: bool


class Simulator:
    """Alexa through the Skill Simulation API: one utterance at a time, waiting for each."""

    def __init__(self, client, skill_id, locale="en-US", poll=1.0, timeout=60):
        self.client, self.skill_id, self.locale = client, skill_id, locale
        self.poll, self.timeout = poll, timeout

    def say(self, words, new_session):
        from ask_sdk_model_runtime.exceptions import ServiceException
        from ask_smapi_model.v2.skill.simulations import (
            Device, Input, Session, SessionMode, SimulationsApiRequest, SimulationsApiResponseStatus,
        )
        request = SimulationsApiRequest(
            input=Input(content=words), device=Device(locale=self.locale),
            session=Session(mode=SessionMode.FORCE_NEW_SESSION if new_session else SessionMode.DEFAULT))
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                started = self.client.simulate_skill_v2(self.skill_id, STAGE, request)
                break
            except ServiceException as error:  # 409: the previous one is still running; 429: slow down
                if error.status_code not in (409, 429) or time.monotonic() > deadline:
                    raise
                time.sleep(self.poll)
        result = started
        while result.status == SimulationsApiResponseStatus.IN_PROGRESS:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the simulation of {words!r} did not finish in {self.timeout} s")
            time.sleep(self.poll)
            result = self.client.get_skill_simulation_v2(self.skill_id, STAGE, started.id)
        return _heard(result, SimulationsApiResponseStatus)


def _heard(result, statuses):
    outcome = result.result
    if result.status == statuses.FAILED:
        message = outcome.error.message if outcome and outcome.error else "no reason given"
        return Heard(f"simulation failed: {message}", None, "", None, False)
    invocations = (outcome.skill_execution_info.invocations or []) if outcome and outcome.skill_execution_info else []
    if not invocations:
        replies = (outcome.alexa_execution_info.alexa_responses or []) if outcome and outcome.alexa_execution_info else []
        caption = " ".join(r.content.caption for r in replies if r.content and r.content.caption)
        return Heard(f"Alexa answered itself: {caption!r}", None, caption, None, False)
    sent = invocations[-1].invocation_request.body or {}
    answer = (invocations[-1].invocation_response.body or {}) if invocations[-1].invocation_response else {}
    request = sent.get("request") or {}
    intent = (request.get("intent") or {}).get("name")
    slots = {name: slot.get("value") for name, slot in ((request.get("intent") or {}).get("slots") or {}).items()
             if slot.get("value")}
    understood = intent or request.get("type", "?")
    if slots:
        understood += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(slots.items())) + ")"
    response = answer.get("response") or {}
    speech = ssml_to_text((response.get("outputSpeech") or {}).get("ssml") or (response.get("outputSpeech") or {}).get("text"))
    ends = response.get("shouldEndSession")
    return Heard(understood, intent, speech, not (ends is True or (ends is None and not response.get("directives"))), True)


# --- replaying the conversations --------------------------------------------------------



@dataclass
class Report:
    counted: int = 0
    matched: int = 0
    lines: list = field(default_factory=list)


def load(paths=None, only=None):
    """(file stem, case) for every conversation, read as tests/test_conversations.py reads them."""
    cases = []
    for path in sorted(paths or CONVERSATIONS.glob("*.yaml")):
        for case in yaml.safe_load(Path(path).read_text()) or []:
            if isinstance(case, dict) and case.get("turns"):
                if not only or only.lower() in f"{Path(path).stem}: {case.get('name', '')}".lower():
                    cases.append((Path(path).stem, case))
    return cases


def invocation_name(locale):
    model = json.loads((MODELS / f"{locale}.json").read_text())
    return model["interactionModel"]["languageModel"]["invocationName"]


def _words(value):
    """YAML reads a bare yes/no as a boolean; the user said the word."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check(step, heard):
    """What did not match, as short phrases (empty: it matched)."""
    misses = []
    speech = heard.speech.lower()
    if not heard.reached_skill:
        return ["the skill was not reached"]
    for text in _listed(step.get("says")):
        if str(text).lower() not in speech:
            misses.append(f"missing {text!r}")
    for text in _listed(step.get("not_says")):
        if str(text).lower() in speech:
            misses.append(f"unexpected {text!r}")
    if step.get("heard") and heard.intent != step["heard"]:
        misses.append(f"expected intent {step['heard']}")
    if "open" in step and heard.open != step["open"]:
        misses.append(f"session should be {'open' if step['open'] else 'closed'}")
    return misses


def _listed(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def forget(simulator, invocation):
    """Start from nothing stored, as each test does: the skill's own "delete my data"."""
    heard = simulator.say(f"ask {invocation} to delete my data", new_session=True)
    if heard.open:
        heard = simulator.say("yes", new_session=False)
    return f"delete my data -> {heard.speech[:80]!r}"


def replay(simulator, cases, invocation, out=print, reset=True):
    report = Report()
    for stem, case in cases:
        counted = not ({"start", "stored"} & case.keys()) and not any(
            "advance" in step for step in case["turns"] if isinstance(step, dict))
        out(f"{stem}: {case.get('name', '(unnamed)')}" + ("" if counted else
            "  [clock or stored record the live skill lacks: reported, not counted]"))
        if reset:
            out(f"  (first: {forget(simulator, invocation)})")
        in_session = False
        for number, step in enumerate(case["turns"], 1):
            if not isinstance(step, dict):
                continue
            if "intent" in step and "user" not in step:
                out(f"  {number}. intent {step['intent']}: skipped (the simulator takes words, not an exact intent)")
                continue
            words = f"open {invocation}" if step.get("launch") else _words(step.get("user", ""))
            new = number == 1 or bool(step.get("launch") or step.get("new_session"))
            if (new or not in_session) and invocation not in words.lower():
                words = f"ask {invocation} {words}"
            heard = simulator.say(words, new_session=new or not in_session)
            in_session = bool(heard.open)
            misses = check(step, heard)
            verdict = "speech matched" if not misses else "MISMATCH: " + "; ".join(misses)
            out(f"  {number}. sent {words!r} -> {heard.understood}: {verdict}")
            if misses:
                out(f"     said: {heard.speech[:300]}")
            if counted:
                report.counted += 1
                report.matched += not misses
    out(f"{report.matched} of {report.counted} counted steps matched")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description="Replay tests/conversations on real Alexa (development stage).")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID") or None)
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--only", help="only conversations whose 'file: name' contains this")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between result polls")
    parser.add_argument("--no-reset", action="store_true", help="do not delete the skill's data before each conversation")
    parser.add_argument("--files", nargs="+", type=Path, help="conversation files (default tests/conversations/*.yaml)")
    args = parser.parse_args(argv)
    credentials = ask_credentials.required("live-test", args.skill_id, EXTRA_SETUP)
    if credentials is None:
        return 2
    from ask_sdk_model_runtime.exceptions import ServiceException
    simulator = Simulator(smapi_client(credentials.access_token), args.skill_id, args.locale, poll=args.poll)
    print(f"replaying on Alexa, skill {args.skill_id}, stage {STAGE}, {args.locale} (credentials: {credentials.source})")
    try:
        report = replay(simulator, load(args.files, args.only), invocation_name(args.locale),
                        reset=not args.no_reset)
    except ServiceException as error:
        if error.status_code in (401, 403):
            print(ask_credentials.setup_text(
                "live-test", f"Alexa refused the credentials or the skill (HTTP {error.status_code}: {error})",
                EXTRA_SETUP), file=sys.stderr)
            return 2
        print(f"the Skill Simulation API failed: HTTP {error.status_code}: {error}", file=sys.stderr)
        return 1
    return 0 if report.matched == report.counted else 1


if __name__ == "__main__":
    sys.exit(main())
