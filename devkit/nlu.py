"""Alexa's language understanding as virtual-alexa 0.7.8 does it, for the console and tests.

It reads the skill's own interaction model (interaction_model/.../en-US.json), so there is
no second list of intents to keep, and resolves a phrase exactly the way virtual-alexa's
literal matcher does (virtual-core's SampleUtterances.js, Utterance.js and SlotTypes.js;
virtual-alexa's InteractionModel.js, BuiltinUtterances.js and BuiltinSlotTypes.js), which
is what the independent tester uses. tests/test_nlu.py holds the two side by side
(devkit/va_resolve.js runs the original). The rules, all of them virtual-alexa's:

* the phrase loses the characters ! " ¿ ? | # $ % / ( ) = + - _ < > * { } · ¡ [ ] . , ; :
  (removed, not replaced by a space; nothing is lowercased or collapsed);
* each sample is a case-insensitive, anchored regular expression: every {slot} becomes
  (.*) and the literal text on either side is trimmed (so "i have {x} pain" reads
  "i have(.*)pain"); the literal text is not escaped;
* a slot's words must start or end with a space unless they are the whole phrase;
* a custom slot type matches a value or synonym exactly (trimmed, any case); AMAZON.NUMBER
  matches digits or one..twenty; every other AMAZON.* type (DATE, TIME, DURATION,
  SearchQuery) is "untyped" and matches anything, even nothing;
* built-in intents the model declares get virtual-alexa's few built-in phrases after the
  model's own samples (BUILT_IN_PHRASES);
* the best match has the highest score (the phrase's length minus its slot values'
  lengths), then the most typed slots, then comes first (intents, then samples, in model
  order). Nothing matched is AMAZON.FallbackIntent (virtual-alexa itself throws).

After matching, an AMAZON.DATE / TIME / DURATION / NUMBER slot's words are turned into
the value Alexa would send when spasm_coach.spoken_time can (the console's envelopes look
like a device's); when it cannot, the raw words are sent, exactly as virtual-alexa sends
them. A match is never rejected for that.

The launch phrases ("open back spasm coach", "ask back spasm coach ...") are read the way
a device reads them (`understand`); `utter` reads them as VirtualAlexa.utter does, which
also launches on "ask", "open", "launch", "tell" or "talk to" anywhere in the phrase.

Matching is fast: the samples are bucketed by their literal beginning (or end), so only
samples whose fixed text fits the phrase are tried as regular expressions.
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from devkit.alexa import SlotFill
from spasm_coach import spoken_time

MODEL = Path(__file__).resolve().parents[1] / "interaction_model" / "skill-package" / "interactionModels" / "custom" / "en-US.json"


def model_path(locale):
    """The interaction model of `locale` (en-US's while that locale has none of its own)."""
    path = MODEL.with_name(f"{locale}.json")
    return path if path.is_file() else MODEL


# virtual-alexa's BuiltinUtterances.js: added to a built-in intent the model declares, in
# this order (the audio player ones only when the model has both Pause and Resume).
BUILT_IN_PHRASES = {
    "AMAZON.CancelIntent": ["cancel", "never mind"],
    "AMAZON.HelpIntent": ["help", "help me"],
    "AMAZON.LoopOffIntent": ["loop off"],
    "AMAZON.LoopOnIntent": ["loop", "loop on", "keep repeating this song"],
    "AMAZON.MoreIntent": ["more"],
    "AMAZON.NavigateHomeIntent": ["home", "go home"],
    "AMAZON.NavigateSettingsIntent": ["settings"],
    "AMAZON.NextIntent": ["next", "skip", "skip forward"],
    "AMAZON.NoIntent": ["no", "no thanks"],
    "AMAZON.PageDownIntent": ["page down"],
    "AMAZON.PageUpIntent": ["page up"],
    "AMAZON.PauseIntent": ["pause", "pause that"],
    "AMAZON.PreviousIntent": ["go back", "previous", "skip back", "back up"],
    "AMAZON.RepeatIntent": ["repeat", "say that again", "repeat that"],
    "AMAZON.ResumeIntent": ["resume", "continue", "keep going"],
    "AMAZON.ScrollDownIntent": ["scroll down"],
    "AMAZON.ScrollLeftIntent": ["scroll left"],
    "AMAZON.ScrollRightIntent": ["scroll right"],
    "AMAZON.ScrollUpIntent": ["scroll up"],
    "AMAZON.ShuffleOffIntent": ["shuffle off", "stop shuffling", "turn off shuffle"],
    "AMAZON.ShuffleOnIntent": ["shuffle", "shuffle on", "shuffle the music", "shuffle mode"],
    "AMAZON.StartOverIntent": ["start over", "restart", "start again"],
    "AMAZON.StopIntent": ["stop", "off", "shut up"],
    "AMAZON.YesIntent": ["yes", "yes please", "sure"],
}
AUDIO_PLAYER_INTENTS = [
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.CancelIntent", "AMAZON.LoopOffIntent",
    "AMAZON.LoopOnIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
    "AMAZON.ShuffleOffIntent", "AMAZON.ShuffleOnIntent", "AMAZON.StartOverIntent",
]
# BuiltinSlotTypes.js: AMAZON.NUMBER is digits, or one..twenty (ids "1".."20").
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen twenty").split()
NUMBER_TYPE = "AMAZON.NUMBER"

# The console's launch phrases, read like a device does.
LAUNCH_WORDS = r"(?:open|launch|start|begin|load|run|talk to|use)"
ONE_SHOT_WORDS = r"(?:ask|tell)"

_RESOLVERS = {
    "AMAZON.DATE": lambda text, today: spoken_time.to_date(text, today),
    "AMAZON.TIME": lambda text, today: spoken_time.to_time(text),
    "AMAZON.DURATION": lambda text, today: spoken_time.to_duration(text),
    "AMAZON.NUMBER": lambda text, today: spoken_time.to_number(text),
}

# SampleUtterances.js removes these from the phrase.
_REMOVED = str.maketrans("", "", "!\"¿?|#$%/()=+-_<>*{}·¡[].,;:")
# JavaScript's String.prototype.trim: WhiteSpace and LineTerminator.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000\ufeff"
# JavaScript's "." (no s flag): anything but a line terminator.
_JS_DOT = "[^\n\r\u2028\u2029]"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Characters a sample may not contain: virtual-alexa would read them as regex syntax (and
# Alexa does not accept them in samples anyway).
_REGEX_SYNTAX = set("\\^$*+?()[]|")


def js_trim(text):
    return text.strip(JS_SPACE)


def js_length(text):
    """A string's length as JavaScript counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clean(text):
    """The phrase as virtual-alexa's SamplePhraseTest matches it."""
    return text.translate(_REMOVED)


def _ascii_lower(text):
    return text.translate(_ASCII_LOWER)


@dataclass
class Understanding:
    """What the user meant: a launch, or an intent with its slots."""
    intent: str | None
    slots: dict = field(default_factory=dict)
    launch: bool = False
    sample: str | None = None          # the sample that matched (None: nothing did)
    session_ended: bool = False        # `utter("exit")`: virtual-alexa ends the session
    words: dict = field(default_factory=dict)   # each slot's words as matched (trimmed)
    said: str | None = None            # the words matched against the samples

    def describe(self):
        if self.session_ended:
            return "SessionEndedRequest"
        if self.launch and not self.intent:
            return "LaunchRequest"
        slots = " ".join(f"{k}={v.value}" + (f"({v.id})" if v.custom else "") for k, v in self.slots.items())
        return f"{'launch + ' if self.launch else ''}{self.intent} {slots}".strip()


def normalize(text):
    """Lowercase words as Alexa would transcribe them: no punctuation but apostrophes.
    (For the console's own yes/no reading; matching uses `clean`.)"""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9:' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class _SlotType:
    """SlotTypes.js / BuiltinSlotTypes.js: how one slot type takes a slot's words."""

    def __init__(self, name, values, number=False):
        self.name = name
        self.number = number
        self.builtin_name = name.startswith("AMAZON")
        self.custom = not number   # entity resolution: a type of the model's own
        self.ids = {}
        for value in values:
            for word in [value["name"]["value"], *(value["name"].get("synonyms") or [])]:
                self.ids.setdefault(str(word).lower(), value.get("id"))

    def match(self, words):
        """(matches, value counted by the score, typed)."""
        trimmed = js_trim(words)
        if self.number and re.fullmatch(r"[0-9]*", trimmed):
            return True, trimmed, True
        if trimmed.lower() in self.ids:
            return True, trimmed, True
        if self.builtin_name and not self.number:
            return True, words, True   # a model-defined AMAZON.* type: anything, as said
        return False, None, True


class _Sample:
    __slots__ = ("index", "intent", "text", "slots", "parts", "plain", "regex_source", "_regex")

    def __init__(self, index, intent, text, slot_types):
        self.index, self.intent, self.text = index, intent, text
        self.slots = []       # (name as written, slot type name)
        source = text
        literal = []          # the fixed text between the groups, as in virtual-alexa's regex
        while "{" in source:
            start = source.index("{")
            end = source.find("}", start)
            if end == -1:
                raise ValueError(f"sample {text!r} of {intent}: a {{ without }}")
            name = source[start + 1:end]
            if "|" in name:
                name = name[name.index("|") + 2:]
            kind = slot_types.get(name.lower())
            if kind is None:
                raise ValueError(f"Invalid schema - not slot: {name} for intent: {intent}")
            self.slots.append((name, kind))
            source = source[:start].strip(JS_SPACE) + "\0" + source[end + 1:].strip(JS_SPACE)
        self.parts = source.split("\0")
        if any(ch in _REGEX_SYNTAX for ch in source):
            raise ValueError(f"sample {text!r} of {intent}: virtual-alexa would read "
                             f"{sorted(set(source) & _REGEX_SYNTAX)} as regular-expression syntax")
        self.plain = all(ch.isascii() and ch != "." for ch in source)
        self.regex_source = f"({_JS_DOT}*)".join(_literal_regex(part) for part in self.parts)
        self._regex = None

    def regex(self):
        if self._regex is None:
            self._regex = re.compile(self.regex_source, re.IGNORECASE | re.ASCII)
        return self._regex


def _literal_regex(text):
    out = []
    for ch in text:
        if ch == ".":
            out.append(_JS_DOT)
        elif ch.isascii():
            out.append(re.escape(ch))
        else:
            out.append(_js_case_class(ch))
    return "".join(out)


def _js_canonical(ch):
    """Canonicalize() of a JavaScript regex without the u flag, ignoring case."""
    upper = ch.upper()
    if len(upper) != 1 or (ord(ch) >= 128 and ord(upper) < 128):
        return ch
    return upper


_CANONICAL = None


def _js_case_class(ch):
    """A non-ASCII literal: every character JavaScript's /i takes for it."""
    global _CANONICAL
    if _CANONICAL is None:
        _CANONICAL = defaultdict(list)
        for code in range(0x10000):
            if 0xD800 <= code <= 0xDFFF:
                continue
            _CANONICAL[_js_canonical(chr(code))].append(chr(code))
    if ord(ch) > 0xFFFF:
        return re.escape(ch)
    return "[" + "".join(re.escape(c) for c in _CANONICAL[_js_canonical(ch)]) + "]"


class Model:
    """The interaction model, compiled for matching."""

    def __init__(self, path=MODEL):
        language = json.loads(Path(path).read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
        self.invocation = language["invocationName"]
        self.types = [_SlotType(t["name"], t.get("values") or []) for t in language.get("types") or []]
        self.types.append(_SlotType(NUMBER_TYPE, [
            {"id": str(i), "name": {"value": str(i), "synonyms": [word]}} for i, word in enumerate(NUMBER_WORDS, 1)],
            number=True))
        intents = [(i["name"], i.get("slots") or [], list(i.get("samples") or [])) for i in language["intents"]]
        names = [name for name, _, _ in intents]
        audio = "AMAZON.PauseIntent" in names and "AMAZON.ResumeIntent" in names
        for name, phrases in BUILT_IN_PHRASES.items():
            if name in names:
                intents[names.index(name)][2].extend(phrases)
            elif audio and name in AUDIO_PLAYER_INTENTS:
                names.append(name)
                intents.append((name, [], list(phrases)))
        self.intents = names
        self.samples = []
        for name, slots, phrases in intents:
            slot_types = {}
            for slot in slots:
                slot_types.setdefault(slot["name"].lower(), slot["type"])
            for phrase in phrases:
                self.samples.append(_Sample(len(self.samples), name, phrase, slot_types))
        self._index()

    # --- where to look ----------------------------------------------------------------

    def _index(self):
        """Buckets that can only leave out samples that cannot match: a plain sample
        (ASCII, no ".") matches only a phrase that, ASCII-lowercased, equals it (no slot),
        or starts with its literal beginning, or ends with its literal end."""
        self._exact = defaultdict(list)
        self._by_prefix = defaultdict(list)    # (length, text) -> samples
        self._by_suffix = defaultdict(list)
        self._always = []
        for sample in self.samples:
            first, last = _ascii_lower(sample.parts[0]), _ascii_lower(sample.parts[-1])
            if not sample.plain:
                self._always.append(sample)
            elif len(sample.parts) == 1:
                self._exact[first].append(sample)
            elif first:
                self._by_prefix[(len(first), first)].append(sample)
            elif last:
                self._by_suffix[(len(last), last)].append(sample)
            else:
                self._always.append(sample)
        self._prefix_lengths = sorted({n for n, _ in self._by_prefix})
        self._suffix_lengths = sorted({n for n, _ in self._by_suffix})

    def _candidates(self, said):
        low = _ascii_lower(said)
        found = list(self._exact.get(low, ())) + self._always
        for n in self._prefix_lengths:
            if n > len(low):
                break
            found += self._by_prefix.get((n, low[:n]), ())
        for n in self._suffix_lengths:
            if n > len(low):
                break
            found += self._by_suffix.get((n, low[-n:]), ())
        found.sort(key=lambda sample: sample.index)
        return found

    # --- matching ---------------------------------------------------------------------

    def slot_type(self, name):
        name = name.lower()
        for kind in self.types:
            if kind.name.lower() == name:
                return kind
        return None

    def match(self, phrase):
        """virtual-core's Utterance: (sample, {slot name: trimmed words}, {slot name: type})
        of the best match, or None."""
        said = clean(phrase)
        best = None
        for sample in self._candidates(said):
            found = sample.regex().fullmatch(said)
            if not found:
                continue
            tested = self._check_slots(sample, said, found.groups())
            if tested is None:
                continue
            values, typed = tested
            score = js_length(said) - sum(js_length(v) for v in values)
            if best is None or score > best[0] or (score == best[0] and typed > best[1]):
                best = (score, typed, sample, found.groups())
        if best is None:
            return None
        sample, groups = best[2], best[3]
        slots = {}
        for (name, _), words in zip(sample.slots, groups):
            slots[name] = js_trim(words)
        return sample, slots

    def _check_slots(self, sample, said, groups):
        values, typed = [], 0
        for (name, kind), words in zip(sample.slots, groups):
            if said != words and js_trim(words) and not words.startswith(" ") and not words.endswith(" "):
                return None
            slot_type = self.slot_type(kind)
            if slot_type is None:
                values.append(words)     # untyped: anything, as said
                continue
            ok, value, _ = slot_type.match(words)
            if not ok:
                return None
            values.append(value)
            typed += 1
        return values, typed

    def intent_for(self, said, today=None):
        """The intent and slots for words said inside a session."""
        found = self.match(said)
        if found is None:
            return Understanding("AMAZON.FallbackIntent", said=said)
        sample, words = found
        kinds = {name: kind for name, kind in sample.slots}
        slots = {}
        for name, value in words.items():
            kind = kinds[name]
            slot_type = self.slot_type(kind)
            if slot_type is not None and slot_type.custom:
                slots[name] = SlotFill(value, slot_type.ids.get(value.lower()), custom=True)
            elif kind in _RESOLVERS and value:
                resolved = _RESOLVERS[kind](value, today) if today is not None or kind != "AMAZON.DATE" else None
                slots[name] = SlotFill(resolved or value)
            else:
                slots[name] = SlotFill(value)
        return Understanding(sample.intent, slots, sample=sample.text, words=words, said=said)

    def understand(self, text, today):
        """Launch phrases, one-shot phrases ("ask back spasm coach ..."), or an intent,
        the launch phrases read the way a device reads them."""
        said = normalize(text)
        name = re.escape(self.invocation)
        if re.fullmatch(rf"(?:alexa )?{LAUNCH_WORDS} {name}", said) or said == self.invocation:
            return Understanding(None, launch=True)
        words = r"(?:to|that|if|whether|about|for)"
        one_shot = re.fullmatch(rf"\s*(?:alexa\s+)?{ONE_SHOT_WORDS}\s+{_spaced(self.invocation)}(?:\s+{words})?\s+(.+)",
                                clean(text), re.IGNORECASE | re.ASCII)
        if one_shot:
            found = self.intent_for(one_shot.group(1), today)
            found.launch = True
            return found
        return self.intent_for(text, today)

    def utter(self, text, today=None):
        """VirtualAlexa.utter: "exit" ends the session; "ask", "open", "launch", "tell" or
        "talk to" anywhere launches, with what follows "... to " as the request if there is
        one; anything else is matched."""
        if text == "exit":
            return Understanding(None, session_ended=True)
        if re.search(r"(ask|open|launch|talk to|tell)", text, re.IGNORECASE | re.ASCII):
            request = re.match(rf"(?:ask|open|launch|talk to|tell) {_JS_DOT}* to ({_JS_DOT}*)", text,
                               re.IGNORECASE | re.ASCII)
            if request:
                return self.intent_for(request.group(1), today)
            return Understanding(None, launch=True)
        return self.intent_for(text, today)

    # --- for the developer ------------------------------------------------------------

    def closest(self, text, count=3):
        """When nothing matches: the `count` intents that came closest, each with its
        closest sample and a similarity from 0 to 1 (the phrase's words and the sample's
        literal words in common, each slot standing for one word, over the longer of the
        two): [(intent, sample, similarity)]."""
        words = _ascii_lower(clean(text)).split()
        best = {}
        for sample in self.samples:
            literal = _ascii_lower(" ".join(sample.parts)).split()
            common = sum((Counter(words) & Counter(literal)).values())
            wild = min(len(sample.slots), max(0, len(words) - common))
            size = max(len(words), len(literal) + len(sample.slots)) or 1
            score = (common + wild) / size
            if sample.intent not in best or score > best[sample.intent][1]:
                best[sample.intent] = (sample.text, score)
        ranked = sorted(best.items(), key=lambda item: -item[1][1])
        return [(intent, text, round(score, 2)) for intent, (text, score) in ranked[:count]]


def _spaced(words):
    return r"\s+".join(re.escape(word) for word in words.split())
