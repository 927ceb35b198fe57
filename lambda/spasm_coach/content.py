"""The skill's rules and spoken texts, read from content/ and checked once per container.

content/rules.json holds the rules (thresholds, red flags and their urgency, the triage
questions, topics, sources); content/locales/<locale>.json holds what is said, by id.
A locale file may name a `base` locale and hold only what it says differently (its
emergency wording, its way to same-day care, its words and spelling, its clock style);
everything else is the base's, line for line, each line still with its own source. The
emergency number is never part of a line: it is {number}, from rules.json's by_locale
for the locale being spoken, so no locale can inherit another's number.
Both are checked against content/schema/ and against each other when loaded, so a broken
edit fails at load time (and in `make test`) with every problem listed, never mid-talk.
The build (devkit/package.py) runs the same check on the content it ships and records a
digest of what passed (CHECKED, in the function package); a load whose files have that
digest skips checking them again, which saves a cold start a few milliseconds. Any other
content (a layer changed on its own, a checkout) is checked in full.

Pure Python: nothing here knows about Alexa or AWS.
"""

import functools
import hashlib
import json
import os
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

# The values a spoken text may ask for. One place, so a typo in content fails the check.
PLACEHOLDERS = frozenset({
    "number", "since", "clock", "duration", "n", "time", "weekday", "day", "when", "what",
})
DEFAULT_LOCALE = "en-US"
# Messages the screens use besides the spoken lines (topics are listed by their names).
SCREEN_MESSAGES = ("screen_more_tips", "screen_next_tip", "screen_topics_title")
# How red-flag mentions are compiled: by the check (to validate them) and on first use
# (RedFlag.mentions), with the same flags, so a process that checked gets them from re's cache.
MENTION_FLAGS = re.IGNORECASE
# {"sha256": digest of the content that passed the check}, written by the build.
CHECKED = Path(__file__).with_name("content_checked.json")


class ContentError(Exception):
    """content/ is broken; `problems` lists everything that is wrong."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("content/ has problems:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True)
class Level:
    """How urgent a red flag is, and what the skill says when one is found."""
    id: str
    rank: int
    say: str
    remind: str | None
    ends_session: bool


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: Level
    patterns: tuple = ()  # the mention patterns (text) that find this flag in free words
    ask: str = ""         # message id of the question about this sign alone, in plain words
    after: str | None = None  # asked only once this other sign is known to be present
    denial_patterns: tuple = ()  # words that say the sign is absent ("my chest is fine")

    @functools.cached_property
    def mentions(self):
        """`patterns` compiled, on first use: a launch needs none (they were compiled when
        the content was checked, at build time or at load, so this cannot fail; SnapStart's
        warm-up compiles them before the snapshot)."""
        return _compiled(self.patterns)

    @functools.cached_property
    def denials(self):
        """`denial_patterns` compiled, on first use (as `mentions`)."""
        return _compiled(self.denial_patterns)


@dataclass(frozen=True)
class Cause:
    """What a spasm report's cause (SPASM_CAUSE id, or words that mention it) tells the
    triage: red flags known present (`yes`) and ruled out (`no`)."""
    id: str
    yes: tuple
    no: tuple
    patterns: tuple = ()  # the mention patterns (text) that find this cause in free words

    @functools.cached_property
    def mentions(self):
        """`patterns` compiled, on first use (as RedFlag.mentions)."""
        return _compiled(self.patterns)


@dataclass(frozen=True)
class Question:
    """One triage question: a yes means at least one of `flags` is present. `level` is the
    most urgent level a yes could lead to (the question's tier)."""
    id: str
    say: str
    flags: tuple
    level: Level


def _compiled(patterns):
    return tuple(re.compile(p, MENTION_FLAGS) for p in patterns)


@dataclass(frozen=True)
class Topic:
    id: str
    say: str
    with_referral: bool  # still safe to suggest while a provider should check the back first
    name: str = ""       # message id of the topic's short name ("stretches")
    patterns: tuple = ()  # the mention patterns (text) that find this topic in free words

    @functools.cached_property
    def mentions(self):
        """`patterns` compiled, on first use (as RedFlag.mentions)."""
        return _compiled(self.patterns)


# The parts of rules.json `reading`: patterns that make free words a yes, a no, another
# answer (never read as anything else), the circumstances of an onset, a question, a spasm
# report, or (inside a question) a back that is wrong now; `filler` words said before
# the real ones ("um", "well so"); and how the back is at a check-in (better ... gone).
READING_PARTS = ("yes", "no", "answer", "circumstance", "question", "report", "complaint", "filler",
                 "better", "same", "worse", "gone")
REWRITES = ("first_person", "spellings")  # reading parts that rewrite the words, in Reading's field order


@dataclass(frozen=True)
class Request:
    """Words that ask for one thing the skill does (rules.json reading.requests): start
    over, repeat, a reminder (of `reminder` kind, if the words say)... `read`: when they
    are read (slots.reread): "before_topics" a topic the words mention ("remind me when
    to switch to heat"), "after_topics", or "last", after an onset ("not sure, maybe two
    days ago" says when)."""
    id: str
    read: str
    patterns: tuple
    reminder: str | None = None

    @functools.cached_property
    def mentions(self):
        """`patterns` compiled, on first use (as RedFlag.mentions)."""
        return _compiled(self.patterns)


@dataclass(frozen=True)
class Reading:
    """How free words are read (rules.json `reading`, words.read): `says(part, text)`,
    and `requests` in the order they are read."""
    patterns: dict  # part -> pattern texts
    requests: tuple = ()
    first_person: tuple = ()  # (pattern text, replacement): "he can't feel his legs" -> "i can't feel my legs"
    spellings: tuple = ()  # (pattern text, replacement): "i cant feel my legs" -> "i can't feel my legs"
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def compiled(self, part):
        """The patterns of `part`, compiled on first use (as RedFlag.mentions)."""
        if part not in self._compiled:
            self._compiled[part] = _compiled(self.patterns[part])
        return self._compiled[part]

    def says(self, part, text):
        return any(pattern.search(text) for pattern in self.compiled(part))

    def in_first_person(self, text):
        """`text` as if the speaker said it of themselves (a carer speaking for someone)."""
        return self._rewritten("first_person", text)

    def as_spelled(self, text):
        """`text` with the words speech-to-text (or a typist) gave without their apostrophe,
        or the long way ("not able to"), spelled as the patterns expect them ("im", "cant",
        "its")."""
        return self._rewritten("spellings", text)

    def _rewritten(self, part, text):
        if part not in self._compiled:
            self._compiled[part] = tuple((re.compile(p, MENTION_FLAGS), r) for p, r in getattr(self, part))
        for pattern, replacement in self._compiled[part]:
            text = pattern.sub(replacement, text)
        return text

    def without(self, part, text):
        """`text` with what the patterns of `part` match taken out, stripped."""
        for pattern in self.compiled(part):
            text = pattern.sub("", text)
        return text.strip()


class Texts:
    """What the skill says in one locale, and how it says clock times (`clock`: "hours" 12
    or 24, the word for 12:00 "noon", and the "date" pattern with {month} and {day})."""

    def __init__(self, locale, number, messages, clock=None):
        self.locale = locale
        self.number = number
        self.messages = messages
        self.clock = clock or {}

    def say(self, message_id, **values):
        """The text for `message_id`, with its {placeholders} filled in."""
        return self.messages[message_id].format(number=self.number, **values)


@dataclass(frozen=True)
class ReminderKind:
    """A follow-up reminder: it goes off `after_s` seconds after the episode started."""
    id: str
    after_s: int
    say: str
    what: str
    offer: str
    too_late: str


@dataclass(frozen=True)
class Content:
    ice_window_s: int
    long_episode_s: int
    stale_episode_s: int
    parts_of_day: dict
    levels: dict
    red_flags: dict
    triage: tuple
    follow_ups: tuple     # red flags asked only after another sign (RedFlag.after)
    unsure_emergency: Level  # the level of an emergency sign the user stays unsure about
    causes: dict          # SPASM_CAUSE id -> Cause, the most urgent first
    topics: dict
    reading: Reading      # how free words are read: an answer, a question, a spasm report...
    walk_through: tuple
    sources: dict
    locales: dict
    emergency_numbers: dict
    reminder_kinds: dict
    quiet_hours: tuple

    def compile_patterns(self):
        """Compile every pattern that reads free words now (they compile on first use):
        SnapStart's warm-up puts them into the snapshot."""
        for item in (*self.red_flags.values(), *self.topics.values(), *self.causes.values(), *self.reading.requests):
            item.mentions  # noqa: B018
        for flag in self.red_flags.values():
            flag.denials  # noqa: B018
        for part in self.reading.patterns:
            self.reading.compiled(part)
        self.reading.in_first_person("")
        self.reading.as_spelled("")

    def texts(self, locale):
        """Texts for `locale`. A locale we have no texts for gets the en-US wording, but
        never en-US's emergency number: its own number if we know it, else the words
        "your local emergency number"."""
        if locale in self.locales:
            return self.locales[locale]
        fallback = self.locales[DEFAULT_LOCALE]
        number = self.emergency_numbers.get(locale) or fallback.say("number_unknown")
        return Texts(locale, number, fallback.messages, fallback.clock)


def content_dir():
    """Where content/ is: $BSC_CONTENT_DIR, else next to the code (deployed package),
    else beside lambda/ (a checkout)."""
    if os.environ.get("BSC_CONTENT_DIR"):
        return Path(os.environ["BSC_CONTENT_DIR"])
    code_root = Path(__file__).resolve().parent.parent
    for candidate in (code_root / "content", code_root.parent / "content"):
        if (candidate / "rules.json").is_file():
            return candidate
    raise ContentError([f"no content/ found next to {code_root} (set BSC_CONTENT_DIR)"])


def load(directory=None, checked=CHECKED):
    """Read, check and index content/. Raises ContentError listing every problem. The check
    is skipped for content whose digest is the one `checked` records (see above)."""
    directory = Path(directory) if directory else content_dir()
    raw = files(directory)
    rules, locales = _parsed(directory, raw)
    if _checked_digest(checked) != digest(raw):
        check(directory, rules, locales)
    locales, found = resolve(locales)  # overlays on their base: cheap, and needed either way
    if found:
        raise ContentError(found)
    return _index(rules, locales)


def checked_digest(directory):
    """Check the content in `directory` in full (ContentError if broken); its digest, for
    the build's record."""
    raw = files(directory)
    check(Path(directory), *_parsed(Path(directory), raw))
    return digest(raw)


def _parsed(directory, raw):
    rules = _parse(directory / "rules.json", raw["rules.json"])
    locales = {name[len("locales/"):-len(".json")]: _parse(directory / name, data)
               for name, data in raw.items() if name.startswith("locales/")}
    return rules, locales


def digest(raw):
    """sha256 over {relative name: bytes} of the content files that are checked and used."""
    hashed = hashlib.sha256()
    for name in sorted(raw):
        hashed.update(name.encode() + b"\0" + str(len(raw[name])).encode() + b"\0" + raw[name])
    return hashed.hexdigest()


def files(directory):
    """{relative name: bytes} of what load reads (for the build's record)."""
    directory = Path(directory)
    raw = {"rules.json": _read_bytes(directory / "rules.json")}
    raw.update((f"locales/{p.name}", _read_bytes(p)) for p in sorted((directory / "locales").glob("*.json")))
    return raw


def _checked_digest(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")).get("sha256") if path else None
    except (OSError, ValueError, AttributeError):
        return None


def check(directory, rules, locales):
    """Schema and cross-checks; raises ContentError listing every problem."""
    from . import schema_check
    found = schema_check.problems(rules, _read_json(directory / "schema" / "rules.schema.json"))
    locale_schema = _read_json(directory / "schema" / "locale.schema.json")
    for name, data in locales.items():
        found += [f"locales/{name}.json {p}" for p in schema_check.problems(data, locale_schema)]
    if found:
        raise ContentError(found)
    locales, found = resolve(locales)
    found += cross_check(rules, locales)
    if found:
        raise ContentError(found)


def _read_bytes(path):
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ContentError([f"{path}: {error}"]) from None


def _parse(path, data):
    try:
        return json.loads(data)
    except ValueError as error:
        raise ContentError([f"{path}: {error}"]) from None


def resolve(locales):
    """Each locale file with its `base` applied: ({locale: {"locale", "messages", "clock"}}
    with every line, the base's and its own), problems). An overlay may only re-say lines
    its base has, so a mistyped id cannot sit there unused."""
    resolved, found = {}, []

    def merged(name, seen=()):
        if name in resolved:
            return resolved[name]
        data = locales[name]
        base_name = data.get("base")
        if base_name is None:
            resolved[name] = {"locale": data["locale"], "messages": dict(data["messages"]),
                              "clock": _clock(data)}
            return resolved[name]
        if base_name not in locales or base_name in seen + (name,):
            found.append(f"locales/{name}.json: base {base_name!r} is not a locale file (or loops)")
            base = {"messages": {}, "clock": {}}
        else:
            base = merged(base_name, seen + (name,))
            if base_name.split("-")[0] != name.split("-")[0]:
                found.append(f"locales/{name}.json: base {base_name!r} is another language")
            found.extend(f"locales/{name}.json {m}: not a line of {base_name}" for m in data["messages"]
                         if m not in base["messages"])
        resolved[name] = {"locale": data["locale"], "messages": {**base["messages"], **data["messages"]},
                          "clock": {**base["clock"], **_clock(data)}}
        return resolved[name]

    for name in locales:
        merged(name)
    return resolved, found


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ContentError([f"{path}: {error}"]) from None


def cross_check(rules, locales):
    """Problems the schema cannot see: ids that point nowhere, mixed levels, unsafe order."""
    found = []
    sources = rules["sources"]
    levels = {level["id"]: level for level in rules["levels"]}
    flags = {flag["id"]: flag for flag in rules["red_flags"]}
    topics = {topic["id"] for topic in rules["topics"]}

    def need_source(where, source):
        if source not in sources:
            found.append(f"{where}: unknown source {source!r}")

    for name, item in rules["thresholds"].items():
        need_source(f"thresholds.{name}", item["source"])
    need_source("emergency_numbers", rules["emergency_numbers"]["source"])
    for level in rules["levels"]:
        need_source(f"level {level['id']}", level["source"])
    for flag in rules["red_flags"]:
        need_source(f"red flag {flag['id']}", flag["source"])
        if flag["level"] not in levels:
            found.append(f"red flag {flag['id']}: unknown level {flag['level']!r}")
    patterns = [(f"red flag {f['id']}: mention", p) for f in rules["red_flags"] for p in f["mentions"]]
    patterns += [(f"red flag {f['id']}: denial", p) for f in rules["red_flags"] for p in f.get("denials", ())]
    patterns += [(f"triage.causes.{c}: mention", p) for c, known in _causes(rules) for p in known["mentions"]]
    patterns += [(f"topic {t['id']}: mention", p) for t in rules["topics"] for p in t["mentions"]]
    patterns += [(f"reading.{part}", p) for part in READING_PARTS for p in rules["reading"][part]]
    patterns += [(f"reading.requests {r['id']}", p) for r in rules["reading"]["requests"] for p in r["patterns"]]
    for part in REWRITES:
        found += [f"reading.{part}: {pair!r} is not a pattern and its replacement"
                  for pair in rules["reading"][part] if len(pair) != 2]
        patterns += [(f"reading.{part}", pair[0]) for pair in rules["reading"][part] if len(pair) == 2]
    for where, pattern in patterns:
        try:
            re.compile(pattern, MENTION_FLAGS)
        except re.error as error:
            found.append(f"{where} {pattern!r} is not a valid pattern ({error})")
    need_source("reading", rules["reading"]["source"])
    kinds = {kind["id"] for kind in rules["reminders"]["kinds"]}
    found += [f"reading.requests {r['id']}: unknown reminder kind {r['reminder']!r}"
              for r in rules["reading"]["requests"] if r.get("reminder", next(iter(kinds))) not in kinds]
    found += triage_problems(rules, levels, flags)
    found += [f"walk_through: unknown topic {t!r}" for t in rules["walk_through"] if t not in topics]
    if len({level["rank"] for level in rules["levels"]}) != len(levels):
        found.append("levels: two levels share a rank")

    wanted = {level["say"] for level in rules["levels"]}
    wanted |= {level["remind"] for level in rules["levels"] if "remind" in level}
    wanted |= {question["say"] for question in rules["triage"]["questions"]}
    wanted |= {flag["ask"] for flag in rules["red_flags"]}
    wanted |= {topic[part] for topic in rules["topics"] for part in ("say", "name")}
    wanted |= set(SCREEN_MESSAGES)
    wanted |= {kind[part] for kind in rules["reminders"]["kinds"] for part in ("say", "what", "offer", "too_late")}
    need_source("reminders", rules["reminders"]["source"])
    need_source("triage.unsure_emergency", rules["triage"]["unsure_emergency"]["source"])
    need_source("triage.causes", rules["triage"]["causes"]["source"])
    if DEFAULT_LOCALE not in locales:
        found.append(f"locales/{DEFAULT_LOCALE}.json is missing")
    for name, data in locales.items():
        missing_clock = sorted({"hours", "noon", "date"} - set(data.get("clock", {})))
        if missing_clock:
            found.append(f"locales/{name}.json: clock style lacks {missing_clock}")
        if data["locale"] != name:
            found.append(f"locales/{name}.json says it is {data['locale']!r}")
        if name not in rules["emergency_numbers"]["by_locale"]:
            found.append(f"locales/{name}.json: no emergency number for this locale")
        messages = data["messages"]
        found += [f"locales/{name}.json: missing message {m!r}" for m in sorted(wanted - set(messages))]
        for message_id, message in messages.items():
            need_source(f"locales/{name}.json {message_id}", message["source"])
            for field in _placeholders(message["say"]):
                if field not in PLACEHOLDERS:
                    found.append(f"locales/{name}.json {message_id}: unknown placeholder {{{field}}}")
    return found


def triage_problems(rules, levels, flags):
    """The triage lint: every sign asked exactly once (by a question, or as a follow-up of
    another sign), and no question of a lower tier before one of a higher tier."""
    found = []
    triage = rules["triage"]

    def rank(flag_id):  # a sign's rank, or that of a follow-up asked after it when higher
        ranks = [levels[f["level"]]["rank"] for f in flags.values()
                 if (f["id"] == flag_id or f.get("after") == flag_id) and f["level"] in levels]
        return max(ranks, default=0)

    asked = []
    last = None
    for question in triage["questions"]:
        found += [f"triage {question['id']}: unknown red flag {f!r}" for f in question["flags"] if f not in flags]
        tier = max(rank(f) for f in question["flags"])
        if last is not None and tier > last[1]:
            found.append(f"triage {question['id']}: a question of a higher tier asked after {last[0]!r}, "
                         "which is less urgent")
        last = (question["id"], tier)
        asked += question["flags"]
    for flag in rules["red_flags"]:
        after = flag.get("after")
        if after is None:
            continue
        asked.append(flag["id"])
        if after not in flags or flags[after].get("after"):
            found.append(f"red flag {flag['id']}: 'after' must name a sign a question asks about, not {after!r}")
    found += [f"red flag {f}: asked {asked.count(f)} times" for f in flags if asked.count(f) != 1]
    if triage["unsure_emergency"]["level"] not in levels:
        found.append(f"triage.unsure_emergency: unknown level {triage['unsure_emergency']['level']!r}")
    for cause, known in _causes(rules):
        found += [f"triage.causes.{cause}: unknown red flag {f!r}" for f in known["yes"] + known["no"] if f not in flags]
    return found


def _causes(rules):
    """(id, entry) of rules.json's triage causes."""
    return [(cause, known) for cause, known in rules["triage"]["causes"].items()
            if not cause.startswith("$") and cause != "source"]


def _clock(data):
    return {key: value for key, value in data.get("clock", {}).items() if not key.startswith("$")}


def _placeholders(text):
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _index(rules, locales):
    levels = {
        level["id"]: Level(level["id"], level["rank"], level["say"], level.get("remind"), level["ends_session"])
        for level in rules["levels"]
    }
    red_flags = {
        flag["id"]: RedFlag(flag["id"], levels[flag["level"]],
                            tuple(flag["mentions"]), flag["ask"], flag.get("after"), tuple(flag.get("denials", ())))
        for flag in rules["red_flags"]
    }
    def reach(question):  # the most urgent level a yes can lead to, follow-ups included
        signs = [red_flags[f] for f in question["flags"]]
        signs += [flag for flag in red_flags.values() if flag.after in question["flags"]]
        return max((flag.level for flag in signs), key=lambda level: level.rank)

    triage = tuple(Question(q["id"], q["say"], tuple(q["flags"]), reach(q)) for q in rules["triage"]["questions"])
    causes = [Cause(cause, tuple(known["yes"]), tuple(known["no"]), tuple(known["mentions"]))
              for cause, known in _causes(rules)]
    # most urgent first: by the most urgent sign each says is present (words.mentioned_cause)
    causes.sort(key=lambda cause: -max((red_flags[f].level.rank for f in cause.yes), default=-1))
    causes = {cause.id: cause for cause in causes}
    numbers = rules["emergency_numbers"]["by_locale"]
    texts = {
        name: Texts(name, numbers[name], {key: item["say"] for key, item in data["messages"].items()},
                    data["clock"])
        for name, data in locales.items()
    }
    thresholds = rules["thresholds"]
    reminders = rules["reminders"]
    reminder_kinds = {
        kind["id"]: ReminderKind(kind["id"], thresholds[kind["at"]]["value"] * 3600, kind["say"], kind["what"],
                                 kind["offer"], kind["too_late"])
        for kind in reminders["kinds"]
    }
    return Content(
        ice_window_s=thresholds["ice_window_hours"]["value"] * 3600,
        long_episode_s=thresholds["long_episode_hours"]["value"] * 3600,
        stale_episode_s=thresholds["stale_episode_days"]["value"] * 86400,
        parts_of_day={k: v for k, v in rules["parts_of_day"].items() if not k.startswith("$")},
        levels=levels,
        red_flags=red_flags,
        triage=triage,
        follow_ups=tuple(flag for flag in red_flags.values() if flag.after),
        unsure_emergency=levels[rules["triage"]["unsure_emergency"]["level"]],
        causes=causes,
        topics={t["id"]: Topic(t["id"], t["say"], t["with_referral"], t["name"], tuple(t["mentions"]))
                for t in rules["topics"]},
        reading=Reading({part: tuple(rules["reading"][part]) for part in READING_PARTS},
                        tuple(Request(r["id"], r["read"], tuple(r["patterns"]), r.get("reminder"))
                              for r in rules["reading"]["requests"]),
                        *(tuple((pattern, replacement) for pattern, replacement in rules["reading"][part])
                          for part in REWRITES)),
        walk_through=tuple(rules["walk_through"]),
        sources=rules["sources"],
        locales=texts,
        emergency_numbers=dict(numbers),
        reminder_kinds=reminder_kinds,
        quiet_hours=(reminders["quiet_hours"]["from"], reminders["quiet_hours"]["until"]),
    )
