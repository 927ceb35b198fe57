"""Red-flag triage: which question to ask next, and what an answer means.

The questions and their urgency come from content/rules.json, most urgent first. A state
is small and plain (it travels in Alexa session attributes between turns). Pure Python.
"""

import re
from dataclasses import asdict, dataclass, replace

# Words that, just before a mention, turn it around: "no fever", "without chest pain".
_NEGATIONS = frozenset({"no", "not", "without", "never", "don't", "doesn't", "didn't", "isn't", "aren't", "none"})


@dataclass(frozen=True)
class State:
    """Where a triage stands: the next question to ask, the most urgent non-emergency level
    found so far (None while nothing was found), and how often the current question got an
    unsure answer."""
    step: int = 0
    level: str | None = None
    unsure: int = 0

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data, questions=None):
        """Rebuild from session attributes; anything malformed (including a step past the
        last of `questions`) starts the triage over."""
        try:
            step, level, unsure = int(data["step"]), data.get("level"), int(data.get("unsure", 0))
        except (TypeError, KeyError, ValueError):
            return cls()
        if step < 0 or (questions is not None and step >= questions):
            return cls()
        return cls(step, level if isinstance(level, str) else None, max(unsure, 0))


@dataclass(frozen=True)
class Ask:
    """Ask `question` next. `note` is a message id to say before it, if any."""
    question: object
    state: State
    note: str | None = None


@dataclass(frozen=True)
class Done:
    """No more questions. `level` is the most urgent level found (a content Level), or None.
    `note` is a message id to say first, if any."""
    level: object
    note: str | None = None


@dataclass(frozen=True)
class Emergency:
    """Stop asking: tell them to get emergency help now. `note` as for Done."""
    level: object
    note: str | None = None


def start(content, floor=None):
    """Begin a triage. `floor` is a level id already known (e.g. the user said it's worse)."""
    return _next(content, State(level=floor))


def answer(content, state, reply):
    """Apply a 'yes', 'no' or 'unsure' reply to the current question."""
    if state.step >= len(content.triage):
        return _next(content, state)
    question = content.triage[state.step]
    if reply == "unsure":
        if state.unsure == 0:
            return Ask(question, replace(state, unsure=1), note="triage_unsure")
        return _found(content, state, question.level, note="triage_unsure_as_yes")
    if reply == "yes":
        return _found(content, state, question.level)
    return _next(content, replace(state, step=state.step + 1, unsure=0))


def volunteer(content, state, flag_id):
    """The user told us about a red flag without being asked. `state` may be None (no
    triage running); then a non-emergency flag starts one at that level."""
    level = content.red_flags[flag_id].level
    if level.ends_session:
        return Emergency(level)
    state = state or State()
    outcome = _next(content, replace(state, level=_higher(content, state.level, level.id), unsure=0))
    return replace(outcome, note="noted_flag") if isinstance(outcome, Ask) else outcome


def _found(content, state, level, note=None):
    if level.ends_session:
        return Emergency(level, note)
    outcome = _next(content, replace(state, level=_higher(content, state.level, level.id), step=state.step + 1, unsure=0))
    return replace(outcome, note=note) if note else outcome


def _next(content, state):
    """The next question that could still change the outcome: one more urgent than what is
    already known. Emergency questions are therefore always asked."""
    known = content.levels[state.level].rank if state.level in content.levels else 0
    for step in range(state.step, len(content.triage)):
        question = content.triage[step]
        if question.level.rank > known:
            return Ask(question, replace(state, step=step))
    return Done(content.levels.get(state.level))


def _higher(content, current, new):
    if current not in content.levels:
        return new
    return new if content.levels[new].rank > content.levels[current].rank else current


def mentioned_flags(content, text):
    """Red flags that free words mention ("i lost control of my bowels"), most urgent
    first. A mention right after a negation ("no chest pain") does not count."""
    found = []
    for flag in content.red_flags.values():
        if any(_affirmed(match, text) for pattern in flag.mentions for match in pattern.finditer(text)):
            found.append(flag)
    found.sort(key=lambda flag: -flag.level.rank)
    return [flag.id for flag in found]


def _affirmed(match, text):
    before = re.split(r"[.!?;,]", text[:match.start()])[-1]
    return not _NEGATIONS.intersection(before.lower().split()[-4:])
