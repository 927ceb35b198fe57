"""A small stand-in for Alexa's language understanding, for the local console and tests.

It reads the skill's own interaction model (interaction_model/.../en-US.json), so there is
no second list of intents to keep: a phrase is matched against every sample utterance, slot
words are checked against the slot's type (custom values and synonyms, or Alexa's built-in
types resolved the way Alexa does, via spasm_coach.spoken_time), and the best match wins.
Nothing matched means AMAZON.FallbackIntent, as on a real device.

It is much simpler than Alexa: no fuzzy matching, no synonyms beyond the model's. If the
console does not understand a phrase, add it to interaction_model/samples/en-US.yaml.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from devkit.alexa import SlotFill
from spasm_coach import spoken_time

MODEL = Path(__file__).resolve().parents[1] / "interaction_model" / "skill-package" / "interactionModels" / "custom" / "en-US.json"



def model_path(locale):
    """The interaction model of `locale` (en-US's while that locale has none of its own)."""
    path = MODEL.with_name(f"{locale}.json")
    return path if path.is_file() else MODEL


# What Alexa understands for built-in intents without any sample of ours.
BUILT_IN_PHRASES = {
    "AMAZON.StopIntent": ["stop", "off", "shut up", "exit", "quit"],
    "AMAZON.CancelIntent": ["cancel", "never mind", "forget it"],
    "AMAZON.HelpIntent": ["help", "help me", "what can i say"],
    "AMAZON.YesIntent": ["yes", "yeah", "sure", "yes please"],
    "AMAZON.NoIntent": ["no", "nope", "no thanks"],
    "AMAZON.RepeatIntent": ["repeat", "say that again", "repeat that"],
    "AMAZON.StartOverIntent": ["start over", "restart", "start again"],
    "AMAZON.NavigateHomeIntent": ["home", "go home"],
}
LAUNCH_WORDS = r"(?:open|launch|start|begin|load|run|talk to|use)"
ONE_SHOT_WORDS = r"(?:ask|tell)"

_RESOLVERS = {
    "AMAZON.DATE": lambda text, today: spoken_time.to_date(text, today),
    "AMAZON.TIME": lambda text, today: spoken_time.to_time(text),
    "AMAZON.DURATION": lambda text, today: spoken_time.to_duration(text),
    "AMAZON.NUMBER": lambda text, today: spoken_time.to_number(text),
}


@dataclass
class Understanding:
    """What the user meant: a launch, or an intent with its slots."""
    intent: str | None
    slots: dict = field(default_factory=dict)
    launch: bool = False

    def describe(self):
        if self.launch and not self.intent:
            return "LaunchRequest"
        slots = " ".join(f"{k}={v.value}" + (f"({v.id})" if v.custom else "") for k, v in self.slots.items())
        return f"{'launch + ' if self.launch else ''}{self.intent} {slots}".strip()


def normalize(text):
    """Lowercase words as Alexa would transcribe them: no punctuation but apostrophes."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9:' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class Model:
    """The interaction model, compiled for matching."""

    def __init__(self, path=MODEL):
        language = json.loads(Path(path).read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
        self.invocation = language["invocationName"]
        self.types = {
            t["name"]: {normalize(word): v.get("id") or v["name"]["value"]
                        for v in t["values"] for word in [v["name"]["value"], *v["name"].get("synonyms", [])]}
            for t in language.get("types", [])
        }
        self.samples = []
        for intent in language["intents"]:
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            phrases = intent.get("samples", []) + BUILT_IN_PHRASES.get(intent["name"], [])
            for sample in phrases:
                self.samples.append((intent["name"], slot_types, *_compile(sample)))

    def understand(self, text, today):
        """Launch phrases, one-shot phrases ("ask back spasm coach ..."), or an intent."""
        said = normalize(text)
        name = re.escape(self.invocation)
        if re.fullmatch(rf"(?:alexa )?{LAUNCH_WORDS} {name}", said) or said == self.invocation:
            return Understanding(None, launch=True)
        one_shot = re.fullmatch(rf"(?:alexa )?{ONE_SHOT_WORDS} {name}(?: (?:to|that|if|whether|about|for))? (.+)", said)
        if one_shot:
            found = self.intent_for(one_shot.group(1), today)
            found.launch = True
            return found
        return self.intent_for(said, today)

    def intent_for(self, said, today):
        best, best_score = None, -1
        for intent, slot_types, regex, literal_chars in self.samples:
            match = regex.fullmatch(said)
            if not match:
                continue
            slots, typed = self._fill(match, slot_types, today)
            if slots is None:
                continue
            score = literal_chars * 10 + typed
            if score > best_score:
                best, best_score = Understanding(intent, slots), score
        return best or Understanding("AMAZON.FallbackIntent")

    def _fill(self, match, slot_types, today):
        """Slot values for a sample match, or None when a slot's words don't fit its type."""
        slots, typed = {}, 0
        for name, words in match.groupdict().items():
            kind = slot_types.get(name)
            if kind in _RESOLVERS:
                resolved = _RESOLVERS[kind](words, today)
                if resolved is None:
                    return None, 0
                slots[name], typed = SlotFill(resolved), typed + 1
            elif kind in self.types:
                value_id = self.types[kind].get(words)
                if value_id is None:
                    return None, 0
                slots[name], typed = SlotFill(words, value_id, custom=True), typed + 1
            else:  # e.g. AMAZON.SearchQuery: whatever was said
                slots[name] = SlotFill(words)
        return slots, typed


def _compile(sample):
    """A sample utterance as a regex with one named group per {slot}, and how many literal
    characters it has (more literal text = a more specific match)."""
    parts, literal = [], 0
    for piece in re.split(r"(\{\w+\})", _clean_sample(sample)):
        if piece.startswith("{"):
            parts.append(rf"(?P<{piece[1:-1]}>.+?)")
        elif piece:
            parts.append(re.escape(piece))
            literal += len(piece.strip())
    return re.compile("".join(parts)), literal


def _clean_sample(sample):
    """A sample cleaned like spoken text (see normalize), keeping its {slot} references."""
    text = re.sub(r"[^a-z0-9:' {}_]+", " ", sample.lower().replace("’", "'"))
    return re.sub(r"\s+", " ", text).strip()
