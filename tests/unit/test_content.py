"""content/: the schemas, the load-time checks, and the safety and policy rules for what the
skill says.

Lint tests collect every offender first and then assert the list is empty, so one run names
everything that needs fixing (the style of SigmaHQ/sigma tests/test_rules.py).
"""

import copy
import json
import re
import shutil
import string
from collections import Counter
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest

from spasm_coach import content as content_module
from spasm_coach import schema_check

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
SCHEMA_DIR = CONTENT_DIR / "schema"
Validator = jsonschema.Draft202012Validator


# --- helpers ---------------------------------------------------------------------------

def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_json(path, data):
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


RULES = read_json(CONTENT_DIR / "rules.json")
LOCALE_FILES = sorted((CONTENT_DIR / "locales").glob("*.json"))
LOCALES = {path.stem: read_json(path) for path in LOCALE_FILES}
SCHEMAS = {path.name: read_json(path) for path in sorted(SCHEMA_DIR.glob("*.schema.json"))}
RULES_SCHEMA = SCHEMAS["rules.schema.json"]
LOCALE_SCHEMA = SCHEMAS["locale.schema.json"]


RESOLVED, _ = content_module.resolve(LOCALES)  # each locale with its base's lines


def messages(locale):
    """{message id: text} a locale says (its own lines and those it takes from its base)."""
    return {key: item["say"] for key, item in RESOLVED[locale]["messages"].items()}


def all_messages():
    """(locale, message id, text) for every message in every locale file."""
    return [(locale, key, text) for locale in LOCALES for key, text in messages(locale).items()]


def english_locales():
    """Locales whose wording the English phrase checks apply to."""
    return [locale for locale in LOCALES if locale.startswith("en-")]


def placeholders(text):
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def sentences(text):
    """Split a spoken text into sentences (on . ! ? followed by a space)."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def words(text):
    return text.split()


def has_word(text, word):
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


_CONJUNCTION = re.compile(r"\b(and|or)\b", re.IGNORECASE)


def list_lengths(sentence):
    """How many items each list in `sentence` runs to, counted from its commas.

    A list is a run of comma-separated chunks closed by a chunk that starts with "and" / "or"
    (the serial comma, house style). A sentence without such a chunk may still list
    "X, Y and Z": the first chunk after a comma that holds a bare "and" / "or" closes the
    list and counts as two items. Counting is conservative: a clause before the list counts
    as an item too, and "and"/"or" inside an item ("bladder or bowels") is ignored when the
    sentence uses serial commas. Sentences that trip this wrongly go in LIST_ALLOWED.
    """
    chunks = [chunk.strip() for chunk in sentence.split(",")]
    serial = any(_CONJUNCTION.match(chunk) for chunk in chunks[1:])
    lengths, run = [], 0
    for index, chunk in enumerate(chunks):
        run += 1
        if serial and index > 0 and _CONJUNCTION.match(chunk):
            lengths.append(run)
            run = 0
        elif not serial and index > 0 and _CONJUNCTION.search(chunk):
            lengths.append(run + 1)
            run = 0
    return lengths


def dummy_values():
    """A value for every placeholder a text may use ({number} is filled in by Texts)."""
    return {name: f"<{name}>" for name in content_module.PLACEHOLDERS - {"number"}}


def level_by_id(level_id):
    return next(level for level in RULES["levels"] if level["id"] == level_id)


def emergency_levels():
    return [level for level in RULES["levels"] if level["ends_session"]]


def provider_levels():
    return [level for level in RULES["levels"] if not level["ends_session"]]


def topic_text(content, topic_id, locale="en-US"):
    return content.texts(locale).say(content.topics[topic_id].say, **dummy_values())


def schema_keywords(schema):
    """Every keyword a schema uses, walking into its subschemas (not into property names)."""
    found = set()
    for key, value in schema.items():
        found.add(key)
        if key in ("properties", "$defs"):
            for subschema in value.values():
                found |= schema_keywords(subschema)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            found |= schema_keywords(value)
    return found


def snapshot(content):
    """A plain, comparable picture of a loaded Content (Texts has no __eq__)."""
    picture = {f.name: getattr(content, f.name) for f in fields(content) if f.name != "locales"}
    picture["locales"] = {
        name: (texts.locale, texts.number, list(texts.messages.items()))
        for name, texts in content.locales.items()
    }
    picture["order"] = ([q.id for q in content.triage], list(content.topics), list(content.levels))
    return picture


# --- 1. schemas --------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_a_valid_draft_2020_12_schema(name):
    """The schema files themselves are well-formed Draft 2020-12 schemas."""
    Validator.check_schema(SCHEMAS[name])
    assert SCHEMAS[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_rules_validate_with_jsonschema():
    """rules.json passes the real jsonschema validator."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Validator(RULES_SCHEMA).iter_errors(RULES)]
    assert errors == [], f"rules.json breaks its schema: {errors}"


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_locale_validates_with_jsonschema(locale):
    """Every locales/*.json passes the real jsonschema validator."""
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in Validator(LOCALE_SCHEMA).iter_errors(LOCALES[locale])]
    assert errors == [], f"locales/{locale}.json breaks its schema: {errors}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_uses_only_keywords_schema_check_supports(name):
    """The load-time checker only understands schema_check.SUPPORTED; any other keyword
    would be silently ignored at load time."""
    unsupported = sorted(schema_keywords(SCHEMAS[name]) - schema_check.SUPPORTED)
    assert unsupported == [], f"{name} uses keywords schema_check ignores: {unsupported}"


# --- 2. schema_check agrees with jsonschema -----------------------------------------------

def _set(path, value):
    """A mutation that sets document[path...] = value."""
    def mutate(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return document
    return mutate


def _delete(path):
    def mutate(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return document
    return mutate


def _replace(value):
    return lambda document: value


FIRST_MESSAGE = next(iter(LOCALES["en-US"]["messages"]))

# (name, "rules" | "locale", mutation of a deep copy of the real document)
MUTATIONS = [
    ("rules_not_an_object", "rules", _replace([])),
    ("rules_missing_triage", "rules", _delete(["triage"])),
    ("rules_extra_top_level_key", "rules", _set(["surprise"], {})),
    ("rules_comment_not_string", "rules", _set(["$comment"], 5)),
    ("threshold_value_string", "rules", _set(["thresholds", "ice_window_hours", "value"], "48")),
    ("threshold_value_fraction", "rules", _set(["thresholds", "ice_window_hours", "value"], 48.5)),
    ("threshold_value_boolean", "rules", _set(["thresholds", "long_episode_hours", "value"], True)),
    ("threshold_value_zero", "rules", _set(["thresholds", "long_episode_hours", "value"], 0)),
    ("threshold_missing", "rules", _delete(["thresholds", "long_episode_hours"])),
    ("threshold_missing_source", "rules", _delete(["thresholds", "ice_window_hours", "source"])),
    ("threshold_extra_key", "rules", _set(["thresholds", "ice_window_hours", "unit"], "h")),
    ("part_of_day_above_maximum", "rules", _set(["parts_of_day", "NI"], 37)),
    ("part_of_day_negative", "rules", _set(["parts_of_day", "MO"], -1)),
    ("part_of_day_missing", "rules", _delete(["parts_of_day", "EV"])),
    ("emergency_number_two_digits", "rules", _set(["emergency_numbers", "by_locale", "en-US"], "91")),
    ("emergency_number_four_digits", "rules", _set(["emergency_numbers", "by_locale", "en-GB"], "9999")),
    ("emergency_number_not_digits", "rules", _set(["emergency_numbers", "by_locale", "en-AU"], "OOO")),
    ("emergency_number_integer", "rules", _set(["emergency_numbers", "by_locale", "en-US"], 911)),
    ("emergency_numbers_empty", "rules", _set(["emergency_numbers", "by_locale"], {})),
    ("levels_empty", "rules", _set(["levels"], [])),
    ("level_rank_zero", "rules", _set(["levels", 0, "rank"], 0)),
    ("level_ends_session_string", "rules", _set(["levels", 0, "ends_session"], "yes")),
    ("level_missing_say", "rules", _delete(["levels", 0, "say"])),
    ("red_flag_id_uppercase", "rules", _set(["red_flags", 0, "id"], "Saddle_Numbness")),
    ("red_flag_id_starts_with_digit", "rules", _set(["red_flags", 0, "id"], "1flag")),
    ("red_flag_level_with_space", "rules", _set(["red_flags", 0, "level"], "provider prompt")),
    ("red_flag_about_too_short", "rules", _set(["red_flags", 0, "about"], "ok")),
    ("red_flag_extra_key", "rules", _set(["red_flags", 0, "urgent"], True)),
    ("triage_flags_empty", "rules", _set(["triage", "questions", 0, "flags"], [])),
    ("triage_flag_not_string", "rules", _set(["triage", "questions", 0, "flags", 0], 42)),
    ("red_flag_without_its_own_question", "rules", _delete(["red_flags", 0, "ask"])),
    ("topic_with_referral_string", "rules", _set(["topics", 0, "with_referral"], "true")),
    ("walk_through_empty", "rules", _set(["walk_through"], [])),
    ("walk_through_bad_id", "rules", _set(["walk_through", 0], "Pain Relief")),
    ("sources_empty", "rules", _set(["sources"], {})),
    ("source_missing_where", "rules", _delete(["sources", "seed", "where"])),
    ("locale_bad_pattern", "locale", _set(["locale"], "en_US")),
    ("locale_lowercase_region", "locale", _set(["locale"], "en-us")),
    ("locale_missing_messages", "locale", _delete(["messages"])),
    ("messages_empty", "locale", _set(["messages"], {})),
    ("message_not_an_object", "locale", _set(["messages", FIRST_MESSAGE], "hello")),
    ("message_too_long", "locale", _set(["messages", FIRST_MESSAGE, "say"], "x" * 401)),
    ("message_empty", "locale", _set(["messages", FIRST_MESSAGE, "say"], "")),
    ("message_say_not_string", "locale", _set(["messages", FIRST_MESSAGE, "say"], ["hi"])),
    ("message_missing_source", "locale", _delete(["messages", FIRST_MESSAGE, "source"])),
    ("message_source_bad_id", "locale", _set(["messages", FIRST_MESSAGE, "source"], "NHS Back Pain")),
    ("message_extra_key", "locale", _set(["messages", FIRST_MESSAGE, "ssml"], "<speak/>")),
]


def _both_verdicts(document, schema):
    return bool(schema_check.problems(document, schema)), not Validator(schema).is_valid(document)


@pytest.mark.parametrize("target", ["rules", "locale"])
def test_both_validators_accept_the_real_documents(target):
    """Unmutated rules.json and en-US.json pass both schema_check and jsonschema."""
    document, schema = (RULES, RULES_SCHEMA) if target == "rules" else (LOCALES["en-US"], LOCALE_SCHEMA)
    assert schema_check.problems(document, schema) == []
    assert Validator(schema).is_valid(document)


@pytest.mark.parametrize("name, target, mutate", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_schema_check_rejects_what_jsonschema_rejects(name, target, mutate):
    """schema_check (used at load time) and jsonschema agree on broken documents."""
    original, schema = (RULES, RULES_SCHEMA) if target == "rules" else (LOCALES["en-US"], LOCALE_SCHEMA)
    document = mutate(copy.deepcopy(original))
    ours, theirs = _both_verdicts(document, schema)
    assert theirs, f"mutation {name} should break the schema for jsonschema"
    assert ours, f"schema_check accepts mutation {name}, which jsonschema rejects"


# --- 3. content.load() on broken copies -------------------------------------------------

@pytest.fixture
def content_copy(tmp_path):
    """A throwaway copy of content/ to break."""
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))


def _edit(relative, change):
    """A breakage that edits one JSON file of the copy in place."""
    def breakage(directory):
        data = read_json(directory / relative)
        change(data)
        write_json(directory / relative, data)
    return breakage


def _triage(rules, question_id):
    return next(q for q in rules["triage"]["questions"] if q["id"] == question_id)


def _swap_first_and_last_question(rules):
    questions = rules["triage"]["questions"]
    questions[0], questions[-1] = questions[-1], questions[0]


def _flag(rules, flag_id):
    return next(f for f in rules["red_flags"] if f["id"] == flag_id)


def _add_locale_without_number(directory):
    data = read_json(directory / "locales" / "en-US.json")
    data["locale"] = "en-NZ"
    write_json(directory / "locales" / "en-NZ.json", data)


def _misnamed_locale(directory):
    data = read_json(directory / "locales" / "en-US.json")
    data["locale"] = "en-GB"
    write_json(directory / "locales" / "en-CA.json", data)


def _write_text(relative, text):
    return lambda directory: (directory / relative).write_text(text, encoding="utf-8")


BREAKAGES = [
    ("triage_unknown_red_flag",
     _edit("rules.json", lambda r: _triage(r, "nerves")["flags"].append("hiccups")),
     "triage nerves: unknown red flag 'hiccups'"),
    ("triage_less_urgent_first",
     _edit("rules.json", _swap_first_and_last_question),
     "a question of a higher tier asked after 'pain', which is less urgent"),
    ("triage_same_day_question_before_an_emergency_one",
     _edit("rules.json", lambda r: r["triage"]["questions"].insert(3, r["triage"]["questions"].pop(4))),
     "triage injury: a question of a higher tier asked after 'health', which is less urgent"),
    ("red_flag_never_asked",
     _edit("rules.json", lambda r: _triage(r, "pain")["flags"].remove("night_pain")),
     "red flag night_pain: asked 0 times"),
    ("red_flag_asked_twice",
     _edit("rules.json", lambda r: _triage(r, "legs")["flags"].append("chest_pain")),
     "red flag chest_pain: asked 2 times"),
    ("follow_up_of_a_follow_up",
     _edit("rules.json", lambda r: _flag(r, "weak_immune").update(after="thin_bones_fall")),
     "red flag weak_immune: 'after' must name a sign a question asks about"),
    ("cause_names_an_unknown_sign",
     _edit("rules.json", lambda r: r["triage"]["causes"]["fall"]["yes"].append("broken_leg")),
     "triage.causes.fall: unknown red flag 'broken_leg'"),
    ("message_missing",
     _edit("locales/en-US.json", lambda d: d["messages"].pop("q_severe")),
     "locales/en-US.json: missing message 'q_severe'"),
    ("unknown_placeholder",
     _edit("locales/en-US.json", lambda d: d["messages"]["welcome"].update(say="Hello {name}.")),
     "welcome: unknown placeholder {name}"),
    ("message_unknown_source",
     _edit("locales/en-US.json", lambda d: d["messages"]["welcome"].update(source="wikipedia")),
     "welcome: unknown source 'wikipedia'"),
    ("rules_unknown_source",
     _edit("rules.json", lambda r: r["red_flags"][0].update(source="wikipedia")),
     "red flag saddle_numbness: unknown source 'wikipedia'"),
    ("locale_without_emergency_number", _add_locale_without_number,
     "locales/en-NZ.json: no emergency number"),
    ("locale_name_mismatch", _misnamed_locale,
     "locales/en-CA.json says it is 'en-GB'"),
    ("walk_through_not_a_topic",
     _edit("rules.json", lambda r: r["walk_through"].append("yoga")),
     "walk_through: unknown topic 'yoga'"),
    ("schema_violation_names_locale_file",
     _edit("locales/en-US.json", lambda d: d["messages"]["welcome"].update(say="x" * 401)),
     "locales/en-US.json"),
    ("rules_invalid_json", _write_text("rules.json", '{"thresholds": '), "rules.json"),
    ("locale_invalid_json", _write_text("locales/en-US.json", "{ not json"), "en-US.json"),
]


@pytest.mark.parametrize("name, breakage, expected", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_load_reports_broken_content(content_copy, name, breakage, expected):
    """content.load() refuses broken content and its ContentError names the problem."""
    breakage(content_copy)
    with pytest.raises(content_module.ContentError) as raised:
        content_module.load(content_copy)
    problems = raised.value.problems
    assert any(expected in problem for problem in problems), \
        f"{name}: expected a problem mentioning {expected!r}, got {problems}"


def test_load_accepts_an_unbroken_copy(content_copy):
    """The copy used above loads cleanly, so each breakage is what fails it."""
    assert content_module.load(content_copy).locales


# --- 4. lint over the real content ------------------------------------------------------

def test_red_flag_levels_exist_and_are_spoken_in_every_locale():
    """Every red flag has a known level, and that level's messages exist in every locale."""
    level_ids = {level["id"] for level in RULES["levels"]}
    offenders = [f"red flag {flag['id']}: unknown level {flag['level']!r}"
                 for flag in RULES["red_flags"] if flag["level"] not in level_ids]
    for level in RULES["levels"]:
        for key in ("say", "remind"):
            if key in level:
                offenders += [f"locales/{locale}.json lacks {level[key]!r} (level {level['id']})"
                              for locale in LOCALES if level[key] not in RESOLVED[locale]["messages"]]
    assert offenders == [], f"red flag levels without texts: {offenders}"


def test_emergency_level_says_call_the_number_now():
    """The emergency outcome speaks the local {number} and tells the user to act now."""
    assert emergency_levels(), "no level ends the session: there is no emergency outcome"
    offenders = []
    for level in emergency_levels():
        for locale in LOCALES:
            text = messages(locale).get(level["say"], "")
            if "number" not in placeholders(text):
                offenders.append(f"{locale} {level['say']}: no {{number}}")
            if locale in english_locales() and not has_word(text, "now"):
                offenders.append(f"{locale} {level['say']}: does not say 'now'")
    assert offenders == [], f"emergency messages missing the call to action: {offenders}"


def test_provider_levels_point_to_a_healthcare_provider():
    """Non-emergency outcomes (and their reminders) send the user to a provider or doctor."""
    offenders = []
    for level in provider_levels():
        for key in ("say", "remind"):
            if key not in level:
                continue
            for locale in english_locales():
                text = messages(locale).get(level[key], "").lower()
                if "healthcare provider" not in text and not has_word(text, "doctor"):
                    offenders.append(f"{locale} {level[key]}")
    assert offenders == [], f"provider-level messages that name no provider or doctor: {offenders}"


def _named_sources():
    """(where, source) for every rules item and every message that names a source."""
    named = [(f"thresholds.{key}", item["source"]) for key, item in RULES["thresholds"].items()]
    named.append(("emergency_numbers", RULES["emergency_numbers"]["source"]))
    named += [(f"level {level['id']}", level["source"]) for level in RULES["levels"]]
    named += [(f"red flag {flag['id']}", flag["source"]) for flag in RULES["red_flags"]]
    named += [(f"locales/{locale}.json {key}", item["source"])
              for locale, data in LOCALES.items() for key, item in data["messages"].items()]
    return named


def test_every_item_names_a_known_source():
    """Every rule and every message cites an entry of the `sources` table."""
    offenders = [f"{where}: {source!r}" for where, source in _named_sources()
                 if source not in RULES["sources"]]
    assert offenders == [], f"items citing unknown sources: {offenders}"


@pytest.mark.parametrize("source", ["first-aid-cold-heat", "otc-pain-relief", "nhs-back-pain", "seed"])
def test_key_source_is_used(source):
    """The medical sources in CONTENT-SOURCES.md are actually relied on somewhere."""
    assert source in RULES["sources"], f"source {source!r} is missing from rules.json"
    assert source in {s for _, s in _named_sources()}, f"no rule or message cites {source!r}"


OFFERS_TO_CALL = ["i can call", "shall i call", "should i call", "want me to call", "i'll call",
                  "contact emergency services for you"]


def test_no_message_offers_to_contact_emergency_services():
    """Alexa policy: a skill may tell the user to call, never offer to call or alert for them."""
    offenders = []
    for locale, key, text in all_messages():
        spoken = text.lower().replace("\u2019", "'")
        found = [phrase for phrase in OFFERS_TO_CALL if phrase in spoken]
        found += ["alert"] if re.search(r"\balert", spoken) else []
        offenders += [f"{locale} {key}: {phrase!r}" for phrase in found]
    assert offenders == [], f"messages offering to contact emergency services: {offenders}"


NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                "fifteen|twenty|thirty|forty|fifty|hundred|a couple of|a few|half|half a|several")
DOSE = re.compile(
    rf"(\d+(?:[.,]\d+)?|\b(?:{NUMBER_WORDS}))\s*-?\s*"
    r"(mg|milligrams?|mcg|micrograms?|g|grams?|ml|millilit(?:er|re)s?|tablets?|pills?|capsules?|"
    r"caplets?|doses?|teaspoons?|tablespoons?)\b",
    re.IGNORECASE,
)


def test_no_message_invents_a_dose():
    """The skill never recommends a dose of its own (otc-pain-relief)."""
    offenders = [f"{locale} {key}: {match.group(0)!r}"
                 for locale, key, text in all_messages() for match in DOSE.finditer(text)]
    assert offenders == [], f"messages stating a dose: {offenders}"


def test_pain_relief_defers_to_the_label_and_a_pharmacist(content):
    """Pain relief advice says to follow the label and to ask a pharmacist."""
    offenders = []
    for locale in english_locales():
        text = topic_text(content, "pain_relief", locale).lower()
        offenders += [f"{locale}: no {word!r}" for word in ("label", "pharmacist") if word not in text]
    assert offenders == [], f"pain relief message: {offenders}"


def test_disclaimer_says_not_medical_advice_briefly():
    """Alexa policy: a short spoken line saying the skill is not medical advice."""
    offenders = []
    for locale in english_locales():
        text = messages(locale).get("disclaimer", "")
        if "not medical advice" not in text.lower():
            offenders.append(f"{locale}: does not say 'not medical advice'")
        if len(words(text)) >= 25:
            offenders.append(f"{locale}: {len(words(text))} words (keep it under 25)")
    assert offenders == [], f"disclaimer: {offenders}"


EMERGENCY_NUMBERS = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}


def test_emergency_numbers_match_the_sources(content):
    """The numbers table agrees with CONTENT-SOURCES.md for every supported locale."""
    table = RULES["emergency_numbers"]["by_locale"]
    offenders = [f"{locale}: {table.get(locale)!r}, should be {number!r}"
                 for locale, number in EMERGENCY_NUMBERS.items() if table.get(locale) != number]
    assert offenders == [], f"wrong emergency numbers: {offenders}"
    assert content.emergency_numbers == table


def _number_messages(content):
    english = content.locales[content_module.DEFAULT_LOCALE]
    return [key for key, text in english.messages.items() if "number" in placeholders(text)]


def test_locale_without_texts_speaks_its_own_emergency_number(content_copy):
    """A locale with a number but no texts of its own (here en-NZ, added to a copy) hears
    its own number, never 911."""
    rules = read_json(content_copy / "rules.json")
    rules["emergency_numbers"]["by_locale"]["en-NZ"] = "111"
    write_json(content_copy / "rules.json", rules)
    copied = content_module.load(content_copy)
    assert "en-NZ" not in copied.locales
    texts = copied.texts("en-NZ")
    emergency_say = emergency_levels()[0]["say"]
    assert "111" in texts.say(emergency_say)
    offenders = [key for key in _number_messages(copied)
                 if "111" not in (spoken := texts.say(key, **dummy_values())) or "911" in spoken]
    assert offenders == [], f"en-NZ messages not speaking 111: {offenders}"


def test_unknown_locale_never_hears_911(content):
    """A locale we know nothing about hears "your local emergency number", never 911."""
    texts = content.texts("fr-FR")
    emergency_say = emergency_levels()[0]["say"]
    assert "your local emergency number" in texts.say(emergency_say)
    offenders = [key for key in _number_messages(content)
                 if "911" in (spoken := texts.say(key, **dummy_values()))
                 or "your local emergency number" not in spoken]
    assert offenders == [], f"fr-FR messages with a wrong emergency number: {offenders}"


MAX_SENTENCE_WORDS = 35
MAX_MESSAGE_CHARS = 400
MAX_LIST_ITEMS = 3

# (message id, sentence) -> why it may exceed MAX_LIST_ITEMS by the comma count.
LIST_ALLOWED = {
    ("topic_stress", "Try slow, deep breathing, a few minutes of meditation, or progressive muscle "
                     "relaxation, where you tense each part of your body for a moment and then let it go."):
        "'slow, deep breathing' is one item with two adjectives: the list is three items",
    ("topic_prevention", "To help prevent spasms, keep good posture when you sit, stand and lift."):
        "'To help prevent spasms' introduces the sentence: the list is sit, stand and lift",
    ("topic_pain_relief", "Over-the-counter anti-inflammatory medicines, such as ibuprofen, can ease "
                          "pain and swelling."):
        "'such as ibuprofen' is an aside, not a list item: the list is pain and swelling",
}


def test_sentences_are_short_for_the_ear():
    """Every sentence is at most 35 words and every message at most 400 characters."""
    offenders = []
    for locale, key, text in all_messages():
        if len(text) > MAX_MESSAGE_CHARS:
            offenders.append(f"{locale} {key}: {len(text)} characters")
        offenders += [f"{locale} {key}: {len(words(s))} words in {s!r}"
                      for s in sentences(text) if len(words(s)) > MAX_SENTENCE_WORDS]
    assert offenders == [], f"too long to follow by ear: {offenders}"


def test_no_sentence_lists_more_than_three_items():
    """CONTENT-SOURCES.md: no lists longer than three items in one breath."""
    offenders = []
    for locale, key, text in all_messages():
        for sentence in sentences(text):
            longest = max(list_lengths(sentence), default=0)
            if longest > MAX_LIST_ITEMS and (key, sentence) not in LIST_ALLOWED:
                offenders.append(f"{locale} {key}: {longest} items in {sentence!r}")
    assert offenders == [], f"sentences listing more than {MAX_LIST_ITEMS} items: {offenders}"


def test_list_allow_list_is_not_stale():
    """Every LIST_ALLOWED entry still matches a real sentence (reword it, re-review it)."""
    real = {(key, sentence) for _, key, text in all_messages() for sentence in sentences(text)}
    stale = [entry for entry in LIST_ALLOWED if entry not in real]
    assert stale == [], f"LIST_ALLOWED entries matching no sentence: {stale}"


@pytest.mark.parametrize("sentence, longest", [
    ("Eat foods rich in magnesium, potassium and calcium.", 3),
    ("Is it better, the same, or worse?", 3),
    ("Call for numbness, trouble with your bladder or bowels, weakness in both legs, or chest pain.", 4),
    ("Use ice or heat.", 0),
])
def test_list_lengths_counts_items(sentence, longest):
    """The list counter used by the lint above counts the usual shapes right."""
    assert max(list_lengths(sentence), default=0) == longest


def test_every_placeholder_is_known():
    """A {placeholder} the skill cannot fill would crash mid-conversation."""
    offenders = [f"{locale} {key}: {{{field}}}" for locale, key, text in all_messages()
                 for field in placeholders(text) if field not in content_module.PLACEHOLDERS]
    assert offenders == [], f"unknown placeholders: {offenders}"


def test_every_message_renders(content):
    """texts.say() works for every message id in every locale, leaving no braces behind."""
    offenders = []
    for locale, texts in content.locales.items():
        for key in texts.messages:
            try:
                spoken = texts.say(key, **dummy_values())
            except (KeyError, IndexError, ValueError, TypeError) as error:
                offenders.append(f"{locale} {key}: {error!r}")
                continue
            if "{" in spoken or "}" in spoken:
                offenders.append(f"{locale} {key}: braces left in {spoken!r}")
    assert offenders == [], f"messages that do not render: {offenders}"


def test_thresholds_follow_the_care_rules(content):
    """Ice for the first 48 hours; an episode is long after 72 hours; ice ends first."""
    assert content.ice_window_s == 48 * 3600
    assert content.long_episode_s == 72 * 3600
    assert content.ice_window_s < content.long_episode_s


def _tier(question):
    """A question's tier: the most urgent level a yes to it can lead to."""
    return question.level.rank


def test_triage_asks_every_emergency_question_then_same_day_then_provider(content):
    """The content lint for tier order: no question of a lower tier before one of a higher
    tier, and the first question is about emergency signs."""
    first = content.triage[0]
    assert first.level.ends_session, f"first triage question {first.id!r} is not about emergency signs"
    offenders = [f"{later.id} (tier {_tier(later)}) after {earlier.id} (tier {_tier(earlier)})"
                 for earlier, later in zip(content.triage, content.triage[1:]) if _tier(later) > _tier(earlier)]
    assert offenders == [], f"triage questions out of urgency order: {offenders}"


def test_a_follow_up_is_no_more_urgent_than_the_question_that_leads_to_it(content):
    """Thin bones is asked after a fall: it must not outrank the fall question's tier, or
    it could come after a less urgent question than itself."""
    offenders = [flag.id for flag in content.follow_ups
                 if flag.level.rank > max(_tier(q) for q in content.triage if flag.after in q.flags)]
    assert offenders == [], f"follow-ups more urgent than their question: {offenders}"


def test_every_red_flag_is_asked_exactly_once(content):
    """Each red flag is covered by exactly one triage question, or is a follow-up."""
    asked = Counter(flag for question in content.triage for flag in question.flags)
    asked.update(flag.id for flag in content.follow_ups)
    offenders = [f"{flag}: asked {asked[flag]} times" for flag in content.red_flags if asked[flag] != 1]
    offenders += [f"{flag}: not a red flag" for flag in asked if flag not in content.red_flags]
    assert offenders == [], f"red flags not asked exactly once: {offenders}"


# The red flags of CONTENT-SOURCES.md (nhs-back-pain, nice-red-flags, nhs-aortic-aneurysm),
# by level, and where each comes from.
RED_FLAG_SET = {
    "emergency": {"saddle_numbness", "bladder_bowel", "both_legs", "chest_pain", "pulsing_belly", "serious_accident"},
    "provider_same_day": {"fever", "weight_loss", "night_pain", "past_cancer", "weak_immune", "thin_bones_fall"},
    "provider_prompt": {"one_leg", "significant_injury", "severe_unimproved"},
}


def test_the_red_flag_set_is_complete_with_levels_and_sources(content):
    by_level = {}
    for flag in content.red_flags.values():
        by_level.setdefault(flag.level.id, set()).add(flag.id)
    assert by_level == RED_FLAG_SET
    assert {"nhs-back-pain", "nice-red-flags", "nhs-aortic-aneurysm"} <= set(content.sources)
    assert content.levels["emergency"].rank > content.levels["provider_same_day"].rank \
        > content.levels["provider_prompt"].rank
    assert content.red_flags["thin_bones_fall"].after == "significant_injury"
    assert content.unsure_emergency.id == "provider_same_day"


YES_NO_OPENINGS = ("Do ", "Did ", "Is ", "Are ", "Have ", "Has ", "Could ", "Can ", "Was ")
MAX_QUESTION_WORDS = 30


def _triage_question_texts(content):
    texts = content.locales[content_module.DEFAULT_LOCALE]
    ids = [q.say for q in content.triage] + [flag.ask for flag in content.red_flags.values()]
    return {message_id: texts.say(message_id) for message_id in ids}


def test_each_red_flag_question_is_one_breath_one_question_answerable_with_yes_or_no(content):
    """At most 30 words, a single question, opening the way a yes/no question does."""
    offenders = []
    for message_id, text in _triage_question_texts(content).items():
        if len(words(text)) > MAX_QUESTION_WORDS:
            offenders.append(f"{message_id}: {len(words(text))} words")
        if text.count("?") != 1 or not text.endswith("?"):
            offenders.append(f"{message_id}: not exactly one question")
        if not text.startswith(YES_NO_OPENINGS):
            offenders.append(f"{message_id}: not a yes/no question: {text!r}")
    assert offenders == [], f"red-flag questions hard to answer by ear: {offenders}"


def test_the_no_red_flag_path_is_at_most_six_questions(content):
    """A patient with no red flag answers every question with no: at most six of them."""
    from spasm_coach import triage
    outcome, asked = triage.start(content), 0
    while isinstance(outcome, triage.Ask):
        outcome, asked = triage.answer(content, outcome.state, "no"), asked + 1
    assert isinstance(outcome, triage.Done) and outcome.level is None
    assert asked <= 6


REQUIRED_TOPICS = {"rest", "ice_heat", "stretches", "massage", "diet", "pain_relief",
                   "chiropractic", "stress", "prevention", "see_doctor"}


def test_walk_through_names_only_topics(content):
    """The tips walk-through only offers topics that exist."""
    offenders = [topic for topic in content.walk_through if topic not in content.topics]
    assert offenders == [], f"walk_through entries that are not topics: {offenders}"


def test_topics_cover_the_seed_article(content):
    """Every kind of care the seed article describes has a topic."""
    missing = sorted(REQUIRED_TOPICS - set(content.topics))
    assert missing == [], f"missing topics: {missing}"


TOPIC_MENTIONS = {
    "diet": ["magnesium", "potassium", "calcium"],
    "pain_relief": ["ibuprofen"],
    "stress": ["deep breathing", "meditation", "progressive muscle relaxation"],
    "prevention": ["posture", "core", "warm up"],
}


def test_topics_mention_the_seed_specifics(content):
    """Topic texts keep the concrete advice from the seed article."""
    offenders = []
    for topic, phrases in TOPIC_MENTIONS.items():
        text = topic_text(content, topic).lower()
        offenders += [f"{topic}: no {phrase!r}" for phrase in phrases if phrase not in text]
    assert offenders == [], f"topics missing seed advice: {offenders}"


# --- 5. loading ------------------------------------------------------------------------

def test_load_is_deterministic(content, content_copy):
    """Loading twice, or from a copy elsewhere, gives the same content in the same order."""
    assert snapshot(content_module.load(CONTENT_DIR)) == snapshot(content_module.load(CONTENT_DIR))
    assert snapshot(content_module.load(content_copy)) == snapshot(content)


def test_locale_file_names_match_their_locale_field(content):
    """locales/<name>.json says it is <name>, and is loaded under that name."""
    offenders = [f"{path.name} says {LOCALES[path.stem]['locale']!r}"
                 for path in LOCALE_FILES if LOCALES[path.stem]["locale"] != path.stem]
    assert offenders == [], f"locale files named for another locale: {offenders}"
    assert sorted(content.locales) == sorted(LOCALES)
