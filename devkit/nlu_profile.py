"""`make nlu-profile SKILL_ID=…`: the held-out phrasings (tests/nlu/heldout-en-US.yaml)
understood by Alexa's own NLU, not by our literal matcher, through the Utterance Profiler
API (SMAPI `POST /v1/skills/{skillId}/stages/{stage}/interactionModel/locales/{locale}/
profileNlu`, the call behind `ask smapi profile-nlu` and the console's Utterance
Profiler). It profiles a phrase against the stage's last built model without calling the
skill, so no endpoint needs to be up; the model must have been built in the console (or
deployed) for that stage and locale.

The report is the one `make nlu` prints: per intent, how many phrases resolved correctly;
the overall percentage; then each failure as `said -> got (expected)`. A phrase is
correct when Alexa's selected intent is the expected one and every labelled slot matches:
a custom slot by the id Alexa resolved it to (slots.<name>.resolutions
.resolutionsPerAuthority[0].values[0].value.id), a built-in one (AMAZON.DATE, TIME,
DURATION, ...) by its value, which may be either the words themselves or what they
resolve to ("this morning" is MO). Every phrase is sent on its own, with no
multiTurnToken: the held-out set holds first utterances, not dialogs.

Alexa's old NLU Evaluation tool (annotation sets and nluEvaluations) is deprecated; the
Utterance Profiler is not, so this is what we use.

Credentials are the ASK CLI's (devkit/ask_credentials.py: ASK_ACCESS_TOKEN, or
ASK_REFRESH_TOKEN with ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION, or what `ask
configure` saved). The call itself is plain HTTPS (urllib), so the ASK CLI need not be
installed. ask-smapi-model has the profileNlu call too, but its model of a resolved value
(ResolutionsPerAuthorityValueItems: name and id directly under values[i]) does not nest
them under `value` as Alexa's answers do, so the ids would be lost; the raw JSON is read
instead, and both shapes are accepted.

Exit status: 0 the report is complete; 1 some phrases could not be profiled (each is
listed); 2 not set up (no skill id, no credentials, no phrase file) or Alexa refused the
credentials or the skill (HTTP 401, 403, 404), before or instead of going on. HTTP 429 is
retried with a growing pause (Retry-After when Alexa gives one), as are 5xx answers.

    python -m devkit.nlu_profile --skill-id ID [--locale en-US] [--stage development]
                                 [--set heldout | --set path/to/phrases.yaml]

ASK_SMAPI_SERVER_BASE_URL and ASK_LWA_TOKEN_HOST (as for the ASK CLI) point it at another
SMAPI and Login with Amazon, as the tests do with local stand-ins.
"""

import argparse
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import yaml

from devkit import ask_credentials, nlu
from spasm_coach import spoken_time

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "nlu"
SMAPI = "https://api.amazonalexa.com"
RETRIES = 3            # extra tries after a 429 or 5xx answer
MAX_PAUSE = 30.0       # seconds: the longest wait honoured from Retry-After

SETUP = """\
make nlu-profile: {what}, so nothing was sent to Alexa.
Set up: `npm install -g ask-cli && ask configure` (your Amazon developer account), or export ASK_ACCESS_TOKEN=<LWA access token> (or ASK_REFRESH_TOKEN with ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION).
Then: make nlu-profile SKILL_ID=amzn1.ask.skill.… [LOCALE=en-US] [STAGE=development] (the model built for that stage)"""

_BUILT_IN_RESOLVERS = {
    "AMAZON.DATE": lambda words, today: spoken_time.to_date(words, today),
    "AMAZON.TIME": lambda words, today: spoken_time.to_time(words),
    "AMAZON.DURATION": lambda words, today: spoken_time.to_duration(words),
    "AMAZON.NUMBER": lambda words, today: spoken_time.to_number(words),
}


class Refused(Exception):
    """Alexa will not profile anything for these credentials or this skill: stop."""


class ProfileError(Exception):
    """One phrase could not be profiled; the others may be."""


# --- the API -----------------------------------------------------------------------------

class Profiler:
    """The Utterance Profiler for one skill, stage and locale."""

    def __init__(self, token, skill_id, locale="en-US", stage="development", endpoint=None,
                 backoff=1.0, sleep=time.sleep):
        self.token, self.skill_id, self.locale, self.stage = token, skill_id, locale, stage
        self.endpoint = (endpoint or os.environ.get("ASK_SMAPI_SERVER_BASE_URL") or SMAPI).rstrip("/")
        self.backoff, self.sleep = backoff, sleep

    @property
    def url(self):
        quote = lambda part: urllib.parse.quote(part, safe="")  # noqa: E731
        return (f"{self.endpoint}/v1/skills/{quote(self.skill_id)}/stages/{quote(self.stage)}"
                f"/interactionModel/locales/{quote(self.locale)}/profileNlu")

    def profile(self, utterance, multi_turn_token=None):
        """Alexa's answer for one utterance, as JSON (selectedIntent, consideredIntents, ...)."""
        body = {"utterance": utterance}
        if multi_turn_token:
            body["multiTurnToken"] = multi_turn_token
        data = json.dumps(body).encode()
        for attempt in range(RETRIES + 1):
            request = urllib.request.Request(self.url, data=data, method="POST", headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                "Accept": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                status, message = error.code, _message(error)
                if status in (429,) or status >= 500:
                    if attempt < RETRIES:
                        self.sleep(self._pause(error, attempt))
                        continue
                    tries = RETRIES + 1
                    if status == 429:
                        raise ProfileError(f"HTTP 429, still rate-limited after {tries} tries: {message}") from None
                    raise ProfileError(f"HTTP {status} after {tries} tries: {message}") from None
                if status == 401:
                    raise Refused(f"Alexa refused the access token (HTTP 401: {message}); "
                                  "it may have expired: run `ask configure` again or refresh it") from None
                if status == 403:
                    raise Refused(f"Alexa does not allow this (HTTP 403: {message}); is skill {self.skill_id} "
                                  "in the developer account these credentials belong to?") from None
                if status == 404:
                    raise Refused(f"no {self.locale} model for skill {self.skill_id} at stage {self.stage} "
                                  f"(HTTP 404: {message}); check SKILL_ID, LOCALE and STAGE, "
                                  "and build the model in the console") from None
                raise ProfileError(f"HTTP {status}: {message}") from None
            except (urllib.error.URLError, OSError) as error:
                raise Refused(f"the Utterance Profiler at {self.endpoint} could not be reached ({error})") from None
            except ValueError:
                raise ProfileError("the answer was not JSON") from None
        raise AssertionError("unreachable")

    def _pause(self, error, attempt):
        try:
            return min(MAX_PAUSE, max(0.0, float(error.headers.get("Retry-After"))))
        except (TypeError, ValueError):
            return self.backoff * (2 ** attempt)


def _message(error):
    try:
        body = json.loads(error.read() or b"{}")
        return str(body.get("message") or error.reason)
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


# --- judging an answer -------------------------------------------------------------------

def load_set(name_or_path, locale="en-US"):
    """The phrases of a held-out set: `heldout` is tests/nlu/heldout-<locale>.yaml; a
    path ending in .yaml is read as it is."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = SETS / f"{name_or_path}-{locale}.yaml"
    document = yaml.safe_load(path.read_text()) or {}
    phrases = document.get("phrases") if isinstance(document, dict) else document
    return path, [p for p in phrases or [] if isinstance(p, dict) and p.get("say")]


def slot_types(locale="en-US"):
    """{(intent, slot): slot type} from our interaction model."""
    model = json.loads(nlu.model_path(locale).read_text())["interactionModel"]["languageModel"]
    return {(intent["name"], slot["name"]): slot["type"]
            for intent in model["intents"] for slot in intent.get("slots") or []}


def resolved_id(slot):
    """The id Alexa resolved a custom slot's words to, or None."""
    for authority in ((slot.get("resolutions") or {}).get("resolutionsPerAuthority") or [])[:1]:
        for value in (authority.get("values") or [])[:1]:
            inner = value.get("value") if isinstance(value.get("value"), dict) else value
            return inner.get("id")
    return None


def judge(phrase, answer, types, today=None):
    """A report row for one phrase and Alexa's answer."""
    today = today or datetime.date.today()
    expected_intent = phrase.get("intent")
    expected_slots = {name: str(value) for name, value in (phrase.get("slots") or {}).items()}
    selected = (answer or {}).get("selectedIntent") or {}
    got_intent = selected.get("name")
    alexa_slots = selected.get("slots") or {}
    got_slots, ok = {}, got_intent == expected_intent
    for name, expected in expected_slots.items():
        slot = alexa_slots.get(name) or {}
        kind = types.get((expected_intent, name), "")
        if kind.startswith("AMAZON."):
            got = slot.get("value")
            resolve = _BUILT_IN_RESOLVERS.get(kind)
            wanted = {expected.lower()} | ({resolve(expected, today)} - {None} if resolve else set())
            matched = got is not None and (str(got).lower() in wanted or str(got) in wanted)
        else:
            got = resolved_id(slot)
            matched = got is not None and got == expected
        got_slots[name] = got
        ok = ok and matched
    return {"say": phrase["say"], "expected_intent": expected_intent, "expected_slots": expected_slots,
            "got_intent": got_intent, "got_slots": got_slots, "ok": ok}


# --- the report --------------------------------------------------------------------------

def _described(intent, slots):
    text = intent or "(no intent)"
    if slots:
        text += " {" + ", ".join(f"{k}: {'-' if v is None else v}" for k, v in sorted(slots.items())) + "}"
    return text


def print_report(rows, out=None):
    """Per intent correct/total, the overall percentage, then the failures as
    `said -> got (expected)`. rows: dicts {say, expected_intent, expected_slots, got_intent,
    got_slots, ok} (and `error` for a phrase that could not be profiled). Returns the
    overall percentage. out: a text stream (default sys.stdout)."""
    out = out or sys.stdout
    totals, correct = Counter(), Counter()
    for row in rows:
        totals[row["expected_intent"]] += 1
        correct[row["expected_intent"]] += bool(row["ok"])
    width = max((len(str(intent)) for intent in totals), default=0)
    for intent in sorted(totals, key=str):
        print(f"  {str(intent):<{width}}  {correct[intent]}/{totals[intent]}", file=out)
    right, total = sum(correct.values()), sum(totals.values())
    percent = 100.0 * right / total if total else 0.0
    print(f"overall: {right}/{total} correct ({percent:.1f}%)", file=out)
    failures = [row for row in rows if not row["ok"]]
    if failures:
        print(f"failures ({len(failures)}):", file=out)
        for row in failures:
            got = f"[{row['error']}]" if row.get("error") else _described(row["got_intent"], row["got_slots"])
            print(f"  {row['say']} -> {got} ({_described(row['expected_intent'], row['expected_slots'])})",
                  file=out)
    return percent


def run(profiler, phrases, types, out=None, today=None):
    """Every phrase through the profiler; the report rows."""
    out = out or sys.stdout
    rows = []
    for phrase in phrases:
        try:
            row = judge(phrase, profiler.profile(phrase["say"]), types, today)
        except ProfileError as error:
            row = judge(phrase, {}, types, today)
            row["error"] = str(error)
            print(f"  could not profile {phrase['say']!r}: {error}", file=out)
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="The held-out phrasings through Alexa's Utterance Profiler.")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID") or None)
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--stage", default="development", help="development or live")
    parser.add_argument("--set", default="heldout", help="heldout (tests/nlu/heldout-<locale>.yaml) or a .yaml path")
    parser.add_argument("--backoff", type=float, default=1.0, help="seconds before the first retry after HTTP 429/5xx")
    args = parser.parse_args(argv)

    try:
        if not args.skill_id:
            raise ask_credentials.SetupNeeded("no skill id given (SKILL_ID)")
        credentials = ask_credentials.find(args.skill_id)
    except ask_credentials.SetupNeeded as missing:
        print(SETUP.format(what=missing), file=sys.stderr)
        return 2
    try:
        path, phrases = load_set(args.set, args.locale)
    except FileNotFoundError as error:
        print(f"make nlu-profile: no phrase set at {error.filename}, so nothing was sent to Alexa.", file=sys.stderr)
        return 2
    except (OSError, yaml.YAMLError) as error:
        print(f"make nlu-profile: the phrase set could not be read ({error}), so nothing was sent to Alexa.",
              file=sys.stderr)
        return 2

    profiler = Profiler(credentials.access_token, args.skill_id, args.locale, args.stage, backoff=args.backoff)
    print(f"{len(phrases)} phrases of {path.name} through Alexa's Utterance Profiler: skill {args.skill_id}, "
          f"stage {args.stage}, {args.locale} (credentials: {credentials.source})")
    try:
        rows = run(profiler, phrases, slot_types(args.locale))
    except Refused as error:
        print(f"make nlu-profile stopped: {error}", file=sys.stderr)
        return 2
    print_report(rows)
    return 1 if any(row.get("error") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
