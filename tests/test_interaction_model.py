"""Checks on the en-US interaction model.

The model is written as a compact YAML source (interaction_model/samples/en-US.yaml) and
expanded by `python -m devkit.build_model` into the ASK JSON the skill ships with. These
tests check that the JSON is current, that it follows Alexa's rules for samples, slots and
invocation names, that it keeps the contract the skill's handlers rely on (intent names,
slot names, value ids), and that the literal matcher of the local test harness
(virtual-alexa) sends each sample and each slot value to the intended intent.

Every test collects offenders and asserts that the list is empty, naming them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devkit import build_model
from spasm_coach import care
from spasm_coach.alexa import handlers
from spasm_coach.content import load as load_content

ROOT = Path(__file__).resolve().parents[1]

MODEL_PATH = build_model.OUTPUT
SOURCE_PATH = build_model.SOURCE

SLOT_REF = re.compile(r"\{([^{}]*)\}")
SLOT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ALLOWED_TEXT = re.compile(r"^[a-z' .]*$")
# A period may only close a spelled-out letter, as in "n. s. a. i. d. s.".
STRAY_PERIOD = re.compile(r"(?:^|[^a-z])[a-z]{2,}\.|(?:^|\s)\.|\.(?=[a-z'])")

REQUIRED_BUILTINS = [
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
]
BUILTIN_ORDER = [
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.HelpIntent",
    "AMAZON.CancelIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
]
BUSY_INTENTS = {
    "ReportSpasmIntent",
    "SymptomIntent",
    "OnsetIntent",
    "IceOrHeatIntent",
    "TopicIntent",
    "CheckInIntent",
}
MIN_SAMPLES = 20
MIN_SAMPLES_BUSY = 40
MAX_SAMPLE_CHARS = 200

# What the skill's handlers rely on: intent -> {slot name: slot type}.
HANDLER_INTENTS = {
    "ReportSpasmIntent": {"detail": "AMAZON.SearchQuery", "cause": "SPASM_CAUSE", "date": "AMAZON.DATE",
                          "time": "AMAZON.TIME", "duration": "AMAZON.DURATION", "recent": "ONSET_RECENT"},
    "SymptomIntent": {"sign": "RED_FLAG_SIGN"},
    "TopicIntent": {"topic": "ADVICE_TOPIC"},
    "CheckInIntent": {"status": "SPASM_STATUS"},
    "IceOrHeatIntent": {},
    "MoreTipsIntent": {},
    "OnsetIntent": {"date": "AMAZON.DATE", "time": "AMAZON.TIME", "duration": "AMAZON.DURATION",
                    "recent": "ONSET_RECENT"},
    "SetReminderIntent": {"reminder": "REMINDER_KIND"},
    "CancelRemindersIntent": {},
    "ListRemindersIntent": {},
    "DeleteDataIntent": {},
    "UnsureIntent": {},
}
# The value ids the skill acts on, taken from where the skill defines them.
_CONTENT = load_content()
VALUE_IDS = {
    "RED_FLAG_SIGN": set(_CONTENT.red_flags),
    "ADVICE_TOPIC": set(_CONTENT.topics),
    "SPASM_STATUS": set(care.STATUSES),
    "SPASM_CAUSE": set(_CONTENT.causes),
    "ONSET_RECENT": {handlers.RECENT_NOW},
    "REMINDER_KIND": set(_CONTENT.reminder_kinds),
}

FORBIDDEN_INVOCATION_WORDS = {"alexa", "amazon", "echo", "skill", "app"}
LAUNCH_WORDS = {"ask", "open", "tell", "launch", "load", "begin", "enable"}


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def language_model() -> dict:
    with open(MODEL_PATH, encoding="utf-8") as handle:
        return json.load(handle)["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model) -> list[dict]:
    return language_model["intents"]


@pytest.fixture(scope="module")
def types(language_model) -> dict[str, dict]:
    return {slot_type["name"]: slot_type for slot_type in language_model.get("types", [])}


def phrases_of(value: dict) -> list[str]:
    return [value["name"]["value"], *value["name"].get("synonyms", [])]


def slot_free(sample: str) -> bool:
    return not SLOT_REF.search(sample)


# --------------------------------------------------------------------------- #
# The generated file
# --------------------------------------------------------------------------- #


def test_generated_json_is_up_to_date():
    expected = build_model.generate(SOURCE_PATH)
    actual = MODEL_PATH.read_text(encoding="utf-8") if MODEL_PATH.exists() else None
    offenders = [] if actual == expected else [str(MODEL_PATH.relative_to(ROOT))]
    assert not offenders, (
        f"stale generated model {offenders}: run `python -m devkit.build_model` from the repo root"
    )


# --------------------------------------------------------------------------- #
# Alexa's rules
# --------------------------------------------------------------------------- #


def test_no_sample_in_two_intents(intents):
    owner: dict[str, str] = {}
    offenders = []
    for intent in intents:
        for sample in intent["samples"]:
            key = norm(sample)
            if key in owner and owner[key] != intent["name"]:
                offenders.append(f"{sample!r} in {owner[key]} and {intent['name']}")
            owner.setdefault(key, intent["name"])
    assert not offenders, f"samples used by more than one intent: {offenders}"


def test_no_duplicate_sample_within_an_intent(intents):
    offenders = []
    for intent in intents:
        seen = set()
        for sample in intent["samples"]:
            if norm(sample) in seen:
                offenders.append(f"{intent['name']}: {sample!r}")
            seen.add(norm(sample))
    assert not offenders, f"repeated samples: {offenders}"


def test_sample_slots_are_declared(intents):
    offenders = []
    for intent in intents:
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            for name in SLOT_REF.findall(sample):
                if name not in declared:
                    offenders.append(f"{intent['name']}: {{{name}}} in {sample!r}")
    assert not offenders, f"slots used in samples but not declared on the intent: {offenders}"


def test_declared_slots_are_used_and_distinct(intents):
    offenders = []
    for intent in intents:
        names = [slot["name"] for slot in intent.get("slots", [])]
        used = {name for sample in intent["samples"] for name in SLOT_REF.findall(sample)}
        offenders += [f"{intent['name']}.{name} declared twice" for name in set(names) if names.count(name) > 1]
        offenders += [f"{intent['name']}.{name} never used in a sample" for name in names if name not in used]
        offenders += [f"{intent['name']}.{name} is not a valid slot name" for name in names if not SLOT_NAME.match(name)]
    assert not offenders, f"slot declaration problems: {offenders}"


def test_slot_types_are_builtin_or_defined(intents, types):
    offenders = [
        f"{intent['name']}.{slot['name']}: {slot['type']}"
        for intent in intents
        for slot in intent.get("slots", [])
        if not slot["type"].startswith("AMAZON.") and slot["type"] not in types
    ]
    assert not offenders, f"slot types neither built-in nor defined in types: {offenders}"


def test_every_defined_type_is_used(intents, types):
    used = {slot["type"] for intent in intents for slot in intent.get("slots", [])}
    offenders = sorted(set(types) - used)
    assert not offenders, f"types defined but not used by any slot: {offenders}"


def test_no_duplicate_slot_values(types):
    offenders = []
    for type_name, slot_type in types.items():
        owner: dict[str, str] = {}
        for value in slot_type["values"]:
            seen_here = set()
            for phrase in phrases_of(value):
                key = norm(phrase)
                if key in seen_here:
                    offenders.append(f"{type_name}.{value['id']}: {phrase!r} twice")
                elif key in owner:
                    offenders.append(f"{type_name}: {phrase!r} in {owner[key]} and {value['id']}")
                seen_here.add(key)
                owner.setdefault(key, value["id"])
    assert not offenders, f"duplicate slot values or synonyms: {offenders}"


def test_value_ids_are_unique(types):
    offenders = []
    for type_name, slot_type in types.items():
        ids = [value["id"] for value in slot_type["values"]]
        offenders += [f"{type_name}.{value_id}" for value_id in sorted(set(ids)) if ids.count(value_id) > 1]
    assert not offenders, f"value ids used twice in a type: {offenders}"


def test_no_phrase_in_two_types(types):
    owner: dict[str, str] = {}
    offenders = []
    for type_name, slot_type in types.items():
        for value in slot_type["values"]:
            for phrase in phrases_of(value):
                key = norm(phrase)
                if key in owner and owner[key] != type_name:
                    offenders.append(f"{phrase!r} in {owner[key]} and {type_name}")
                owner.setdefault(key, type_name)
    assert not offenders, f"slot values shared between types: {offenders}"


def test_no_slot_value_equals_a_sample(intents, types):
    literal = {norm(sample): intent["name"] for intent in intents for sample in intent["samples"] if slot_free(sample)}
    offenders = [
        f"{type_name}.{value['id']} {phrase!r} is a sample of {literal[norm(phrase)]}"
        for type_name, slot_type in types.items()
        for value in slot_type["values"]
        for phrase in phrases_of(value)
        if norm(phrase) in literal
    ]
    assert not offenders, f"slot values that equal another intent's sample: {offenders}"


def test_invocation_name(language_model):
    name = language_model["invocationName"]
    words = name.split()
    offenders = []
    if len(words) < 2:
        offenders.append("fewer than two words")
    if not re.fullmatch(r"[a-z' .]+", name):
        offenders.append("characters other than lowercase letters, spaces, apostrophes, periods")
    if name != " ".join(words):
        offenders.append("stray whitespace")
    offenders += [f"contains {word!r}" for word in words if word in FORBIDDEN_INVOCATION_WORDS]
    offenders += [f"contains launch word {word!r}" for word in words if word in LAUNCH_WORDS]
    assert not offenders, f"invocation name {name!r} breaks the rules: {offenders}"


def test_required_builtins_present(intents):
    names = {intent["name"] for intent in intents}
    offenders = [name for name in REQUIRED_BUILTINS if name not in names]
    assert not offenders, f"required built-in intents missing: {offenders}"


def test_sample_characters(intents):
    offenders = []
    for intent in intents:
        for sample in intent["samples"]:
            text = SLOT_REF.sub(" ", sample)
            bad_slot = [name for name in SLOT_REF.findall(sample) if not SLOT_NAME.match(name)]
            if not ALLOWED_TEXT.match(text) or STRAY_PERIOD.search(text) or bad_slot:
                offenders.append(f"{intent['name']}: {sample!r}")
            elif sample != " ".join(sample.split()):
                offenders.append(f"{intent['name']}: {sample!r} (whitespace)")
    assert not offenders, (
        "samples with digits or characters other than lowercase letters, spaces, apostrophes, "
        f"abbreviation periods and {{slot}} references: {offenders}"
    )


def test_slot_value_characters(types):
    offenders = [
        f"{type_name}.{value['id']}: {phrase!r}"
        for type_name, slot_type in types.items()
        for value in slot_type["values"]
        for phrase in phrases_of(value)
        if not phrase.strip()
        or not ALLOWED_TEXT.match(phrase)
        or STRAY_PERIOD.search(phrase)
        or phrase != " ".join(phrase.split())
    ]
    assert not offenders, f"slot values breaking the sample character rules: {offenders}"


def test_sample_length(intents):
    offenders = [
        f"{intent['name']}: {sample!r} ({len(sample)} chars)"
        for intent in intents
        for sample in intent["samples"]
        if len(sample) > MAX_SAMPLE_CHARS
    ]
    assert not offenders, f"samples over {MAX_SAMPLE_CHARS} characters: {offenders}"


def test_sample_counts(intents):
    offenders = []
    for intent in intents:
        if intent["name"].startswith("AMAZON."):
            continue
        needed = MIN_SAMPLES_BUSY if intent["name"] in BUSY_INTENTS else MIN_SAMPLES
        if len(intent["samples"]) < needed:
            offenders.append(f"{intent['name']}: {len(intent['samples'])} < {needed}")
    assert not offenders, f"custom intents with too few samples: {offenders}"


# --------------------------------------------------------------------------- #
# The contract with the handlers
# --------------------------------------------------------------------------- #


def test_handler_intents_and_slots(intents):
    actual = {intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])} for intent in intents}
    offenders = []
    for name, slots in HANDLER_INTENTS.items():
        if name not in actual:
            offenders.append(f"{name} missing")
        elif actual[name] != slots:
            offenders.append(f"{name} slots {actual[name]} != {slots}")
    offenders += [
        f"{name} is not expected"
        for name in actual
        if not name.startswith("AMAZON.") and name not in HANDLER_INTENTS
    ]
    assert not offenders, f"intents differ from what the handlers use: {offenders}"


def test_value_ids(types):
    offenders = []
    for type_name, expected in VALUE_IDS.items():
        if type_name not in types:
            offenders.append(f"{type_name} missing")
            continue
        ids = {value["id"] for value in types[type_name]["values"]}
        if ids != expected:
            offenders.append(f"{type_name}: missing {sorted(expected - ids)}, unexpected {sorted(ids - expected)}")
    assert not offenders, f"slot value ids differ from what the handlers use: {offenders}"


def test_intent_order(intents):
    names = [intent["name"] for intent in intents]
    offenders = []
    onset = names.index("OnsetIntent") if "OnsetIntent" in names else -1
    for earlier in ("SymptomIntent", "TopicIntent", "CheckInIntent"):
        if earlier in names and onset != -1 and names.index(earlier) > onset:
            offenders.append(f"{earlier} comes after OnsetIntent")
    if onset != -1 and intents[onset]["samples"][:1] != ["{date}"]:
        offenders.append("OnsetIntent's first sample is not '{date}'")
    builtins = [name for name in names if name.startswith("AMAZON.")]
    if builtins != [name for name in BUILTIN_ORDER if name in names] or any(
        name.startswith("AMAZON.") for name in names[: len(names) - len(builtins)]
    ):
        offenders.append(f"built-ins not last in the order {BUILTIN_ORDER}: {builtins}")
    assert not offenders, f"intent order problems: {offenders}"


# --------------------------------------------------------------------------- #
# virtual-alexa's literal matcher (bespoken/virtual-alexa 0.7 with virtual-core 0.1)
# --------------------------------------------------------------------------- #
#
# A re-implementation of how the local test harness turns text into an intent:
#   * it strips some punctuation from the utterance (not apostrophes);
#   * every sample becomes an anchored, case-insensitive regex with each {slot} as (.*)
#     (the words around a slot are trimmed, so "i have {sign}" is "i have(.*)");
#   * a slot value must be the whole utterance, empty, or start/end with a space;
#     custom types accept only a value name or synonym, AMAZON.* types anything;
#   * score = characters matched minus characters inside slots (custom values trimmed);
#     ties go to more custom-typed slots, then to the earlier sample in model order;
#   * samples virtual-alexa adds to built-in intents take part too;
#   * utterances containing ask/open/launch/talk to/tell are launch requests, and
#     "exit" ends the session, so they never reach the matcher.

VA_STRIP = re.compile(r"[!\"¿?|#$%/()=+\-_<>*{}·¡\[\].,;:]")
VA_LAUNCH = re.compile(r"(ask|open|launch|talk to|tell)", re.IGNORECASE)
VA_BUILTIN_SAMPLES = {
    "AMAZON.CancelIntent": ["cancel", "never mind"],
    "AMAZON.HelpIntent": ["help", "help me"],
    "AMAZON.NavigateHomeIntent": ["home", "go home"],
    "AMAZON.NoIntent": ["no", "no thanks"],
    "AMAZON.RepeatIntent": ["repeat", "say that again", "repeat that"],
    "AMAZON.StartOverIntent": ["start over", "restart", "start again"],
    "AMAZON.StopIntent": ["stop", "off", "shut up"],
    "AMAZON.YesIntent": ["yes", "yes please", "sure"],
}

# Real-Alexa synonyms that virtual-alexa can only reach after a carrier word ("yes ...",
# "i have ...", "it's ..."): said on their own, OnsetIntent's "{date} at {time}" and
# "on {date}" win them because their AMAZON.* slots accept any text. Each entry names
# the intent that takes the bare phrase; the test fails if that stops being true, so
# the list cannot go stale.
ONSET_FILLS = {"date": "yesterday", "time": "noon", "duration": "two hours", "recent": "just now"}


def va_reachable(utterance: str) -> bool:
    return utterance != "exit" and not VA_LAUNCH.search(utterance)


class VirtualAlexaMatcher:
    def __init__(self, language_model: dict):
        self.phrases: dict[str, dict[str, list[str]]] = {}
        for slot_type in language_model.get("types", []):
            table: dict[str, list[str]] = {}
            for value in slot_type["values"]:
                for phrase in phrases_of(value):
                    ids = table.setdefault(phrase.lower(), [])
                    if value["id"] not in ids:
                        ids.append(value["id"])
            self.phrases[slot_type["name"].lower()] = table

        self.literal: dict[str, tuple[int, str, str]] = {}
        self.patterns: list[tuple[int, str, str, re.Pattern, list[str], str, dict]] = []
        order = 0
        for intent in language_model["intents"]:
            slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for sample in intent["samples"] + VA_BUILTIN_SAMPLES.get(intent["name"], []):
                regex, names = self._to_regex(sample)
                if not names and "." not in sample:
                    self.literal.setdefault(sample.lower(), (order, intent["name"], sample))
                else:
                    prefix = regex.split("(.*)")[0]
                    prefix = "" if "." in prefix else prefix.lower()
                    self.patterns.append(
                        (order, intent["name"], sample, re.compile(f"^{regex}$", re.IGNORECASE),
                         names, prefix, slot_types)
                    )
                order += 1

    @staticmethod
    def _to_regex(phrase: str) -> tuple[str, list[str]]:
        names = []
        while (start := phrase.find("{")) != -1:
            end = phrase.find("}", start)
            names.append(phrase[start + 1:end])
            phrase = phrase[:start].strip() + "(.*)" + phrase[end + 1:].strip()
        return phrase, names

    def match(self, utterance: str):
        """(intent, {slot: (value, [ids] or None)}, sample) for the winning sample, or None."""
        clean = VA_STRIP.sub("", utterance)
        lower = clean.lower()
        best = None  # ((score, typed, -order), intent, slots, sample)
        if lower in self.literal:
            order, intent, sample = self.literal[lower]
            best = ((len(clean), 0, -order), intent, {}, sample)
        for order, intent, sample, regex, names, prefix, slot_types in self.patterns:
            if prefix and not lower.startswith(prefix):
                continue
            found = regex.match(clean)
            if not found:
                continue
            score, typed, slots = len(clean), 0, {}
            for name, raw in zip(names, found.groups()):
                if raw != clean and raw.strip() and not (raw.startswith(" ") or raw.endswith(" ")):
                    break
                table = self.phrases.get(slot_types[name].lower())
                if table is None:  # AMAZON.* (other than NUMBER): free text, "untyped"
                    score -= len(raw)
                    slots[name] = (raw.strip(), None)
                    continue
                ids = table.get(raw.strip().lower())
                if not ids:
                    break
                score -= len(raw.strip())
                typed += 1
                slots[name] = (raw.strip(), ids)
            else:
                key = (score, typed, -order)
                if best is None or key > best[0]:
                    best = (key, intent, slots, sample)
        return None if best is None else best[1:]


@pytest.fixture(scope="module")
def matcher(language_model) -> VirtualAlexaMatcher:
    return VirtualAlexaMatcher(language_model)


def describe(result) -> str:
    if result is None:
        return "no match"
    intent, slots, sample = result
    filled = {name: (value, ids) for name, (value, ids) in slots.items()}
    return f"{intent} via {sample!r} {filled}"


def test_va_matcher_follows_virtual_alexa_rules():
    model = {
        "intents": [
            {"name": "A", "slots": [{"name": "s", "type": "T"}], "samples": ["{s}", "i have {s}"]},
            {"name": "B", "slots": [{"name": "d", "type": "AMAZON.DATE"}], "samples": ["{d}", "{d} at {d2}"]},
            {"name": "C", "slots": [], "samples": ["i have a cold"]},
        ],
        "types": [{"name": "T", "values": [{"id": "x", "name": {"value": "pain at night", "synonyms": ["flu"]}}]}],
    }
    model["intents"][1]["slots"].append({"name": "d2", "type": "AMAZON.TIME"})
    va = VirtualAlexaMatcher(model)
    offenders = []
    checks = {
        "flu": ("A", "{s}"),  # typed slot beats the free-text one on a tie
        "i have flu": ("A", "i have {s}"),
        "I have a cold!": ("C", "i have a cold"),  # literal, case and punctuation ignored
        "pain at night": ("B", "{d} at {d2}"),  # "at" scores two characters
        "i have pain at night": ("A", "i have {s}"),
        "whatever": ("B", "{d}"),
        "i haveflu": ("B", "{d}"),  # slot text must be separated by a space
    }
    for utterance, expected in checks.items():
        result = va.match(utterance)
        if result is None or (result[0], result[2]) != expected:
            offenders.append(f"{utterance!r}: {describe(result)}, expected {expected}")
    assert not offenders, f"the virtual-alexa stand-in disagrees with virtual-alexa: {offenders}"


def test_va_every_literal_sample_reaches_its_intent(intents, matcher):
    offenders = []
    for intent in intents:
        for sample in intent["samples"]:
            if slot_free(sample) and va_reachable(sample):
                result = matcher.match(sample)
                if result is None or result[0] != intent["name"]:
                    offenders.append(f"{intent['name']} {sample!r} -> {describe(result)}")
    assert not offenders, f"samples virtual-alexa sends elsewhere: {offenders}"


def test_va_every_slot_value_reaches_its_intent_and_id(intents, types, matcher):
    """Each value name and synonym, alone and inside every carrier sample of an intent
    whose slots are all custom-typed, must reach that intent with that value id."""
    offenders = []
    for intent in intents:
        slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        if not slots or any(slot_type not in types for slot_type in slots.values()):
            continue
        for sample in intent["samples"]:
            names = SLOT_REF.findall(sample)
            if len(names) != 1 or not va_reachable(SLOT_REF.sub("", sample)):
                continue
            slot = names[0]
            for value in types[slots[slot]]["values"]:
                for phrase in phrases_of(value):
                    if "." in phrase:  # virtual-alexa strips periods from what is said
                        continue
                    utterance = sample.replace("{" + slot + "}", phrase)
                    if not va_reachable(utterance):
                        continue
                    result = matcher.match(utterance)
                    ok = (
                        result is not None
                        and result[0] == intent["name"]
                        and slot in result[1]
                        and result[1][slot][1] == [value["id"]]
                    )
                    if not ok:
                        offenders.append(f"{utterance!r} ({value['id']}) -> {describe(result)}")
    assert not offenders, (
        f"{len(offenders)} slot utterances virtual-alexa resolves wrongly: {offenders[:60]}"
    )


def test_va_onset_samples_reach_onset(intents, matcher):
    offenders = []
    for intent in intents:
        if intent["name"] != "OnsetIntent":
            continue
        for sample in intent["samples"]:
            utterance = SLOT_REF.sub(lambda found: ONSET_FILLS[found.group(1)], sample)
            result = matcher.match(utterance)
            if result is None or result[0] != "OnsetIntent":
                offenders.append(f"{utterance!r} -> {describe(result)}")
    assert not offenders, f"onset phrases virtual-alexa sends elsewhere: {offenders}"


# --------------------------------------------------------------------------- #
# The generator
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "template, expected",
    [
        ("my back hurts", ["my back hurts"]),
        ("(a|b|c) x", ["a x", "b x", "c x"]),
        ("my [lower ]back", ["my lower back", "my back"]),
        ("[(very|really) ]bad", ["very bad", "really bad", "bad"]),
        ("i ((can't|cannot) move|am stuck)", ["i can't move", "i cannot move", "i am stuck"]),
        ("  spaced   [out ]  text ", ["spaced out text", "spaced text"]),
        ("(a|a|b)", ["a", "b"]),
        ("it started [on ]{date}", ["it started on {date}", "it started {date}"]),
        ("(x|) y", ["x y", "y"]),
    ],
)
def test_template_expansion(template, expected):
    assert build_model.expand(template) == expected


@pytest.mark.parametrize("template", ["(a|b", "a|b", "a)b", "[a", "a]", "[x]", "(a|[b)]"])
def test_template_errors(template):
    with pytest.raises(build_model.ModelSourceError):
        build_model.expand(template)


def test_template_limits():
    too_wide = "(a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j|k)"  # 11,000
    with pytest.raises(build_model.ModelSourceError, match="limit"):
        build_model.expand(too_wide)
    words = "(a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e)"  # 5,000
    assert len(build_model.expand(words)) == 5000
    source = {
        "invocation": "back spasm coach",
        "intents": [{"name": "BigIntent", "samples": [words, "x " + words, "y " + words]}],
    }
    with pytest.raises(build_model.ModelSourceError, match="BigIntent"):
        build_model.build_model(source)


def test_build_model_shape():
    source = {
        "invocation": "back  spasm coach",
        "intents": [
            {"name": "OnsetIntent", "slots": {"date": "AMAZON.DATE"}, "samples": ["{date}", "[on ]{date}"]},
            {"name": "AMAZON.FallbackIntent"},
        ],
        "types": [{"name": "T", "values": {"a": ["apple", "(green|red) apple"], "b": "banana"}}],
    }
    assert build_model.build_model(source) == {
        "interactionModel": {
            "languageModel": {
                "invocationName": "back spasm coach",
                "intents": [
                    {"name": "OnsetIntent", "slots": [{"name": "date", "type": "AMAZON.DATE"}],
                     "samples": ["{date}", "on {date}"]},
                    {"name": "AMAZON.FallbackIntent", "slots": [], "samples": []},
                ],
                "types": [
                    {"name": "T", "values": [
                        {"id": "a", "name": {"value": "apple", "synonyms": ["green apple", "red apple"]}},
                        {"id": "b", "name": {"value": "banana", "synonyms": []}},
                    ]},
                ],
            }
        }
    }
    text = build_model.render(build_model.build_model(source))
    assert text.endswith("}\n") and '\n  "interactionModel": {' in text


def test_cli_check_and_write(tmp_path, capsys):
    source = tmp_path / "model.yaml"
    output = tmp_path / "out" / "model.json"
    source.write_text(
        "invocation: back spasm coach\nintents:\n  - name: ReportSpasmIntent\n    samples: ['my back (hurts|aches)']\n",
        encoding="utf-8",
    )
    paths = ["--source", str(source), "--output", str(output)]
    assert build_model.main(["--check", *paths]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert build_model.main(paths) == 0
    assert json.loads(output.read_text())["interactionModel"]["languageModel"]["intents"][0]["samples"] == [
        "my back hurts", "my back aches"
    ]
    assert build_model.main(["--check", *paths]) == 0
    output.write_text(output.read_text().replace("aches", "burns"), encoding="utf-8")
    assert build_model.main(["--check", *paths]) == 1
    assert "out of date" in capsys.readouterr().err
    source.write_text("invocation: x\nintents:\n  - name: A\n    samples: ['(a|b']\n", encoding="utf-8")
    assert build_model.main(paths) == 2
    assert "missing ')'" in capsys.readouterr().err
