"""`make nlu`: how many phrasings written by strangers the interaction model understands.

    python -m devkit.nlu_eval [--set heldout|dev] [--locale en-US] [--file PATH] [--record]

Reads tests/nlu/<set>-<locale>.yaml (its format: a list `phrases` of {say, intent, slots};
slots by id for the model's own types, by the words said for Alexa's built-in ones),
resolves every phrase through devkit.nlu (virtual-alexa's literal matcher) against the
built model of that locale, and prints per intent how many came out right, per TopicIntent
topic and per SymptomIntent sign, the overall score, and then every failure. A phrase is
right when its intent is and every slot it labels is (a custom slot by its value id, a
built-in one by its trimmed words, in any case).

With --record (or RECORD=1 in the environment) the overall figure is written to
tests/nlu/score-<locale>.json as {"<set>": {"correct": n, "total": m}}; tests/test_nlu.py
fails when the held-out score falls below it.

print_report(rows, out) is shared with the tools that ask another NLU (Alexa's own) for
the same phrases.
"""

import argparse
import datetime
import functools
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from devkit.nlu import Model, js_trim, model_path

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "nlu"
BREAKDOWN = {"TopicIntent": "topic", "SymptomIntent": "sign"}   # per slot value as well
# VirtualAlexa.utter launches the skill on any of these anywhere in a phrase.
VA_LAUNCH_WORDS = re.compile(r"(ask|open|launch|talk to|tell)", re.IGNORECASE | re.ASCII)


def set_path(name, locale):
    return SETS / f"{name}-{locale}.yaml"


def score_path(locale):
    return SETS / f"score-{locale}.json"


def load_phrases(path):
    """The phrases of a set file: [{say, intent, slots}]."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("phrases"), list):
        raise ValueError(f"{path}: expected a mapping with a list `phrases`")
    phrases = []
    for number, entry in enumerate(data["phrases"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("say"), str) or not entry.get("intent"):
            raise ValueError(f"{path}: phrase {number} needs `say` and `intent`: {entry!r}")
        slots = {name: str(value) for name, value in (entry.get("slots") or {}).items()}
        phrases.append({"say": entry["say"], "intent": entry["intent"], "slots": slots})
    return phrases


def _collapse(text):
    return re.sub(r"\s+", " ", text.lower()).strip()


def source_text(paths=None):
    """The model's source (interaction_model/samples/*.yaml) as one text: every string
    in it, without YAML's quoting, lowercased, whitespace collapsed."""
    strings = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            strings.append(node)

    for path in paths or sorted((ROOT / "interaction_model" / "samples").glob("*.yaml")):
        walk(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    return "\n".join(_collapse(text) for text in strings)


def copied_phrases(phrases, text, min_words=4):
    """The phrases of `min_words` words or more that appear word for word in `text`."""
    found = []
    for phrase in phrases:
        said = _collapse(phrase["say"])
        if len(said.split()) >= min_words and re.search(rf"(?<![\w']){re.escape(said)}(?![\w'])", text):
            found.append(phrase["say"])
    return found


def exact_samples(phrases, model):
    """The phrases that are exactly one of the model's (expanded) samples."""
    samples = {_collapse(sample.text) for sample in model.samples}
    return [phrase["say"] for phrase in phrases if _collapse(phrase["say"]) in samples]


def resolve(model, phrase):
    """(intent, {slot: id for custom types, words for built-ins}) as devkit.nlu hears it."""
    found = model.intent_for(phrase)
    matched = model.match(phrase)
    slots = {}
    if matched:
        sample, words = matched
        for name, value in words.items():
            fill = found.slots[name]
            slots[name] = fill.id if fill.custom else value
    return found.intent, slots


def slots_agree(expected, got):
    return all(js_trim(str(got.get(name, ""))).lower() == js_trim(str(value)).lower()
               for name, value in expected.items())


# The phrase sets name slots as the catalogue (NLU-CATALOGUE.md) does; where the model calls
# a slot otherwise, the model's name. DenySignIntent's sign is `denied` in the model, so
# that no code reading a `sign` slot as a red flag can ever take a denial for one.
MODEL_SLOT_NAMES = {("DenySignIntent", "sign"): "denied"}


def _as_model_names(intent, slots):
    return {MODEL_SLOT_NAMES.get((intent, name), name): value for name, value in (slots or {}).items()}


@functools.lru_cache(maxsize=1)
def _content():
    from spasm_coach.content import load
    return load()


SKILL_TODAY = datetime.date(2026, 6, 15)  # any day: only whether words name a time matters
NOON = datetime.datetime.combine(SKILL_TODAY, datetime.time(12), datetime.timezone.utc)


def _request(heard):
    """The HandlerInput of the IntentRequest devkit.alexa would send for what the matcher heard."""
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Intent, IntentConfirmationStatus, IntentRequest
    from devkit.alexa import Conversation
    conversation = Conversation(handler=None)
    intent = Intent(name=heard.intent, slots={name: conversation._slot(name, fill) for name, fill in heard.slots.items()},
                    confirmation_status=IntentConfirmationStatus.NONE)
    envelope = conversation._envelope(IntentRequest(request_id="nlu-eval", locale="en-US", intent=intent, timestamp=NOON))
    return HandlerInput(request_envelope=envelope)


def _said(content, heard):
    """slots.read's Said for what the matcher heard."""
    from spasm_coach.alexa import slots as skill_slots
    return skill_slots.read(_request(heard), content)


def as_the_skill_reads(model, phrase):
    """(intent, slots) as the skill acts on a phrase: what slots.read makes of the request
    the matcher hears (a red flag named or found in the words is that sign, SymptomIntent;
    unplaced words may be a topic question or a spasm report), and an onset whose words
    name no time at all is answered as not understood (FallbackIntent)."""
    from spasm_coach import onset
    content = _content()
    intent, slots = resolve(model, phrase)
    heard = model.intent_for(phrase)
    if heard.intent == "AMAZON.FallbackIntent":
        return intent, slots  # Alexa sends no words with a fallback
    said = _said(content, heard)
    if said.sign:
        return "SymptomIntent", {"sign": said.sign}
    if said.intent == "OnsetIntent":
        if onset.resolve(content, said.onset or {}, NOON) == onset.UNKNOWN:
            return "AMAZON.FallbackIntent", {}
    if said.intent == "DenySignIntent":
        denied = [flag for flag, known in said.facts.items() if known == "no"]
        return said.intent, ({"denied": denied[0]} if denied else {})
    if said.intent == "CheckInIntent" and said.status:
        return said.intent, {"status": said.status}
    if said.intent != intent:
        slots = {name: value for name, value in (("topic", said.topic), ("reminder", said.reminder)) if value}
    elif said.intent == "TopicIntent":
        slots = {**slots, "topic": said.topic} if said.topic else {k: v for k, v in slots.items() if k != "topic"}
    if said.intent == "ReportSpasmIntent":  # its cause and onset as the skill takes them
        slots = {**slots, **{k: v for k, v in (said.onset or {}).items() if v and k not in slots}}
        slots = {**slots, "cause": said.cause} if said.cause else slots
    return said.intent, slots


ONSET_SLOTS = ("date", "time", "duration")


def _onset_agrees(expected, got):
    """As the skill reads an onset: by the date, time and duration its words name
    (spoken_time.scan over the report's free words as well), whatever slot held them."""
    from spasm_coach import spoken_time
    words = lambda slots, names: " ".join(str(slots[n]) for n in names if slots.get(n))
    want = spoken_time.scan(words(expected, ONSET_SLOTS) or ("just now" if expected.get("recent") else ""), SKILL_TODAY)
    have = spoken_time.scan(words(got, ONSET_SLOTS) or words(got, ("detail",)), SKILL_TODAY)
    return bool(want) and want == have


def evaluate(model, phrases, as_skill=False):
    """A row per phrase: what it was heard as (by the matcher alone or, `as_skill`, as the
    skill reads it: an onset by what its words name) against what was meant."""
    rows = []
    for phrase in phrases:
        intent, slots = (as_the_skill_reads if as_skill else resolve)(model, phrase["say"])
        expected = _as_model_names(phrase["intent"], phrase["slots"])
        agree = slots_agree(expected, slots)
        if as_skill and not agree and any(name in expected for name in ONSET_SLOTS):
            rest = {name: value for name, value in expected.items() if name not in ONSET_SLOTS}
            agree = slots_agree(rest, slots) and _onset_agrees(expected, slots)
        ok = intent == phrase["intent"] and agree
        if as_skill and not ok and phrase["intent"] == "ReportSpasmIntent" and intent == "SymptomIntent":
            # a report whose cause is a red flag (a fall, a car crash) is acted on as that flag
            cause = _content().causes.get(expected.get("cause"))
            ok = bool(cause) and slots.get("sign") in cause.yes
        rows.append({"say": phrase["say"], "expected_intent": phrase["intent"], "expected_slots": expected,
                     "got_intent": intent, "got_slots": slots, "ok": ok})
    return rows


def red_flags_caught(model, phrases):
    """Of the phrases that name a red flag (SymptomIntent), how many the skill would act on:
    (as the sign itself, from the words, ruled out, total). A phrase no sample takes still
    reaches the skill as unresolved words (virtual-alexa puts them in a slot), and the skill
    looks for red flags in those (content/rules.json `mentions`, triage.mentioned_flags)
    as slots.words_said gives them: never in a denial's words. "Ruled out" is the worst case: the
    phrase says the sign is there and is heard as a denial of it."""
    from spasm_coach import triage
    from spasm_coach.alexa import slots as skill_slots
    content = _content()
    named = from_words = ruled_out = total = 0
    for phrase in phrases:
        want = phrase["slots"].get("sign")
        if phrase["intent"] != "SymptomIntent" or not want:
            continue
        total += 1
        intent, slots = resolve(model, phrase["say"])
        if intent == "SymptomIntent" and slots.get("sign") == want:
            named += 1
            continue
        if intent == "DenySignIntent" and slots.get("denied") == want:
            ruled_out += 1
            continue
        heard = model.intent_for(phrase["say"])
        if heard.intent == "AMAZON.FallbackIntent":
            continue     # Alexa sends no words with a fallback
        if want in triage.mentioned_flags(content, skill_slots.words_said(_request(heard), content)):
            from_words += 1
    return named, from_words, ruled_out, total


def _line(label, correct, total, width):
    share = f"{100 * correct / total:5.1f}%" if total else "    -"
    return f"  {label:<{width}} {correct:>4}/{total:<4} {share}"


def _slots_text(slots):
    return " ".join(f"{k}={v}" for k, v in slots.items())


def print_report(rows, out=sys.stdout):
    """Per intent, per topic and sign, overall, then every failure as
    `said -> got intent slots (expected intent slots)`. rows: dicts with say,
    expected_intent, expected_slots, got_intent, got_slots, ok."""
    write = lambda text="": print(text, file=out)
    groups = defaultdict(lambda: [0, 0])
    breakdown = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        groups[row["expected_intent"]][1] += 1
        groups[row["expected_intent"]][0] += bool(row["ok"])
        slot = BREAKDOWN.get(row["expected_intent"])
        value = (row.get("expected_slots") or {}).get(slot) if slot else None
        if value is not None:
            breakdown[row["expected_intent"]][value][1] += 1
            breakdown[row["expected_intent"]][value][0] += bool(row["ok"])
    width = max([len(name) for name in groups] + [10]) + 2
    write("per intent:")
    for name in sorted(groups):
        write(_line(name, *groups[name], width))
    for intent, slot in BREAKDOWN.items():
        if breakdown[intent]:
            write(f"per {intent} {slot}:")
            for value in sorted(breakdown[intent]):
                write(_line(value, *breakdown[intent][value], width))
    correct = sum(bool(row["ok"]) for row in rows)
    write(f"overall: {correct}/{len(rows)} ({100 * correct / len(rows) if rows else 0:.1f}%)")
    failures = [row for row in rows if not row["ok"]]
    write(f"failures ({len(failures)}):")
    for row in failures:
        got = f"{row['got_intent']} {_slots_text(row.get('got_slots') or {})}".strip()
        expected = f"{row['expected_intent']} {_slots_text(row.get('expected_slots') or {})}".strip()
        write(f"  {row['say']} -> {got} (expected {expected})")
    return correct


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devkit.nlu_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="heldout", choices=["heldout", "dev"])
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--file", type=Path, help="a set file of your own instead of tests/nlu/<set>-<locale>.yaml")
    parser.add_argument("--record", action="store_true", default=os.environ.get("RECORD", "") not in ("", "0"),
                        help="write the overall figure to tests/nlu/score-<locale>.json (also RECORD=1)")
    parser.add_argument("--skill-failures", action="store_true", default=os.environ.get("SKILL", "") not in ("", "0"),
                        help="also the full report as the skill reads the phrases (also SKILL=1)")
    parser.add_argument("--model", type=Path, help="another model's JSON (say an older one, to compare); "
                        "default the locale's own under interaction_model/skill-package/")
    parser.add_argument("--score-file", type=Path, help="where --record writes (default tests/nlu/score-<locale>.json)")
    args = parser.parse_args(argv)
    path = args.file or set_path(args.set, args.locale)
    if not path.is_file():
        print(f"nlu_eval: {path} does not exist (its format: a list `phrases` of say/intent/slots)", file=sys.stderr)
        return 2
    try:
        phrases = load_phrases(path)
    except (ValueError, yaml.YAMLError) as error:
        print(f"nlu_eval: {error}", file=sys.stderr)
        return 2
    model_file = args.model or model_path(args.locale)
    if args.record and args.model:
        print("nlu_eval: --record keeps the figure of the locale's own model; leave out --model", file=sys.stderr)
        return 2
    model = Model(model_file)
    rows = evaluate(model, phrases)
    print(f"{path.name}: {len(rows)} phrases through virtual-alexa's literal matcher (devkit.nlu), "
          f"model {model_file.name if not args.model else model_file}")
    correct = print_report(rows)
    skill_rows = evaluate(model, phrases, as_skill=True)
    skill_correct = sum(bool(row["ok"]) for row in skill_rows)
    print(f"as the skill reads them (words no sample took read for a red flag, a topic or a spasm "
          f"report, slots.reread; an onset naming no time is not understood): "
          f"{skill_correct}/{len(skill_rows)} ({100 * skill_correct / len(skill_rows) if skill_rows else 0:.1f}%)")
    if args.skill_failures:
        print_report(skill_rows)
    named, from_words, ruled_out, total = red_flags_caught(model, phrases)
    if total:
        print(f"red flags the skill acts on: {named + from_words}/{total} "
              f"({named} heard as the sign, {from_words} found in the words); "
              f"heard as a denial of that very sign: {ruled_out}")
    exact = exact_samples(phrases, model)
    if exact:
        print(f"note: {len(exact)} phrases are exactly a sample of the model")
    launching = sum(bool(VA_LAUNCH_WORDS.search(row["say"])) for row in rows)
    if launching:
        print(f"note: {launching} phrases contain ask/open/launch/tell/talk to: VirtualAlexa.utter() "
              "would send those as a LaunchRequest (or only their words after '... to ')")
    if args.record:
        target = args.score_file or score_path(args.locale)
        recorded = json.loads(target.read_text()) if target.is_file() else {}
        recorded[args.set] = {"correct": correct, "total": len(rows)}
        recorded[f"{args.set}_as_skill"] = {"correct": skill_correct, "total": len(rows)}
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        print(f"recorded {correct}/{len(rows)} in {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
