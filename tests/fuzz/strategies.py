"""Hypothesis strategies for Alexa request envelopes, as the plain JSON dicts Alexa sends.

Everything intent-shaped comes from the interaction model file (intents, their slots,
the custom slot types and their values, ids and synonyms): add an intent or a slot value
there and it is fuzzed here without touching this file. devkit/alexa.py is the reference
for the envelope's shape.

A generated case is a `Case`: the envelope, the user's stored record to start from (None:
no record), and whether it is `realistic`: shaped the way Alexa sends it, at a plausible
time, with a record the skill could have written (session attributes may still be junk:
the skill promises to survive those). Other cases are deliberately broken (missing parts,
wrong types, values outside Alexa's enums, the ends of the calendar, a corrupted record)
and may or may not be readable by ask-sdk.
"""

import copy
import functools
import json
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import strategies as st

from devkit.alexa import _get

ROOT = Path(__file__).resolve().parents[2]
MODEL_PATH = ROOT / "interaction_model" / "skill-package" / "interactionModels" / "custom" / "en-US.json"
MODEL = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]

# intent name -> [(slot name, slot type)], custom slot type -> [(id, name, synonyms)]
INTENTS = {intent["name"]: [(s["name"], s["type"]) for s in intent.get("slots", [])]
           for intent in MODEL["intents"]}
SLOT_TYPES = {t["name"]: [(v.get("id") or v["name"]["value"], v["name"]["value"], v["name"].get("synonyms", []))
                          for v in t["values"]] for t in MODEL.get("types", [])}
ALL_SLOT_NAMES = sorted({name for slots in INTENTS.values() for name, _ in slots})

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
OTHER_SKILL_ID = "amzn1.ask.skill.11111111-someone-else"
UNREACHABLE_API = "https://127.0.0.1:9"  # nothing listens there: every Alexa API call fails fast
USERS = [f"amzn1.ask.account.FUZZ-{n}" for n in range(3)]


@dataclass
class Case:
    envelope: object
    stored: dict | None = None
    realistic: bool = True
    notes: list = field(default_factory=list)  # how it was made, shown with a failing example


# --- text ----------------------------------------------------------------------------

MARKUP = [
    "<speak>", "</speak>", "&", "&amp;", "&lt;", "&#0;", "&nbsp;", "</audio>",
    "<audio src='https://evil.example/a.mp3'/>", "<break time='10s'/>", "]]>", "<![CDATA[x]]>",
    "<!-- x -->", "<?xml version='1.0'?>", '"', "'", "<", ">", "<p>", "<say-as interpret-as='x'>",
]
UNICODE = [
    "😀🔥🦴", "\u202eevil\u202c", "שלום", "مرحبا", "你好", "\x00", "a\x00b", "\u200b\u200d\ufeff",
    "\ud800", "\udfff", "\x01\x07\x1b\x7f", "\ufffe\uffff", "Z\u0351\u0354\u0357a\u035c\u0360lgo",
    "\U0001F3F3\U0000FE0F\U0000200D\U0001F308", "ﬀ", "İ", "\r\n", "\u2028\u2029",
]
ABSURD = ["", " ", "\t\n ", "null", "None",
          "undefined", "true", "0", "-1", "NaN", "{}", "[]", "?", "%s%n", "{0}", "{since}", "'; DROP TABLE records; --"]


@functools.lru_cache(maxsize=None)
def huge_text():
    """2,000 characters and more (built when drawn, so reprs stay short)."""
    return st.builds(lambda part, times: part * times, st.sampled_from(["x", "<", "&", "😀", "a b ", "<speak>"]),
                     st.sampled_from([2000, 2000, 700, 5000]))


# Every phrase the model's custom slot types know (values and synonyms): words the skill
# listens for, so free text made of them reaches its own phrase matching.
MODEL_PHRASES = sorted({phrase for values in SLOT_TYPES.values() for _, name, synonyms in values
                        for phrase in [name, *synonyms]})


@functools.lru_cache(maxsize=None)
def spoken_phrases():
    """Free words as AMAZON.SearchQuery (or an unresolved slot) carries them: the model's
    phrases, maybe negated, joined."""
    part = st.tuples(st.sampled_from(["", "", "no ", "i have ", "without ", "not ", "my "]),
                     st.sampled_from(MODEL_PHRASES))
    return st.lists(part, min_size=1, max_size=3).map(lambda parts: " and ".join(a + b for a, b in parts))


@functools.lru_cache(maxsize=None)
def repeated_phrase():
    """One of the model's phrases said over and over, to about 2,000 characters."""
    return st.builds(lambda phrase, size: (phrase + " ") * (size // (len(phrase) + 1)),
                     st.sampled_from(MODEL_PHRASES), st.sampled_from([2000, 1000]))


@functools.lru_cache(maxsize=None)
def nasty_text():
    """Text nobody would say: empty, huge, unicode, markup fragments, and mixes of them."""
    parts = st.sampled_from(MARKUP + UNICODE + ABSURD)
    return st.one_of(
        parts, huge_text(),
        st.lists(parts, min_size=2, max_size=5).map("".join),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12).map(lambda s: s * 200),
    )


@functools.lru_cache(maxsize=None)
def ordinary_text():
    return st.text(alphabet=string.ascii_letters + string.digits + " '-,.?", max_size=40)


@functools.lru_cache(maxsize=None)
def any_text():
    return st.one_of(ordinary_text(), nasty_text())


# --- JSON values ---------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def json_scalars():
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
        st.floats(allow_nan=False, allow_infinity=False), any_text(),
    )


@functools.lru_cache(maxsize=None)
def json_values(depth=2):
    """Any JSON value, nested `depth` deep at most."""
    if depth == 0:
        return json_scalars()
    children = json_values(depth - 1)
    return st.one_of(json_scalars(), json_scalars(), st.lists(children, max_size=3),
                     st.dictionaries(st.text(max_size=12), children, max_size=3))


# Names Alexa (and ask-sdk-model) already use somewhere: a "future" field never takes one
# of these, so it cannot change the meaning of a field that exists today.
def _known_field_names():
    import importlib
    import pkgutil

    import ask_sdk_model
    names = set()
    for module_info in pkgutil.walk_packages(ask_sdk_model.__path__, "ask_sdk_model."):
        try:
            module = importlib.import_module(module_info.name)
        except Exception:
            continue
        for value in vars(module).values():
            names.update(getattr(value, "attribute_map", {}).values() if isinstance(value, type) else ())
    return frozenset(names)


KNOWN_FIELDS = _known_field_names()
FUTURE_NAMES = ["futureField", "experimentalFeatures", "personalization", "unitPreferences",
                "conversationId", "sessionAttributesVersion", "x-amzn-trace", "$schema", "@type",
                "modelVersion", "locales", "deviceType", "mood", "emotion"]


@functools.lru_cache(maxsize=None)
def future_field_names():
    return st.one_of(
        st.sampled_from(FUTURE_NAMES),
        st.from_regex(r"[a-z][a-zA-Z0-9]{2,14}", fullmatch=True),
    ).map(lambda name: name if name not in KNOWN_FIELDS else name + "Next")


def future_fields(draw, node):
    """`node` (a dict) with maybe a few fields Alexa may add one day."""
    if draw(st.integers(0, 2)) == 0:
        extra = draw(_FUTURE_EXTRA)
        return {**extra, **node}
    return node


_FUTURE_EXTRA = st.lists(st.tuples(future_field_names(), json_values(1)), min_size=1, max_size=2).map(dict)


# --- time ----------------------------------------------------------------------------

def request_moments():
    """When the request happens: mostly these years, sometimes the ends of the calendar."""
    return st.one_of(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2040, 12, 31)),
        st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1)),
        st.sampled_from([datetime(2026, 3, 8, 8, 30), datetime(2026, 11, 1, 6, 30),  # DST changes (US, UTC)
                         datetime(2028, 2, 29, 12), datetime(2026, 12, 31, 23, 59, 59),
                         datetime(2026, 11, 25, 15, 0)]),
    ).map(lambda moment: moment.replace(tzinfo=timezone.utc))


def timestamp_text(moment):
    """The ways a timestamp is written: Alexa's "…Z", with fractions, with an offset."""
    return st.sampled_from([
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        moment.isoformat(),
        moment.strftime("%Y-%m-%dT%H:%M:%S"),  # no zone at all
        moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        moment.astimezone(timezone(timedelta(hours=-5))).isoformat(),
    ])


EXTREME_TIMESTAMPS = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
                      "2038-01-19T03:14:08Z", "1969-12-31T23:59:59Z"]
BAD_TIMESTAMPS = ["", "yesterday-ish", "2026-02-30T10:00:00Z", "2026-11-25T25:61:00Z", "Z", "0",
                  1732546800000, None, [], {"epoch": 1}]


# --- slot values ---------------------------------------------------------------------

@st.composite
def alexa_dates(draw, today):
    """AMAZON.DATE values around `today`: days, weeks, weekends, months, years, decades,
    seasons, PRESENT_REF, and the XXXX forms for what the user left out."""
    year = today.year
    form = draw(st.sampled_from(["day", "day", "day", "week", "weekend", "month", "other"]))
    if form == "day":
        return (today + timedelta(days=draw(st.integers(-400, 400)))).isoformat()
    if form in ("week", "weekend"):
        return f"{year}-W{draw(st.integers(1, 53)):02d}" + ("-WE" if form == "weekend" else "")
    if form == "month":
        return f"{year}-{draw(st.integers(1, 12)):02d}"
    return draw(st.sampled_from([
        "PRESENT_REF", str(year), f"{year - 1}", f"{str(year)[:3]}X", f"{str(year)[:2]}XX", f"{year}-WI",
        f"{year}-SP", f"{year}-SU", f"{year}-FA", f"XXXX-{today.month:02d}-{today.day:02d}",
        f"{year}-XX-{today.day:02d}", "XXXX-XX-XX"]))


INVALID_DATES = ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01", "9999-12-31", "XXXX-WXX",
                 "2026-W00", "2026-W54", "9999-W52-WE", "2026-W5", "20261125", "2026/11/25", "-2026-01-01",
                 "2026-11-25T10:00", "99999-01-01", "0001-W01", "PRESENT", "2026-", "0001"]
ALEXA_TIMES = ["MO", "AF", "EV", "NI", "00:00", "06:30", "12:00", "15:00", "23:59"]
INVALID_TIMES = ["25:99", "24:00", "12:60", "7:30", "T14", "noon", "1500", "-01:00", "MOR", "XX"]
ALEXA_DURATIONS = ["PT1M", "PT30M", "PT1H", "PT2H", "PT5H30M", "P1D", "P2D", "P3D", "P1W", "P2W", "P1M",
                   "P1Y", "P1Y2M3DT4H5M6S", "PT59M", "PT47H", "P0D", "PT0S"]
INVALID_DURATIONS = ["P-1D", "PT", "P", "PT-5M", "P1.5D", "PT1.5H", "P99999999999999D",
                     "PT99999999999999999H", "P1DT", "1D", "P1H", "PTH", "p1d", "P" + "9" * 400 + "Y"]


_GOOD_TIMES = st.one_of(st.sampled_from(ALEXA_TIMES),
                       st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)))
_GOOD_DURATIONS = st.one_of(
    st.sampled_from(ALEXA_DURATIONS),
    st.builds(lambda n, unit: f"P{n}{unit}", st.integers(0, 10 ** 6), st.sampled_from("DWMY")),
    st.builds(lambda n, unit: f"PT{n}{unit}", st.integers(0, 10 ** 6), st.sampled_from("HMS")))
_INVALID_VALUES = st.sampled_from(INVALID_DATES + INVALID_TIMES + INVALID_DURATIONS)


@st.composite
def builtin_value(draw, slot_type, today):
    """A value for a built-in slot type: Alexa's format, invalid ISO, absurd, the model's
    own phrases (free words), or Alexa's format with markup stuck to it."""
    def good():
        if slot_type == "AMAZON.DATE":
            return draw(alexa_dates(today))
        if slot_type == "AMAZON.TIME":
            return draw(_GOOD_TIMES)
        if slot_type == "AMAZON.DURATION":
            return draw(_GOOD_DURATIONS)
        if slot_type == "AMAZON.SearchQuery":
            return draw(spoken_phrases())
        return draw(ordinary_text())
    how = draw(st.sampled_from(["good", "good", "invalid", "nasty", "glued", "phrases"]))
    if how == "good":
        return good()
    if how == "invalid":
        return draw(_INVALID_VALUES)
    if how == "nasty":
        return draw(nasty_text())
    if how == "phrases":
        return draw(repeated_phrase()) if draw(st.integers(0, 5)) == 0 else draw(spoken_phrases())
    return good() + draw(st.sampled_from(MARKUP))


def authority(type_name):
    return f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{type_name}"


@st.composite
def custom_fill(draw, type_name):
    """(spoken value, resolutions) for a custom slot type."""
    values = SLOT_TYPES[type_name]
    ident, name, synonyms = draw(st.sampled_from(values))
    choice = draw(st.sampled_from(["match", "match", "match", "no_match", "error", "wrong_id", "two", "none"]))
    if choice in ("match", "two", "wrong_id"):
        spoken = draw(st.sampled_from([name] + list(synonyms)))
        found = [{"value": {"name": name, "id": ident}}]
        if choice == "two":
            other_id, other_name, _ = draw(st.sampled_from(values))
            found.append({"value": {"name": other_name, "id": other_id}})
        if choice == "wrong_id":
            found = [{"value": {"name": draw(any_text()), "id": draw(any_text())}}]
        status = "ER_SUCCESS_MATCH"
    else:
        spoken = draw(st.one_of(any_text(), st.sampled_from([name] + list(synonyms))))
        found = None
        status = {"no_match": "ER_SUCCESS_NO_MATCH", "error": draw(st.sampled_from(["ER_ERROR_TIMEOUT",
                                                                                    "ER_ERROR_EXCEPTION"]))}.get(choice)
    if status is None:
        return spoken, None
    resolution = {"authority": authority(type_name), "status": {"code": status}}
    if found is not None:
        resolution["values"] = found
    per_authority = [resolution]
    if draw(st.booleans()) and draw(st.booleans()):  # dynamic entities come first when present
        per_authority.insert(0, {"authority": "amzn1.er-authority.echo-sdk.dynamic",
                                 "status": {"code": "ER_SUCCESS_NO_MATCH"}})
    return spoken, {"resolutionsPerAuthority": per_authority}


@st.composite
def slots_for(draw, intent_name, today):
    """The slots Alexa sends for `intent_name`: every slot of the intent, filled or not."""
    slots = {}
    for name, slot_type in INTENTS.get(intent_name, []):
        slot = {"name": name, "confirmationStatus": draw(st.sampled_from(["NONE", "NONE", "CONFIRMED", "DENIED"]))}
        if draw(st.integers(0, 3)):  # mostly filled
            if slot_type in SLOT_TYPES:
                spoken, resolutions = draw(custom_fill(slot_type))
            else:
                spoken, resolutions = draw(builtin_value(slot_type, today)), None
            slot["value"] = spoken
            if resolutions:
                slot["resolutions"] = resolutions
            if draw(st.booleans()):  # the newer slotValue shape, next to the classic one
                slot_value = {"type": "Simple", "value": spoken}
                if resolutions:
                    slot_value["resolutions"] = resolutions
                slot["slotValue"] = slot_value
        if draw(st.integers(0, 9)) == 0:
            slot["source"] = "USER"  # a field Alexa added after the SDK's model was written
        slots[name] = future_fields(draw, slot)
    if draw(st.integers(0, 9)) == 0:  # a slot of another intent, as a confused model might send
        stray = draw(st.sampled_from(ALL_SLOT_NAMES)) if ALL_SLOT_NAMES else "stray"
        slots.setdefault(stray, {"name": stray, "value": draw(any_text()), "confirmationStatus": "NONE"})
    return slots


# --- session attributes and the stored record -------------------------------------------

PENDING_KINDS = ["spasm_now", "triage", "onset", "same_episode", "more_tips", "checkin", "delete",
                 "reminder_offer", "reminder_consent"]
# Ids the skill itself puts in session attributes and its record come from content/rules.json.
RULES = json.loads((ROOT / "content" / "rules.json").read_text(encoding="utf-8"))
LEVELS = [level["id"] for level in RULES["levels"]]
REFERRALS = [level["id"] for level in RULES["levels"] if not level["ends_session"]]  # what triage can leave
TOPICS = [topic["id"] for topic in RULES["topics"]]
REMINDER_KINDS = [kind["id"] for kind in RULES["reminders"]["kinds"]]
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Asia/Kolkata",
         "Pacific/Kiritimati", "Pacific/Pago_Pago", "Australia/Lord_Howe", "UTC", "Etc/GMT+12", "Etc/GMT-14"]
BAD_ZONES = ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "America/", ".", "..", "__init__",
             "__init__.py", "a" * 300, "\x00", "UTC\x00", "America/New York", "EST5EDT ", "+05:00"]


@st.composite
def realistic_pending(draw):
    kind = draw(st.sampled_from(PENDING_KINDS))
    pending = {"kind": kind}
    if kind == "triage":
        pending.update(step=draw(st.integers(0, 6)), level=draw(st.sampled_from([None] + REFERRALS)),
                       unsure=draw(st.integers(0, 2)), after=draw(st.sampled_from([None, "plan"])),
                       announced=draw(st.sampled_from([None] + REFERRALS)))
    if kind in ("reminder_offer", "reminder_consent"):
        pending["reminder"] = draw(st.sampled_from(REMINDER_KINDS + ["nonsense", None]))
    return pending


@st.composite
def realistic_session_attributes(draw):
    attributes = {}
    if draw(st.booleans()):
        attributes["pending"] = draw(st.one_of(realistic_pending(), st.none()))
    for key, values in {
        "referral": st.sampled_from([None] + REFERRALS),
        "triaged": st.booleans(),
        "heard": st.booleans(),
        "tz": st.sampled_from([""] + ZONES),
        "tips": st.lists(st.sampled_from(TOPICS), max_size=len(TOPICS), unique=True),
        "fails": st.integers(0, 3),
        "last": st.builds(lambda say: {"say": say}, st.sampled_from(
            ["Take care of your back. Goodbye.", "Use ice for now & rest.", ""])),
    }.items():
        if draw(st.booleans()):
            attributes[key] = draw(values)
    return attributes


@functools.lru_cache(maxsize=None)
def garbage_value():
    return st.one_of(json_values(), huge_text(), st.builds(lambda text: [text] * 500, st.sampled_from(["tip", "rest"])),
                     st.builds(lambda text: {"kind": text}, huge_text()))


@st.composite
def garbage_session_attributes(draw):
    """Realistic keys with wrong types and junk, plus keys we never set."""
    attributes = draw(realistic_session_attributes())
    for key in draw(st.lists(st.sampled_from(["pending", "referral", "triaged", "heard", "tz", "tips", "fails",
                                              "last"]), max_size=8, unique=True)):
        attributes[key] = draw(st.one_of(
            garbage_value(),
            st.builds(lambda p, k, v: {**p, k: v}, realistic_pending(),
                      st.sampled_from(["kind", "step", "level", "unsure", "after", "announced", "reminder"]),
                      garbage_value()),
            st.sampled_from(BAD_ZONES) if key == "tz" else st.sampled_from(LEVELS + ["kind"]),
            st.builds(lambda say: {"say": say}, st.one_of(any_text(), json_values())),
        ))
    attributes.update(draw(st.dictionaries(st.text(max_size=20), json_values(), max_size=3)))
    return attributes


def session_attributes():
    return st.one_of(
        st.just(None), st.just({}), realistic_session_attributes(), realistic_session_attributes(),
        garbage_session_attributes(),
    )


@st.composite
def stored_records(draw, now_s):
    """(the user's stored record before the request: none, what the skill writes, or junk;
    whether it is junk)."""
    kind = draw(st.sampled_from(["none", "none", "none", "real", "real", "real", "real", "real", "real", "junk"]))
    if kind == "none":
        return None, False
    record = {}
    if draw(st.booleans()):
        record["heard_disclaimer"] = draw(st.booleans())
    if draw(st.integers(0, 3)):
        age = draw(st.one_of(st.sampled_from([-3600, 0, 60, 3599, 3600, 6 * 3600, 47 * 3600, 48 * 3600 + 60,
                                              3 * 86400 + 1, 10 * 86400, 29 * 86400, 31 * 86400, 400 * 86400]),
                             st.integers(-86400, 60 * 86400)))
        record["episode_start"] = now_s - age
        record["episode_precision"] = draw(st.sampled_from(["exact", "hour", "part_of_day", "day", "week", "month",
                                                            "year"]))
        if draw(st.booleans()):
            record["last_checkin"] = now_s - draw(st.integers(0, 10 * 86400))
        for reminder in REMINDER_KINDS:
            if draw(st.booleans()):
                record[f"reminder_{reminder}"] = f"alert-token-{reminder}"
        if draw(st.booleans()):
            record["reminders_declined"] = draw(st.booleans())
    if kind == "junk":
        for key in draw(st.lists(st.sampled_from(["heard_disclaimer", "episode_start", "episode_precision",
                                                  "last_checkin", "reminder_heat", "reminders_declined",
                                                  "reminder_", "reminder_nonsense"]), max_size=5, unique=True)):
            record[key] = draw(st.one_of(json_values(), st.sampled_from([10 ** 20, -(10 ** 20), 2 ** 63, 1e300,
                                                                        True, "yesterday"])))
    return record, kind == "junk"


# --- the envelope ----------------------------------------------------------------------

@st.composite
def system_state(draw, skill_id, user_id):
    system = {"application": {"applicationId": skill_id}, "user": {"userId": user_id}}
    if draw(st.booleans()):
        system["user"]["permissions"] = {"consentToken": "fuzz-consent-token"}
    if draw(st.integers(0, 5)):
        device = {"deviceId": "amzn1.ask.device.FUZZ", "supportedInterfaces": draw(st.sampled_from([
            {}, {"AudioPlayer": {}}, {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2024.2"}}}]))}
        if draw(st.booleans()):
            device["persistentEndpointId"] = "amzn1.alexa.endpoint.FUZZ"
        system["device"] = future_fields(draw, device)
    if draw(st.booleans()):
        system["apiEndpoint"] = UNREACHABLE_API
    if draw(st.booleans()):
        system["apiAccessToken"] = draw(st.sampled_from(["fuzz-api-token", "", "x" * 500]))
    return future_fields(draw, system)


LOCALES = ["en-US", "en-US", "en-US", "en-GB", "en-CA", "en-AU", "en-IN", "fr-FR", "de-DE", "es-MX", "ja-JP",
           "", "xx", "en_US", "EN-us", "en-US-x-future", "<speak>", "x" * 60]

KNOWN_OTHER_TYPES = {
    "System.ExceptionEncountered": lambda d: {"error": {"type": d(st.sampled_from(
        ["INVALID_RESPONSE", "DEVICE_COMMUNICATION_ERROR", "INTERNAL_SERVICE_ERROR"])), "message": d(any_text())},
        "cause": {"requestId": "amzn1.echo-api.request.earlier"}},
    "SessionResumedRequest": lambda d: {"cause": {"type": "ConnectionCompleted", "token": d(any_text()),
                                                  "status": {"code": "200", "message": "OK"}}},
    "CanFulfillIntentRequest": lambda d: {"intent": {"name": d(st.sampled_from(sorted(INTENTS))),
                                                     "confirmationStatus": "NONE", "slots": {}}},
    "AlexaSkillEvent.SkillEnabled": lambda d: {"eventCreationTime": "2026-11-25T15:00:00Z"},
    "AlexaSkillEvent.SkillPermissionChanged": lambda d: {"body": {"acceptedPermissions": [{"scope": "x"}]}},
    "Reminders.ReminderStarted": lambda d: {"body": {"alertToken": d(any_text())}},
    "Alexa.Presentation.APL.UserEvent": lambda d: {"token": d(any_text()), "arguments": d(st.lists(json_scalars(),
                                                                                                max_size=3))},
    "Messaging.MessageReceived": lambda d: {"message": {"text": d(any_text())}},
    "Connections.Request": lambda d: {"name": "Schedule", "payload": {}},
    "AudioPlayer.PlaybackStopped": lambda d: {"token": "t", "offsetInMilliseconds": 0},
    "Dialog.InputRequest": lambda d: {},
}
UNKNOWN_TYPES = ["Some.Future.RequestType", "Alexa.Future.Event", "LaunchRequestV2", "launchrequest",
                 "Intentrequest", "Connections.Response.V2", "", "x" * 300]


@st.composite
def request_body(draw, today):
    """(the request's own fields, whether Alexa sends a session with it)."""
    kind = draw(st.sampled_from(["launch", "intent", "intent", "intent", "intent", "intent", "ended", "connections",
                                 "other", "unknown"]))
    if kind == "launch":
        return {"type": "LaunchRequest"}, True
    if kind == "intent":
        if draw(st.integers(0, 7)):
            name = draw(st.sampled_from(sorted(INTENTS)))
        else:  # an intent the model does not have
            name = draw(st.sampled_from(["AMAZON.PauseIntent", "AMAZON.ScrollDownIntent", "UnknownIntent", "",
                                         "x" * 300, "<speak>"]))
        intent = {"name": name, "confirmationStatus": draw(st.sampled_from(["NONE", "NONE", "CONFIRMED", "DENIED"]))}
        slots = draw(slots_for(name, today))
        if slots or draw(st.booleans()):
            intent["slots"] = slots
        body = {"type": "IntentRequest", "intent": future_fields(draw, intent)}
        dialog_state = draw(st.sampled_from([None, None, "STARTED", "IN_PROGRESS", "COMPLETED"]))
        if dialog_state:
            body["dialogState"] = dialog_state
        return body, True
    if kind == "ended":
        body = {"type": "SessionEndedRequest",
                "reason": draw(st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]))}
        if body["reason"] == "ERROR" or draw(st.integers(0, 4)) == 0:
            body["error"] = future_fields(draw, {
                "type": draw(st.sampled_from(["INVALID_RESPONSE", "DEVICE_COMMUNICATION_ERROR",
                                              "INTERNAL_SERVICE_ERROR", "ENDPOINT_TIMEOUT"])),
                "message": draw(any_text())})
        return body, True
    if kind == "connections":
        body = {"type": "Connections.Response",
                "name": draw(st.sampled_from(["AskFor", "AskFor", "AskFor", "Buy", "Upsell", "askfor", ""])),
                "status": {"code": draw(st.sampled_from(["200", "200", "204", "400", "401", "403", "500", "",
                                                         "abc"])),
                           "message": draw(st.sampled_from(["OK", "Error", ""]))},
                "token": draw(st.one_of(st.sampled_from([f"reminder:{k}" for k in REMINDER_KINDS]
                                                        + ["reminder:", "reminder:nonsense", "reminder", "", "x:heat"]),
                                        any_text()))}
        payload = draw(st.one_of(
            st.builds(lambda status, extra: {"permissionScope": "alexa::alerts:reminders:skill:readwrite",
                                             "status": status, **extra},
                      st.one_of(st.sampled_from(["ACCEPTED", "DENIED", "NOT_ANSWERED"]), json_scalars()),
                      st.sampled_from([{}, {"isCardThrown": True}, {"isCardThrown": "false"}])),
            st.just({}), st.dictionaries(st.text(max_size=10), json_values(), max_size=3)))
        if draw(st.integers(0, 5)):
            body["payload"] = payload
        return body, True
    if kind == "other":
        request_type = draw(st.sampled_from(sorted(KNOWN_OTHER_TYPES)))
        body = {"type": request_type, **KNOWN_OTHER_TYPES[request_type](draw)}
        return body, not request_type.startswith(("AlexaSkillEvent.", "Reminders.", "Messaging."))
    return {"type": draw(st.sampled_from(UNKNOWN_TYPES))}, draw(st.booleans())


@st.composite
def alexa_envelopes(draw, skill_ids=(SKILL_ID,)):
    """A Case whose envelope is shaped the way Alexa sends it (with maybe some future fields),
    over every request kind and every intent of the interaction model."""
    moment = draw(request_moments())
    stamp = draw(timestamp_text(moment))
    skill_id = draw(st.sampled_from(skill_ids))
    user_id = draw(st.sampled_from(USERS))
    body, in_session = draw(request_body(moment.date()))
    request = {**body, "requestId": f"amzn1.echo-api.request.fuzz-{draw(st.integers(0, 10 ** 6))}",
               "timestamp": stamp}
    if draw(st.integers(0, 9)):
        request["locale"] = draw(st.one_of(st.sampled_from(LOCALES), huge_text()) if draw(st.integers(0, 9)) == 0
                                 else st.sampled_from(LOCALES))
    system = draw(system_state(skill_id, user_id))
    envelope = {"version": draw(st.sampled_from(["1.0", "1.0", "1.0", "1.1", "2.0"])),
                "context": future_fields(draw, {"System": system}),
                "request": future_fields(draw, request)}
    if in_session:
        session = {"new": draw(st.booleans()), "sessionId": "amzn1.echo-api.session.fuzz",
                   "application": {"applicationId": skill_id}, "user": {"userId": user_id}}
        attributes = draw(session_attributes())
        if attributes is not None:
            session["attributes"] = attributes
        envelope["session"] = future_fields(draw, session)
    envelope = future_fields(draw, envelope)
    stored, junk = draw(stored_records(int(moment.timestamp())))
    notes = [f"kind={body['type']}"] + (["junk record"] if junk else [])
    return Case(envelope, stored, realistic=not junk, notes=notes)


# --- broken envelopes ------------------------------------------------------------------

def _paths(node, prefix=()):
    """Every path to a value inside `node` (dict keys and list indices)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(prefix + (key,))
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append(prefix + (index,))
            found += _paths(value, prefix + (index,))
    return found


def _parent(node, path):
    for key in path[:-1]:
        node = node[key]
    return node


ENUM_GARBAGE = {"dialogState": "HALFWAY", "confirmationStatus": "MAYBE", "reason": "BORED",
                "code": "ER_FUTURE_STATUS", "type": "FUTURE_TYPE"}


@st.composite
def broken_envelopes(draw, skill_ids=(SKILL_ID,)):
    """An Alexa-shaped envelope broken in one to three ways: a part removed, a value of the
    wrong type, an enum value Alexa has not sent so far, a timestamp that is no date or at
    the ends of the calendar, a user id that is not Amazon's; or no envelope at all."""
    if draw(st.integers(0, 14)) == 0:
        event = draw(st.one_of(json_values(), st.sampled_from([None, "", 42, [], {}, {"version": "1.0"}])))
        return Case(copy.deepcopy(event), None, realistic=False, notes=["not an envelope"])
    case = draw(alexa_envelopes(skill_ids))
    envelope = copy.deepcopy(case.envelope)
    notes = list(case.notes)
    for _ in range(draw(st.integers(1, 3))):  # values put in are copies: later changes stay in this case
        paths = _paths(envelope)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(envelope, path), path[-1]
        how = draw(st.sampled_from(["remove", "retype", "retype", "enum", "timestamp", "user"]))
        if how == "remove" and isinstance(parent, dict):
            del parent[key]
        elif how == "enum" and isinstance(key, str) and key in ENUM_GARBAGE:
            parent[key] = ENUM_GARBAGE[key]
        elif how == "user" and isinstance(_get(envelope, "context", "System", "user"), dict):
            path = ("context", "System", "user", "userId")
            envelope["context"]["System"]["user"]["userId"] = draw(st.one_of(nasty_text(), json_scalars()))
        elif how == "timestamp" and isinstance(envelope.get("request"), dict):
            path = ("request", "timestamp")
            stamp = draw(st.sampled_from(BAD_TIMESTAMPS + EXTREME_TIMESTAMPS))
            envelope["request"]["timestamp"] = copy.deepcopy(stamp)
        else:
            parent[key] = copy.deepcopy(draw(json_values(1)))
        notes.append(f"{how} {'/'.join(map(str, path))}")
    return Case(envelope, case.stored, realistic=False, notes=notes)


def any_envelopes_for(skill_ids=(SKILL_ID,)):
    """Alexa-shaped and broken envelopes, for the skills whose ids are `skill_ids`."""
    return st.one_of(alexa_envelopes(skill_ids), alexa_envelopes(skill_ids), broken_envelopes(skill_ids))
