"""Checks on the en-US interaction model.

The model is written as a compact YAML source (interaction_model/samples/en-US.yaml) and
expanded by `python -m devkit.build_model` into the ASK JSON the skill ships with. These
tests check that the JSON is current, that it follows Alexa's rules for samples, slots and
invocation names, that it keeps the contract the skill's handlers rely on (intent names,
slot names, value ids), and that the literal matcher of the local test harness
(virtual-alexa, as devkit/nlu.py reproduces it) sends each sample and each slot value to the
intended intent.

Every test collects offenders and asserts that the list is empty, naming them. The model has
tens of thousands of samples and slot values, so the matcher tests try a fixed, seeded
selection of slot values in each carrier sample rather than every value in every sample
(see `value_plan`); the selection is the same on every run.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from devkit import build_model, nlu_eval
from devkit.nlu import Model
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

# What the skill's handlers rely on: intent -> {slot name: slot type}, the slots that
# spasm_coach/alexa/slots.py reads (DenySignIntent's `denied` is read by the dialog's
# denial support).
HANDLER_INTENTS = {
    "ReportSpasmIntent": {"detail": "AMAZON.SearchQuery", "cause": "SPASM_CAUSE", "date": "AMAZON.DATE",
                          "time": "AMAZON.TIME", "duration": "AMAZON.DURATION", "recent": "ONSET_RECENT"},
    "SymptomIntent": {"sign": "RED_FLAG_SIGN"},
    "DenySignIntent": {"denied": "DENIED_SIGN"},
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
# Phrase carriers: slots that only let one sample stand for many phrasings ("{lead} tell me
# about {topic}", "my back {complaint}"). No handler reads them (an unmatched value still
# reaches slots.free_text, as any slot's words do). name -> (type, the intents that may have it).
CARRIER_SLOTS = {
    "lead": ("FILLER", {"TopicIntent", "IceOrHeatIntent", "MoreTipsIntent", "SetReminderIntent",
                        "CancelRemindersIntent", "ListRemindersIntent", "DeleteDataIntent"}),
    "complaint": ("BACK_COMPLAINT", {"ReportSpasmIntent"}),
    "ailment": ("AILMENT", {"TopicIntent", "MoreTipsIntent"}),
    "choice": ("ICE_OR_HEAT", {"IceOrHeatIntent"}),
    "heat": ("HEAT_THING", {"IceOrHeatIntent"}),
    "ice": ("ICE_THING", {"IceOrHeatIntent"}),
    "reminders": ("REMINDER_THINGS", {"CancelRemindersIntent", "ListRemindersIntent"}),
    "data": ("MY_DATA", {"DeleteDataIntent"}),
}
# Filler words said before a request ("yes", "okay", "um"): their slot never makes up a
# sample on its own (test_filler_never_stands_alone), so a filler value that is also a
# sample of another intent cannot take that sample's phrase away from it.
FILLER_SLOTS = {"lead"}
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

# How many slot values the matcher tests try (a fixed seed: the same values every run).
SEED = 11
CARRIERS_PER_INTENT = 160   # carrier samples of one intent tried (its first and last always)
FEATURED_PER_TYPE = 24      # values of a slot type tried in carriers: first, last, each id's name,
MULTI_WORD_PER_TYPE = 8     #   this many multi-word ones, the rest drawn at random
VALUES_PER_SAMPLE = 2       # utterances made from one carrier sample
ONSET_SAMPLES = 1200        # OnsetIntent samples tried with ONSET_FILLS (first and last always)

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


def bare_slot_intents(intents) -> dict[str, set[str]]:
    """Slot type -> the intents with a sample that is that type's slot alone ("{sign}")."""
    found: dict[str, set[str]] = {}
    for intent in intents:
        kinds = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            bare = re.fullmatch(r"\s*\{(\w+)\}\s*", sample)
            if bare and bare.group(1) in kinds:
                found.setdefault(kinds[bare.group(1)], set()).add(intent["name"])
    return found


def test_no_phrase_in_two_types(intents, types):
    """A phrase may stand in two types when the words around it tell them apart ("a car
    crash" is a cause in "I hurt my back in a car crash" and a sign in "{sign}"); said
    alone, it must not be readable as two intents: no phrase is in two types that each
    make up a whole sample of different intents."""
    alone = bare_slot_intents(intents)
    owner: dict[str, str] = {}
    offenders = []
    for type_name, slot_type in types.items():
        for value in slot_type["values"]:
            for phrase in phrases_of(value):
                key = norm(phrase)
                other = owner.setdefault(key, type_name)
                if other != type_name and alone.get(other) and alone.get(type_name) \
                        and alone[other] != alone[type_name]:
                    offenders.append(f"{phrase!r} in {other} and {type_name}")
    assert not offenders, f"phrases that alone could be two intents: {offenders}"


def filler_types(intents) -> set[str]:
    return {slot["type"] for intent in intents for slot in intent.get("slots", []) if slot["name"] in FILLER_SLOTS}


def test_no_slot_value_equals_a_sample(intents, types, matcher):
    """A slot value that is also a literal sample of another intent leaves Alexa two readings
    of that phrase. Two kinds of collision cannot change the intent, and are allowed as long
    as the matcher still sends the phrase, said alone, to the sample's intent:
    * the sample's own intent has a slot of the value's type (either reading is that intent);
    * the value is a filler ("yes", "okay", "um" of {lead}): a filler slot never makes up a
      sample alone (test_filler_never_stands_alone) and a slot is never empty, so the phrase
      said alone can only be read as the literal sample."""
    literal = {norm(sample): intent["name"] for intent in intents for sample in intent["samples"] if slot_free(sample)}
    uses = {intent["name"]: {slot["type"] for slot in intent.get("slots", [])} for intent in intents}
    fillers = filler_types(intents)
    offenders = []
    for type_name, slot_type in types.items():
        for value in slot_type["values"]:
            for phrase in phrases_of(value):
                owner = literal.get(norm(phrase))
                if owner is None:
                    continue
                if type_name not in uses[owner] and type_name not in fillers:
                    offenders.append(f"{type_name}.{value['id']} {phrase!r} is a sample of {owner}")
                    continue
                heard = matcher.intent_for(phrase)
                if heard.intent != owner:
                    offenders.append(f"{type_name}.{value['id']} {phrase!r} is a sample of {owner} "
                                     f"but reaches {describe(heard)}")
    assert not offenders, f"slot values that equal another intent's sample: {offenders}"


def test_filler_never_stands_alone(intents):
    """What lets a filler value equal a sample (above): every sample with a filler slot has
    words or another slot besides it."""
    offenders = []
    for intent in intents:
        for sample in intent["samples"]:
            names = SLOT_REF.findall(sample)
            if not any(name in FILLER_SLOTS for name in names):
                continue
            rest = [name for name in names if name not in FILLER_SLOTS]
            if not rest and not SLOT_REF.sub(" ", sample).strip():
                offenders.append(f"{intent['name']}: {sample!r}")
    assert not offenders, f"samples that are a filler slot alone: {offenders}"


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
    """Each custom intent has exactly the slots the handlers read, plus phrase carriers
    (CARRIER_SLOTS) of their own type where the carrier is expected."""
    actual = {intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])} for intent in intents}
    offenders = []
    for name, slots in HANDLER_INTENTS.items():
        if name not in actual:
            offenders.append(f"{name} missing")
            continue
        read = {slot: kind for slot, kind in actual[name].items() if slot not in CARRIER_SLOTS}
        if read != slots:
            offenders.append(f"{name} slots {read} != {slots}")
        for slot, kind in actual[name].items():
            if slot in CARRIER_SLOTS and (CARRIER_SLOTS[slot][0] != kind or name not in CARRIER_SLOTS[slot][1]):
                offenders.append(f"{name}.{slot} ({kind}) is not an expected carrier")
    offenders += [
        f"{name} is not expected"
        for name in actual
        if not name.startswith("AMAZON.") and name not in HANDLER_INTENTS
    ]
    assert not offenders, f"intents differ from what the handlers use: {offenders}"


def test_handlers_read_no_carrier_slot():
    """The carriers carry no meaning: slots.py, which reads every slot it uses by name, names none."""
    source = (ROOT / "lambda" / "spasm_coach" / "alexa" / "slots.py").read_text(encoding="utf-8")
    offenders = [name for name in CARRIER_SLOTS if re.search(rf"[\"']{name}[\"']", source)]
    assert not offenders, f"carrier slots that the handlers read: {offenders}"


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
# virtual-alexa's literal matcher (bespoken/virtual-alexa 0.7.8 with virtual-core)
# --------------------------------------------------------------------------- #
#
# How the local test harness turns text into an intent, as devkit/nlu.py reproduces it
# (tests/test_nlu.py holds that port to virtual-alexa itself, run on node):
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

VA_LAUNCH = nlu_eval.VA_LAUNCH_WORDS   # the words virtual-alexa launches on, kept in one place

# Real-Alexa synonyms that virtual-alexa can only reach after a carrier word ("yes ...",
# "i have ...", "it's ..."): said on their own, OnsetIntent's "{date} at {time}" and
# "on {date}" win them because their AMAZON.* slots accept any text. Each entry names
# the intent that takes the bare phrase; the test fails if that stops being true, so
# the list cannot go stale.
ONSET_FILLS = {"date": "yesterday", "time": "noon", "duration": "two hours", "recent": "just now"}


def va_reachable(utterance: str) -> bool:
    return utterance != "exit" and not VA_LAUNCH.search(utterance)


@pytest.fixture(scope="module")
def matcher() -> Model:
    return Model(MODEL_PATH)


def describe(heard) -> str:
    if heard.sample is None:
        return "no match"
    filled = {name: (fill.value, fill.id) if fill.custom else fill.value for name, fill in heard.slots.items()}
    return f"{heard.intent} via {heard.sample!r} {filled}"


def spread(items: list, count: int, rng: random.Random) -> list:
    """At most `count` of `items`, in their order: the first, the last, the rest at random."""
    if len(items) <= count:
        return list(items)
    middle = sorted(rng.sample(range(1, len(items) - 1), count - 2))
    return [items[0], *(items[i] for i in middle), items[-1]]


def featured_values(slot_type: dict, rng: random.Random) -> list[tuple[str, str]]:
    """(phrase, id) of a type to try in carrier samples: its first and last phrase, each
    value's name, MULTI_WORD_PER_TYPE multi-word phrases and random others, FEATURED_PER_TYPE
    in all. Phrases with a period are left out: virtual-alexa strips periods from what is said."""
    every = [(phrase, value["id"]) for value in slot_type["values"] for phrase in phrases_of(value)
             if "." not in phrase]
    chosen = [every[0], every[-1]]
    chosen += [(value["name"]["value"], value["id"]) for value in slot_type["values"]
               if "." not in value["name"]["value"]]
    multi = [item for item in every if " " in item[0]]
    chosen += rng.sample(multi, min(MULTI_WORD_PER_TYPE, len(multi)))
    rest = [item for item in every if item not in chosen]
    chosen += rng.sample(rest, max(0, min(FEATURED_PER_TYPE - len(chosen), len(rest))))
    return list(dict.fromkeys(chosen))


def value_plan(intents: list[dict], types: dict[str, dict]) -> list[tuple[str, str, dict[str, tuple[str, str]]]]:
    """(intent, utterance, {slot: (phrase, id)}): the carrier samples of each intent whose
    slots are all of custom types (an AMAZON.* slot of the intent would take any words, so
    those intents are left out, as ONSET_FILLS explains), at most CARRIERS_PER_INTENT of
    them an intent, its first and last among them, each
    filled VALUES_PER_SAMPLE times with featured values of its slots' types, taken in turn so
    that every featured value lands in several carriers. Seeded: the same plan every run."""
    rng = random.Random(SEED)
    featured = {name: featured_values(slot_type, rng) for name, slot_type in sorted(types.items())}
    turn = {name: 0 for name in featured}
    plan = []
    for intent in intents:
        slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        if not slots or any(slot_type not in types for slot_type in slots.values()):
            continue
        carriers = [sample for sample in intent["samples"]
                    if SLOT_REF.search(sample) and va_reachable(SLOT_REF.sub("", sample))]
        for sample in spread(carriers, CARRIERS_PER_INTENT, rng):
            for _ in range(VALUES_PER_SAMPLE):
                filled = {}
                for name in SLOT_REF.findall(sample):
                    kind = slots[name]
                    filled[name] = featured[kind][turn[kind] % len(featured[kind])]
                    turn[kind] += 1
                utterance = SLOT_REF.sub(lambda found: filled[found.group(1)][0], sample)
                if va_reachable(utterance):
                    plan.append((intent["name"], utterance, filled))
    return plan


def test_va_matcher_follows_virtual_alexa_rules(tmp_path):
    model = {
        "invocationName": "rules test",
        "intents": [
            {"name": "A", "slots": [{"name": "s", "type": "T"}], "samples": ["{s}", "i have {s}"]},
            {"name": "B", "slots": [{"name": "d", "type": "AMAZON.DATE"}, {"name": "d2", "type": "AMAZON.TIME"}],
             "samples": ["{d}", "{d} at {d2}"]},
            {"name": "C", "slots": [], "samples": ["i have a cold"]},
        ],
        "types": [{"name": "T", "values": [{"id": "x", "name": {"value": "pain at night", "synonyms": ["flu"]}}]}],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"interactionModel": {"languageModel": model}}), encoding="utf-8")
    va = Model(path)
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
        heard = va.intent_for(utterance)
        if (heard.intent, heard.sample) != expected:
            offenders.append(f"{utterance!r}: {describe(heard)}, expected {expected}")
    assert not offenders, f"the matcher disagrees with virtual-alexa's rules: {offenders}"


def test_va_every_literal_sample_reaches_its_intent(intents, matcher):
    offenders = []
    for intent in intents:
        for sample in intent["samples"]:
            if slot_free(sample) and va_reachable(sample):
                heard = matcher.intent_for(sample)
                if heard.intent != intent["name"]:
                    offenders.append(f"{intent['name']} {sample!r} -> {describe(heard)}")
    assert not offenders, f"{len(offenders)} samples virtual-alexa sends elsewhere: {offenders[:60]}"


def test_va_value_plan_covers_every_carrier_intent_and_type(intents, types):
    """The sampled plan below still reaches every intent whose slots are all custom-typed,
    each of their slot types, every value id of those types that the handlers act on, and
    multi-word values."""
    plan = value_plan(intents, types)
    slots_of = {intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])} for intent in intents}
    planned_intents = {intent for intent, _, _ in plan}
    planned = {(slots_of[intent][name], value_id) for intent, _, filled in plan for name, (_, value_id) in filled.items()}
    custom_only = [name for name, slots in slots_of.items() if slots and all(kind in types for kind in slots.values())]
    offenders = [f"intent {name}" for name in custom_only if name not in planned_intents]
    used_types = {kind for kind, _ in planned}
    offenders += [f"type {kind}" for name in custom_only for kind in slots_of[name].values() if kind not in used_types]
    offenders += [f"{name}.{value_id}" for name, ids in VALUE_IDS.items() if name in used_types
                  for value_id in sorted(ids) if (name, value_id) not in planned]
    if not any(" " in phrase for _, _, filled in plan for phrase, _ in filled.values()):
        offenders.append("no multi-word value")
    assert not offenders, f"the value plan leaves out: {offenders}"


def test_va_every_slot_value_reaches_its_intent_and_id(intents, types, matcher):
    """Values of each custom slot type, alone and inside the carrier samples of an intent
    whose slots are all custom-typed (a seeded selection: value_plan), reach that intent and,
    in the slots the handlers read, those value ids. A phrase carrier (CARRIER_SLOTS) means
    nothing to the handlers, so only the intent counts for it: "what can i do for my back"
    may be MoreTipsIntent's literal sample rather than "what can i do for {ailment}"."""
    offenders = []
    for intent, utterance, filled in value_plan(intents, types):
        heard = matcher.intent_for(utterance)
        ok = heard.intent == intent and all(
            name in heard.slots and heard.slots[name].id == value_id
            for name, (_, value_id) in filled.items() if name not in CARRIER_SLOTS
        )
        if not ok:
            ids = {name: value_id for name, (_, value_id) in filled.items()}
            offenders.append(f"{utterance!r} ({intent} {ids}) -> {describe(heard)}")
    assert not offenders, (
        f"{len(offenders)} slot utterances virtual-alexa resolves wrongly: {offenders[:60]}"
    )


def test_va_onset_samples_reach_onset(intents, matcher):
    """OnsetIntent's samples (ONSET_SAMPLES of them, first and last among them), their slots
    filled with ONSET_FILLS, reach OnsetIntent."""
    rng = random.Random(SEED)
    offenders = []
    for intent in intents:
        if intent["name"] != "OnsetIntent":
            continue
        for sample in spread(intent["samples"], ONSET_SAMPLES, rng):
            utterance = SLOT_REF.sub(lambda found: ONSET_FILLS[found.group(1)], sample)
            heard = matcher.intent_for(utterance)
            if heard.intent != "OnsetIntent":
                offenders.append(f"{utterance!r} -> {describe(heard)}")
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


def test_a_no_before_a_sign_said_as_a_sentence_is_never_a_denial(types, matcher):
    """ "No, I can't feel my legs" says the sign is there. A denial names a sign
    (DENIED_SIGN: "no chest pain"); a sentence saying it is there, with "no" or "nope"
    before it, must never be heard as ruling that sign out."""
    rng = random.Random(7)
    sentences = [phrase for value in types["RED_FLAG_SIGN"]["values"] for phrase in phrases_of(value)
                 if phrase.split()[0] in {"i", "i've", "i'm", "my", "it", "it's", "there's"}]
    assert len(sentences) > 100
    wrong = []
    for phrase in rng.sample(sentences, 400):
        for lead in ("no", "nope", "i don't think so"):
            heard = matcher.intent_for(f"{lead} {phrase}")
            if heard.intent == "DenySignIntent":
                wrong.append(f"{lead} {phrase}")
    assert not wrong, f"heard as denials: {wrong[:10]}"
