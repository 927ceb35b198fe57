"""Conversations written as data (tests/conversations/*.yaml), played against the real
Lambda handler through devkit's Alexa stand-in.

Each conversation is a list of turns. A turn says something (`user:` words, understood
with the skill's own interaction model like the console does; or `intent:` with `slots:`
for an exact request; or `launch: true`), optionally after `advance: 2d` (the clock moves)
or `new_session: true`, and expects:
  says / not_says   substrings of the speech (case-insensitive)
  heard             the intent the words must resolve to
  open              whether the session stays open (a question was asked)
  reprompt, card    substrings of the reprompt / the card's title and text
  stored            fields of the stored record: a value, or null for "absent";
                    times as ISO strings (episode_start: 2026-11-24T21:00:00Z)
A conversation may set `start:` (the clock, default 2026-11-25T15:00:00Z), `user_id`,
and `stored:` (a record to put in the store before the first turn).

Every response of every conversation is also held to the ear's limits (GUIDE.md, issue
10): at most 60 spoken words unless the user asked for information (a topic, more tips,
help), and the plan after the onset answer at most 50. The first-use disclaimer, which
Alexa policy requires once, is not counted.

Every conversation runs in every locale (`locales:` limits it to some), with that
locale's interaction model when it has one; expectations are written in en-US words and
read in each locale through tests/conversations/locales.yaml (its `911` is en-GB's `999`,
...). In every locale no turn may name another locale's emergency number.
"""

import functools
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from devkit import voice
from devkit.alexa import Caller, Conversation, SlotFill
from devkit.chat import parse_delta
from devkit.nlu import Model, model_path
from tests.locales import LOCALES, foreign_numbers_in

HERE = Path(__file__).parent / "conversations"
WORDING = yaml.safe_load((HERE / "locales.yaml").read_text())
T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)  # a Wednesday afternoon
MAX_WORDS, MAX_PLAN_WORDS = 60, 50
# Requests that ask for information, and the questions a yes to which asks for it.
ASKING_FOR_INFO = {"TopicIntent", "MoreTipsIntent", "AMAZON.HelpIntent"}
OFFERS_OF_INFO = {"more_tips", "topic_offer"}
PLAN_CARD = "your back spasm plan"
LOCALE = Path(__file__).parents[1] / "content" / "locales" / "en-US.json"
DISCLAIMER = json.loads(LOCALE.read_text())["messages"]["disclaimer"]["say"]


@functools.lru_cache(maxsize=None)
def model(locale):
    """The locale's interaction model (en-US's while a locale has none of its own)."""
    return Model(model_path(locale))


def _load():
    cases = []
    for path in sorted(HERE.glob("*.yaml")):
        if path.name == "locales.yaml":
            continue
        for case in yaml.safe_load(path.read_text()):
            for locale in case.get("locales", LOCALES):
                cases.append(pytest.param(case, locale, id=f"{locale} {path.stem}: {case['name']}"))
    return cases


def in_locale(text, locale):
    """An expected string written in en-US words, as `locale` says it."""
    text = str(text).lower()
    for us, local in (WORDING.get(locale) or {}).items():
        text = text.replace(str(us).lower(), str(local).lower())
    return text


def _epoch(value):
    if isinstance(value, str) and value.endswith("Z"):
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    return value


@pytest.mark.parametrize("case, locale", _load())
def test_conversation(case, locale, skill, store):
    caller = Caller(user_id=case.get("user_id", "amzn1.ask.account.CONVERSATION"), locale=locale)
    start = datetime.fromisoformat(case["start"].replace("Z", "+00:00")) if "start" in case else T0
    talk = Conversation(skill, caller, now=start)
    key = hashlib.sha256(caller.user_id.encode()).hexdigest()
    if case.get("stored"):
        store.update(key, {k: _epoch(v) for k, v in case["stored"].items()}, [], None)

    waiting_for = None
    for number, step in enumerate(case["turns"], 1):
        where = f"turn {number} ({_words(step['user']) if 'user' in step else step.get('intent', 'launch')})"
        if "advance" in step:
            talk.now = talk.now + parse_delta(step["advance"])
        if step.get("new_session"):
            voice.fresh_session(talk)
        turn = _send(talk, step, where, model(locale))
        _check(step, turn, store.load(key)[0], where, locale)
        _check_for_the_ear(turn, waiting_for, where)
        waiting_for = _waiting_for(turn)


def _send(talk, step, where, model):
    if step.get("launch"):
        voice.fresh_session(talk)
        return talk.launch()
    if "intent" in step:
        slots = {name: SlotFill(**fill) if isinstance(fill, dict) else fill
                 for name, fill in (step.get("slots") or {}).items()}
        return talk.intent(step["intent"], **slots)
    said = voice.say(talk, model, _words(step["user"]))
    if "heard" in step:
        assert said.heard.intent == step["heard"], f"{where}: understood as {said.heard.describe()}"
    return said.turn


def spoken_words(text):
    return len(re.findall(r"[A-Za-z0-9']+", text))


def _waiting_for(turn):
    pending = ((turn.response or {}).get("sessionAttributes") or {}).get("pending")
    return pending.get("kind") if isinstance(pending, dict) and not turn.ends_session else None


def _check_for_the_ear(turn, waiting_for, where):
    """The ear's limits: one question in an open answer; 60 words, or 50 for the plan after
    the onset; no word limit when the user asked for information."""
    intent = (turn.request.get("request") or {}).get("intent", {}).get("name")
    asked_for_info = intent in ASKING_FOR_INFO or (intent == "AMAZON.YesIntent" and waiting_for in OFFERS_OF_INFO)
    if not turn.ends_session and not turn.directives:
        assert turn.reprompt and turn.speech.count("?") == 1 and turn.speech.endswith("?"), \
            f"{where}: an open answer asks exactly one question, last, and has a reprompt: {turn.speech}"
    count = spoken_words(turn.speech.replace(DISCLAIMER, ""))
    if intent == "OnsetIntent" and turn.card and PLAN_CARD in turn.card[0].lower():
        assert count <= MAX_PLAN_WORDS, f"{where}: the plan is {count} words (at most {MAX_PLAN_WORDS}): {turn.speech}"
    elif not asked_for_info:
        assert count <= MAX_WORDS, f"{where}: {count} words (at most {MAX_WORDS}): {turn.speech}"


def _words(value):
    """YAML reads a bare yes/no as a boolean; the user said the word."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _check(step, turn, record, where, locale):
    speech = turn.speech.lower()
    foreign = foreign_numbers_in(" ".join([turn.speech, turn.reprompt, *(turn.card or ())]), locale)
    assert not foreign, f"{where}: {locale} must not hear {foreign}: {turn.speech}"
    for text in step.get("says", []):
        assert in_locale(text, locale) in speech, f"{where}: expected {in_locale(text, locale)!r} in: {turn.speech}"
    for text in step.get("not_says", []):
        assert in_locale(text, locale) not in speech, f"{where}: did not expect {in_locale(text, locale)!r} in: {turn.speech}"
    if "open" in step:
        assert (not turn.ends_session) == step["open"], f"{where}: session open should be {step['open']}: {turn.speech}"
        if step["open"]:
            assert turn.reprompt, f"{where}: an open session needs a reprompt"
            assert "?" in turn.speech, f"{where}: an open session must ask a question: {turn.speech}"
    if "reprompt" in step:
        assert in_locale(step["reprompt"], locale) in turn.reprompt.lower(), f"{where}: reprompt was {turn.reprompt!r}"
    if "card" in step:
        assert turn.card and in_locale(step["card"], locale) in " ".join(turn.card).lower(), f"{where}: card was {turn.card}"
    for name, expected in (step.get("stored") or {}).items():
        actual = record.get(name)
        assert actual == _epoch(expected), f"{where}: stored {name} is {actual!r}, expected {expected!r}"
