"""Red-flag triage: which question to ask next, and what the answers add up to.

The questions come from content/rules.json. A question may group several signs of one
topic ("numbness in a leg, or pain in both legs?"). A yes to a group is narrowed down by
asking each more urgent sign of it on its own; a sign that nothing else can explain any
more counts as present. A sign with `after` (thin bones) is asked only once the sign it
follows (a fall) is known.

The rule that keeps it safe: the next question is always the first one that could still
raise the level (its most urgent sign is more urgent than what is known). So every
emergency question comes before any same-day one, those before the provider ones, and a
yes skips only what could not change the advice.

"Not sure" gets the question once more in plainer words, a sign at a time when it was a
group; still not sure counts as a yes, except for an emergency sign, which counts as the
`unsure_emergency` level (same-day) with the emergency signs said as a safety net.

A state is small and plain: it travels in Alexa session attributes between turns. Pure
Python: nothing here knows about Alexa.
"""

import functools
import re
from dataclasses import dataclass, field, replace

# Words that, just before a mention, turn it around: "no fever", "without chest pain".
_NEGATIONS = frozenset({"no", "not", "without", "never", "don't", "doesn't", "didn't", "isn't", "aren't", "none",
                        "nothing", "wasn't", "weren't", "haven't", "hasn't", "neither", "nor"})
ANSWERS = ("yes", "no", "unsure")  # what a sign can be known as
GROUP_ANSWERS = ("yes", "no", "split")  # what a grouped question can be known as ("split": unsure)


@dataclass(frozen=True)
class State:
    """What the triage knows. `known`: {sign id: 'yes'|'no'|'unsure'}; `groups`: {question
    id: 'yes'|'no'|'split'}; `asking`: the question just asked ('q:<question id>' or
    'f:<sign id>'); `unsure`: how often it got 'not sure' already; `floor`: a level id
    known from elsewhere (the user said it got worse)."""
    known: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    asking: str | None = None
    unsure: int = 0
    floor: str | None = None

    def to_dict(self):
        return {"known": dict(self.known), "groups": dict(self.groups), "asking": self.asking,
                "unsure": self.unsure, "floor": self.floor}

    @classmethod
    def from_dict(cls, data, content):
        """Rebuild from session attributes, keeping only what makes sense for `content`;
        anything malformed is dropped (so at worst a question is asked again)."""
        if not isinstance(data, dict):
            return cls()
        known, groups = data.get("known"), data.get("groups")
        known = {k: v for k, v in known.items() if k in content.red_flags and v in ANSWERS} \
            if isinstance(known, dict) else {}
        questions = {q.id for q in content.triage}
        groups = {k: v for k, v in groups.items() if k in questions and v in GROUP_ANSWERS} \
            if isinstance(groups, dict) else {}
        asking = data.get("asking") if isinstance(data.get("asking"), str) else None
        unsure = data.get("unsure")
        unsure = unsure if isinstance(unsure, int) and not isinstance(unsure, bool) and 0 <= unsure <= 1 else 0
        floor = data.get("floor") if data.get("floor") in content.levels else None
        return cls(known, groups, asking, unsure, floor)


@dataclass(frozen=True)
class Ask:
    """Ask `say` (a message id) next. `note` is a message id to say before it, if any."""
    say: str
    state: State
    note: str | None = None


@dataclass(frozen=True)
class Done:
    """No more questions. `level` is the most urgent level found (a content Level), or None;
    `safety_net`: an emergency sign stayed unsure, so the emergency signs must be said.
    `note` is a message id to say first, if any."""
    level: object
    safety_net: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Emergency:
    """Stop asking: tell them to get emergency help now. `note` as for Done."""
    level: object
    note: str | None = None


def start(content, floor=None, facts=None):
    """Begin a triage. `floor` is a level id already known (e.g. the user said it's worse);
    `facts` {sign id: 'yes'|'no'} what the user already told us (the cause of the spasm)."""
    return learn(content, State(floor=floor if floor in content.levels else None), facts or {})


def learn(content, state, facts, note=None):
    """Add what the user told us without being asked ("I don't have chest pain", a cause
    that rules a sign out or in). A 'yes' always counts; anything else only for a sign
    not known yet: a sign present or counted as present (a 'yes', a 'not sure', the one
    sign left of a group answered yes) is never undone by a later 'no'."""
    known, settled = dict(state.known), _settled(content, state)
    for flag_id, value in facts.items():
        if flag_id not in content.red_flags or value not in ANSWERS:
            continue
        if value == "yes" or flag_id not in settled:
            known[flag_id] = value
    return _next(content, replace(state, known=known), note)


def volunteer(content, state, flag_id):
    """The user told us about a red flag without being asked. `state` may be None (no
    triage running); then one starts with that sign known."""
    outcome = learn(content, state or State(), {flag_id: "yes"})
    return replace(outcome, note="noted_flag") if isinstance(outcome, Ask) else outcome


def answer(content, state, reply):
    """Apply a 'yes', 'no' or 'unsure' reply to the question just asked. A reply to a
    question that is no longer the one to ask changes nothing: that one is asked."""
    asking = _next_question(content, state)
    if asking is None or asking[0] != state.asking:
        return _next(content, state)
    kind, _, item = state.asking.partition(":")
    known, groups = dict(state.known), dict(state.groups)
    note = None
    if kind == "q":
        question = _question(content, item)
        open_flags = [f for f in question.flags if f not in known]
        if reply == "yes":
            groups[item] = "yes"
        elif reply == "no":
            groups[item] = "no"
            known.update({f: "no" for f in open_flags})
        else:
            groups[item], note = "split", "triage_unsure"
    elif reply in ("yes", "no"):
        known[item] = reply
    elif state.unsure == 0:
        return Ask(content.red_flags[item].ask, replace(state, unsure=1), note="triage_unsure_one")
    else:
        known[item] = "unsure"
        note = "triage_unsure_emergency" if content.red_flags[item].level.ends_session else "triage_unsure_as_yes"
    return _next(content, replace(state, known=known, groups=groups), note)


def level(content, state):
    """The most urgent level the answers so far add up to (a content Level), or None."""
    known = _settled(content, state)
    ranked = [content.levels[state.floor]] if state.floor in content.levels else []
    for flag_id, value in known.items():
        flag = content.red_flags[flag_id]
        if value == "yes":
            ranked.append(flag.level)
        elif value == "unsure":
            ranked.append(content.unsure_emergency if flag.level.ends_session else flag.level)
    for question in content.triage:
        if state.groups.get(question.id) == "yes" and not any(known.get(f) == "yes" for f in question.flags):
            possible = [content.red_flags[f].level for f in question.flags if known.get(f) != "no"]
            if possible:
                ranked.append(min(possible, key=lambda lv: lv.rank))
    return max(ranked, key=lambda lv: lv.rank) if ranked else None


def asked_about(content, state):
    """The signs the questions asked so far were about, or that the user told us about."""
    found = set(_settled(content, state))
    for question in content.triage:
        if question.id in state.groups:
            found.update(question.flags)
    return found


def _settled(content, state):
    """`state.known` with what follows from it: in a grouped question answered yes, the
    one sign left that nothing else explains is present."""
    known = dict(state.known)
    for question in content.triage:
        if state.groups.get(question.id) != "yes" or any(known.get(f) in ("yes", "unsure") for f in question.flags):
            continue
        open_flags = [f for f in question.flags if f not in known]
        if len(open_flags) == 1:
            known[open_flags[0]] = "yes"
    for flag in content.follow_ups:
        if flag.id not in known and known.get(flag.after) == "no":
            known[flag.id] = "no"  # no fall, so no fall with thin bones
    return known


def _question(content, question_id):
    return next(q for q in content.triage if q.id == question_id)


def _reach(content, flag_id):
    """The most urgent rank asking about this sign can lead to: its own, or that of a
    follow-up asked only after it (a fall can lead to thin bones)."""
    return max([content.red_flags[flag_id].level.rank] +
               [flag.level.rank for flag in content.follow_ups if flag.after == flag_id])


def _candidates(content, state):
    """(rank it can reach, order, 'q:id' or 'f:sign', message id) for every question
    still open."""
    known = _settled(content, state)
    found = []
    for index, question in enumerate(content.triage):
        open_flags = [f for f in question.flags if f not in known]
        if not open_flags:
            continue
        group = state.groups.get(question.id)
        if group is None and len(open_flags) == len(question.flags):
            reach = max(_reach(content, f) for f in question.flags)
            found.append((reach, index * 10, f"q:{question.id}", question.say))
            continue
        floor_rank = 0
        if group == "yes" and not any(known.get(f) in ("yes", "unsure") for f in question.flags):
            floor_rank = min(content.red_flags[f].level.rank for f in open_flags)  # one of them is there
        for position, flag_id in enumerate(question.flags):
            if flag_id in open_flags and _reach(content, flag_id) > floor_rank:
                found.append((_reach(content, flag_id), index * 10 + position + 1, f"f:{flag_id}",
                              content.red_flags[flag_id].ask))
    for flag in content.follow_ups:
        if flag.id not in known and known.get(flag.after) == "yes":
            index = next(i for i, q in enumerate(content.triage) if flag.after in q.flags)
            found.append((flag.level.rank, index * 10 + 9, f"f:{flag.id}", flag.ask))
    return found


def _next_question(content, state):
    """('q:id' or 'f:sign', message id) of the next question, or None when nothing left
    could raise the level."""
    current = level(content, state)
    known_rank = current.rank if current else 0
    open_questions = [c for c in _candidates(content, state) if c[0] > known_rank]
    if not open_questions:
        return None
    best = min(open_questions, key=lambda c: (-c[0], c[1]))
    return best[2], best[3]


def _next(content, state, note=None):
    known = _settled(content, state)
    found = level(content, state)
    if found is not None and found.ends_session:
        return Emergency(found, note)
    following = _next_question(content, state)
    if following is None:
        safety_net = any(v == "unsure" and content.red_flags[f].level.ends_session for f, v in known.items())
        return Done(level(content, state), safety_net, note)
    asking, say = following
    in_split = asking.startswith("f:") and any(
        state.groups.get(q.id) == "split" and asking[2:] in q.flags for q in content.triage)
    unsure = state.unsure if asking == state.asking else (1 if in_split else 0)
    return Ask(say, replace(state, asking=asking, unsure=unsure), note)


def mentioned_flags(content, text):
    """Red flags that free words mention ("i lost control of my bowels"), most urgent
    first. A mention right after a negation ("no chest pain") does not count, nor one
    that takes in a negation its pattern does not ask for ("my bladder has never been a
    problem"), nor one that takes in the sign's own denial ("my chest is fine but my back
    is sore")."""
    found = [flag for flag in content.red_flags.values()
             if any(_stands(flag, match, text) for match in _matches(flag.mentions, text))]
    found.sort(key=lambda flag: -flag.level.rank)
    return [flag.id for flag in found]


def denied_flags(content, text):
    """Red flags that free words say are absent, none of them also mentioned as present:
    a mention said right after a denial ("no numbness down there", "i'm not on steroids",
    "i didn't fall") or turned around inside ("my bladder has never been a problem"), or a
    flag's own denial ("my chest is fine", rules.json `denials`).
    A negation further away ("i don't know, my legs feel numb") denies nothing: it
    only keeps the mention from counting (mentioned_flags)."""
    found = []
    for flag in content.red_flags.values():
        mentions = list(_matches(flag.mentions, text))
        if any(_stands(flag, match, text) for match in mentions):
            continue
        if any(_negated_inside(match) or not _own_subject(match) and _DENIED_JUST_BEFORE.search(
                _clause_before(match, text)) for match in mentions) \
                or any(pattern.search(text) for pattern in flag.denials):
            found.append(flag.id)
    return found


def _stands(flag, match, text):
    """Whether this mention of `flag` says it is there: affirmed, and not overlapping the
    flag's own denial."""
    return affirmed(match, text) and not any(
        denial.start() < match.end() and match.start() < denial.end()
        for pattern in flag.denials for denial in pattern.finditer(text))


def _matches(patterns, text):
    return (match for pattern in patterns for match in pattern.finditer(text))


# A negation reaches only as far as its own clause: "nothing helps and i wet myself".
_CLAUSE_BREAK = re.compile(r"[.!?;,]|\b(?:and|but|except|though|although|because|so|while|when|then|plus)\b")


# ... and not past a new subject: in "no, i can't feel my legs" the "no" answers a question.
_SUBJECTS = frozenset({"i", "i've", "i'm", "i'd", "my", "it", "it's", "we", "they"})

# A denial said just before what it denies: "no", "never had any", "i'm not on",
# "i don't think i have a". Nothing but these words may come between.
_DENIED_JUST_BEFORE = re.compile(
    r"(^|\s)(no|not|never|without|nothing|none|don't|doesn't|didn't|haven't|hasn't|wasn't|weren't|isn't|aren't|"
    r"don't think (i have|i've got|i've had|there's|there is|i am|i'm|i was))"
    r"( (have|has|had|got|get|been|feel|felt|notice|noticed|any|a|an|real|some|signs? of|sign of|on|in|like|"
    r"problems? with|trouble with|issues? with|even|ever|\w+ or|\w+ nor))*\s*$")


def _clause_before(match, text):
    return _CLAUSE_BREAK.split(text[:match.start()].lower())[-1]


def _own_subject(match):
    """Whether the mention begins a statement of its own ("my legs are numb"): then no
    word before it turns it around ("no my legs are numb" answers no, then says so)."""
    words = match.group(0).lower().split()
    return bool(words) and words[0] in _SUBJECTS


def affirmed(match, text):
    """Whether the mention `match` in `text` says its sign is there: unless it begins a
    statement of its own, no negation before it in its clause (since the clause's last
    subject) and no denial just before it ("i don't think i have a fever"); and none
    inside it that its pattern does not ask for."""
    if not _own_subject(match):
        before = _clause_before(match, text)
        if _DENIED_JUST_BEFORE.search(before):
            return False
        words = before.split()
        subject = max((i for i, word in enumerate(words) if word in _SUBJECTS), default=-1)
        if _NEGATIONS.intersection(words[subject + 1:][-4:]):
            return False
    return not _negated_inside(match)


def _negated_inside(match):
    """Whether the mention takes in a negation its pattern does not ask for, which says the
    sign is not there ("my bones aren't brittle"); the patterns' gaps are lazy, so the
    mention is the shortest span that names the sign."""
    inside = set(re.findall(r"[\w']+", match.group(0).lower())) & _NEGATIONS
    return not inside <= _pattern_words(match.re.pattern)


@functools.lru_cache(maxsize=512)
def _pattern_words(pattern):
    """The words a mention pattern spells out (its regex escapes such as \\b left out)."""
    return frozenset(re.findall(r"[a-z']+", re.sub(r"\\[a-zA-Z]", " ", pattern.lower())))


def asking_say(content, state):
    """The message id of the question `state` is asking, or None when it asks nothing
    (malformed, or already answered)."""
    following = _next_question(content, state)
    return following[1] if following and following[0] == state.asking else None
