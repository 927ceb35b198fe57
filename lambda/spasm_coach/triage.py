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


def flags_in(content, text):
    """(mentioned, denied): the red flags free words mention ("i lost control of my
    bowels"), most urgent first, and those they say are absent; each flag's mentions are
    matched once for both.

    A mention right after a negation ("no chest pain") does not count, nor one that takes
    in a negation its pattern does not ask for ("my bladder has never been a problem").

    Denied: words that, taken whole, are nothing but a denial of a mention ("i've never had
    cancer", "not on any steroids or chemo", "no fever at all"), a mention turned around
    inside ("my bladder has never been a problem"), or all of a flag's own denial ("my
    chest is fine", rules.json `denials`). Never a flag also mentioned as present, nor
    anything in words that say something is new ("i've never had pain like this in my
    chest"), nor words that go on to say more ("my chest is fine apart from a tight
    feeling"). A "no" alone before a mention may answer a question and then say the sign
    ("no pins and needles in both legs"): it denies only with more of the same after it
    ("no fever at all"). A sign that is itself a negation ("can't pee") is never undone by
    the "no" before it, and a sign said in the clause after a denial counts ("my chest
    doesn't hurt it just feels tight")."""
    text = " ".join(text.lower().split())
    newly = bool(_NEWLY.search(text))
    bare = _around_denial(text)
    mentioned, denied = [], []
    rest = _without_denied_clauses(text)
    for flag in content.red_flags.values():
        mentions = list(_matches(flag.mentions, text))
        if any(affirmed(match, text) for match in mentions + _past_contrast(mentions, text)) or (
                rest != text and any(affirmed(match, rest) for match in _matches(flag.mentions, rest))):
            mentioned.append(flag)
        elif text and not newly and (any(_denies(match, text) for match in mentions)
                                     or any(pattern.fullmatch(words) for pattern in flag.denials for words in bare)):
            denied.append(flag.id)
    mentioned.sort(key=lambda flag: -flag.level.rank)
    return [flag.id for flag in mentioned], denied


def _past_contrast(mentions, text):
    """The mentions found again after a contrast word inside one ("not pain exactly more
    a tightness in my chest": "tightness in my chest"). Only ever read for mentions, so
    they can add a sign, never rule one out."""
    found = []
    for match in mentions:
        contrast = _CONTRAST_WORD.search(match.group(0))
        again = contrast and match.re.search(text, match.start() + contrast.end())
        if again:
            found.append(again)
    return found


def _without_denied_clauses(text):
    """`text` without what a negation denies up to where a new clause begins: "my chest
    doesn't hurt it just feels tight" still says "my chest ... feels tight". Only ever
    read for mentions, so it can add a sign, never rule one out."""
    words = text.split()
    keep = [True] * len(words)
    for i, word in enumerate(words):
        if word in _NEGATIONS:
            end = next((j for j in range(i + 1, len(words))
                        if words[j] in _CLAUSE_SUBJECTS or _CLAUSE_BREAK.fullmatch(words[j])), None)
            if end is not None:
                keep[i:end] = [False] * (end - i)
    return " ".join(word for word, kept in zip(words, keep) if kept)


def _around_denial(text):
    """`text`, and it without the words that may go around a flag's own denial ("nah no
    cancer thank god"): each leading one in turn, and any reassurance after it."""
    words = _AFTER_DENIAL.sub("", text).split()
    found = {text}
    for start in range(len(words)):
        found.add(" ".join(words[start:]))
        if words[start] not in _BEFORE_DENIAL:
            break
    return found


def mentioned_flags(content, text):
    """The red flags free words mention, most urgent first (flags_in)."""
    return flags_in(content, text)[0]


def denied_flags(content, text):
    """The red flags free words say are absent (flags_in)."""
    return flags_in(content, text)[1]


def _matches(patterns, text):
    return (match for pattern in patterns for match in pattern.finditer(text))


def _denies(match, text):
    """Whether the words are nothing but a denial of this mention: turned around inside it,
    or a denial just before it that begins the words; and nothing after it but more of
    the same ("my chest doesn't hurt it just feels tight" denies nothing). A mention that
    is itself a negation ("can't pee") is never denied: "no, can't pee at all" says it."""
    words = re.findall(r"[\w']+", match.group(0).lower())
    if _says_not(match) or _CONTRAST.intersection(words) or any(
            _starts_clause(words, j) for j in range(1, len(words))):
        return False  # a denial of a compact mention only: "i don't have numbness in my legs it's in my bum"
    after = text[match.end():]
    if not _DENIAL_AFTER.fullmatch(after):
        return False
    if _negated_inside(match):
        # only a negation of the sign word itself: "my bones aren't brittle", never "my
        # legs don't hurt keep giving way"
        negation = max(i for i, word in enumerate(words) if word in _NEGATIONS)
        return len(words) - negation <= 4 and bool(_LEAD.fullmatch(text[:match.start()].strip()))
    if _own_subject(match):
        return False
    before = _DENIAL_BEFORE.fullmatch(text[:match.start()].strip())
    # a "no" alone may answer no and then name the sign ("no, pins and needles in both
    # legs"): it denies only after a "nope" ("nope no sciatica") or with more of the same
    # after it ("no fever at all")
    return bool(before) and (before.group("negation") != "no" or bool(_NOPE.search(before.group("lead")))
                             or bool(_FIRMLY.search(after)))


# A negation reaches only as far as its own clause: "nothing helps and i wet myself".
_CLAUSE_BREAK = re.compile(r"[.!?;,]|\b(?:and|but|except|though|although|because|so|while|when|then|plus|just|only)\b")


# ... and not past a new subject: in "no, i can't feel my legs" the "no" answers a question.
_SUBJECTS = frozenset({"i", "i've", "i'm", "i'd", "my", "it", "it's", "we", "they", "they're", "they've", "we're",
                       "we've", "you're"})

# ... but "my" after a preposition is inside the clause ("no pain in my chest").
_PREPOSITIONS = frozenset({"in", "on", "to", "into", "down", "across", "around", "of", "with", "from", "through",
                           "near", "under", "at", "round"})
# ... of which those that begin a clause of their own ("my" may be inside one: "no pain in my chest").
_CLAUSE_SUBJECTS = _SUBJECTS - {"my"}

# Words that may begin a denial: an answer of no ("nope"), then openers ("well").
_NO_ANSWERS, _OPENERS = ("no", "nope", "nah"), ("well", "um", "uh", "honestly", "actually")
# Words that are a denial up to a mention: "i've never had", "i'm not on any", "there's no".
_DENIAL_BEFORE = re.compile(
    rf"(?P<lead>(?:(?:{'|'.join(_NO_ANSWERS)})\s+)*)(?:(?:{'|'.join(_OPENERS)})\s+)*"
    r"(?:(?:i|i've|i have|i'm|i am|i've got|i have got|there's|there is|there are|i do|i did|and)\s+)?"
    r"(?P<negation>no|not|never|don't|do not|haven't|have not|hasn't|didn't|did not|wasn't|isn't|aren't|without|"
    r"nothing|none)"
    r"(?:\s+(?:have|has|had|got|get|been|feel|felt|notice|noticed|any|a|an|real|some|signs? of|on|in|like|taking|"
    r"problems? with|trouble with|issues? with|even|ever|[\w']+ or|[\w']+ nor))*")
# ... and what may follow the mention: more of the same ("at all", "or chills").
_REASSURED = (r"at all|whatsoever|either|of any kind|or anything(?: like that)?|(?:or )?nothing like that|thanks|"
              r"thank you|thank god|thank goodness|thankfully|that i know of|as far as i know|i checked|honestly|"
              r"really|so far|in my life|no|none|ever|not at all")
_DENIAL_AFTER = re.compile(rf"(?:\s+(?:{_REASSURED}|(?:or|nor) [\w']+(?: [\w']+)?))*\s*")
# ... and what a flag's own denial may have around it ("nah my chest is fine thank god").
_BEFORE_DENIAL = frozenset(_NO_ANSWERS + _OPENERS)
_AFTER_DENIAL = re.compile(rf"(?:\s+(?:{_REASSURED}))*$")
# ... and what may come before a mention turned around inside ("no my bladder's never been a problem").
_LEAD = re.compile(r"((no|nope|nah|well|oh|my|the|me)\s*)*")
_NOPE = re.compile(rf"\b({'|'.join(word for word in _NO_ANSWERS if word != 'no')})\b")
_FIRMLY = re.compile(r"\b(at all|whatsoever|either|of any kind|or anything|nothing like that|or|nor)\b")
# Words that say something is new or worse than ever, which "never" or "no" then affirms.
_NEWLY = re.compile(r"\b(like this|this (bad|high|much|severe|strong|intense|numb|weak|painful|sore|hot)|"
                    r"until|till|up to now|before (now|today|this)|first time|ever since|anymore|any more)\b")


_CANNOT = frozenset({"can't", "cannot", "couldn't"})
# Words after a negation that take it for themselves: "i don't know what the chest pain means".
_NOT_OF_THE_SIGN = frozenset({"mention", "realise", "realize", "realised", "realized", "stop", "stops", "stopped",
                              "stopping", "quit", "ceased", "warning", "reason", "explanation", "idea", "clue"})
# ... and "don't know" followed by one of these: "i don't know why my chest hurts".
_KNOW, _WHAT = frozenset({"know", "understand"}), frozenset({"if", "whether", "what", "why", "how"})
# Words inside a mention that say the words go on past what a denial denies ("i don't
# have any pain except in my chest", "my bum isn't sore more numb").
_CONTRAST = frozenset({"except", "apart", "only", "just", "more", "rather", "but", "instead", "now", "still",
                       "though", "keep", "keeps", "kept", "there's", "problem"})

_CONTRAST_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_CONTRAST))})\b")


def _of_the_sign(words, i):
    """Whether the negation words[i] is of the sign that follows, not of another verb: not
    "hasn't stopped leaking", "didn't realise", "don't know why"."""
    following = words[i + 1] if i + 1 < len(words) else ""
    if following in _NOT_OF_THE_SIGN:
        return False
    return not (following in _KNOW and i + 2 < len(words) and words[i + 2] in _WHAT)


def _clause_before(match, text):
    return _CLAUSE_BREAK.split(text[:match.start()].lower())[-1]


def _own_subject(match):
    """Whether the mention begins a statement of its own ("my legs are numb"): then no
    word before it turns it around ("no my legs are numb" answers no, then says so)."""
    words = match.group(0).lower().split()
    return bool(words) and words[0] in _SUBJECTS


def affirmed(match, text):
    """Whether the mention `match` in `text` says its sign is there: unless it begins a
    statement of its own or the words say something is new ("i've never had pain like
    this in my chest"), no negation before it in its clause (since the clause's last
    subject; "i can't walk without" is none); and none inside it that its pattern does
    not ask for."""
    if not _own_subject(match) and not _says_not(match) and not _NEWLY.search(text):
        words = _clause_before(match, text).split()
        subject = max((i for i, word in enumerate(words) if word in _SUBJECTS and _starts_clause(words, i)),
                      default=-1)
        # a negation reaches four words back, or all along a list ("not on steroids or chemo")
        reach = words[subject + 1:] if words[-1:] in (["or"], ["nor"]) else words[subject + 1:][-4:]
        start = len(words) - len(reach)
        negations = {word for i, word in enumerate(reach)
                     if word in _NEGATIONS and _of_the_sign(words + match.group(0).lower().split(), start + i)}
        if negations and not (negations == {"without"} and _CANNOT.intersection(words)):
            return False
    return not _negated_inside(match)


def _says_not(match):
    """Whether the mention is itself a negation its pattern asks for, near its start
    ("can't pee", "nothing helps", "no feeling in my legs", "the pain isn't easing"): a
    "no" before it answers a question, and the words still say the sign."""
    words = re.findall(r"[\w']+", match.group(0).lower())
    return any((word in _NEGATIONS or word in _CANNOT) and _needed(match, words, i)
               for i, word in enumerate(words[:4]))


def _negated_inside(match):
    """Whether the mention takes in a negation its pattern does not ask for, which says the
    sign is not there ("my bones aren't brittle"); the patterns' gaps are lazy, so the
    mention is the shortest span that names the sign."""
    words = re.findall(r"[\w']+", match.group(0).lower())
    # a negation in an earlier clause of the mention does not reach its end: "my bum
    # doesn't hurt but it feels numb" says the sign
    return any(word in _NEGATIONS and not _needed(match, words, i) and _of_the_sign(words, i)
               and not any(_starts_clause(words, j) for j in range(i + 1, len(words)))
               for i, word in enumerate(words))


def _starts_clause(words, i):
    """Whether words[i] begins a clause of its own: a subject (not a "my" after a
    preposition: "down my leg") or a clause break."""
    word = words[i]
    if word == "my" and i and words[i - 1] in _PREPOSITIONS:
        return False
    return word in _SUBJECTS or bool(_CLAUSE_BREAK.fullmatch(word))


def _needed(match, words, i):
    """Whether the mention's pattern needs words[i] to name its sign: "can't" in "can't
    pee" (without it, no mention), not the "no" in "between my legs no tingling" (its
    pattern takes "no feeling", and finds "between my legs tingling" without it)."""
    return not match.re.search(" ".join(words[:i] + words[i + 1:]))


def asking_say(content, state):
    """The message id of the question `state` is asking, or None when it asks nothing
    (malformed, or already answered)."""
    following = _next_question(content, state)
    return following[1] if following and following[0] == state.asking else None
