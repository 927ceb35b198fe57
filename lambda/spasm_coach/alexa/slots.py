"""Reading slots from an IntentRequest, defensively (any of it may be missing)."""

import datetime
import functools
import re
from dataclasses import dataclass, field

from ask_sdk_core.utils import get_intent_name
from ask_sdk_model.slu.entityresolution import StatusCode

from .. import care, spoken_time, triage, words

FREE_TEXT_MAX_CHARS = 500
# The slot of DenySignIntent ("I don't have chest pain"): a red flag the user rules out.
# Its words never count as a mention of that flag, resolved or not.
DENIED = "denied"


def _slot(handler_input, name):
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = getattr(intent, "slots", None) or {}
    return slots.get(name)


def value(handler_input, name):
    """What filled the slot (Alexa's resolved value for built-in types), or None."""
    slot = _slot(handler_input, name)
    text = getattr(slot, "value", None)
    return text.strip() if isinstance(text, str) and text.strip() else None


def values(handler_input, *names):
    return {name: value(handler_input, name) for name in names}


def _matched_ids(slot):
    """The value ids entity resolution matched for `slot`, in its order."""
    found = []
    resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
    for resolution in resolutions:
        if getattr(getattr(resolution, "status", None), "code", None) != StatusCode.ER_SUCCESS_MATCH:
            continue
        for item in resolution.values or []:
            candidate = getattr(getattr(item, "value", None), "id", None)
            if candidate not in found:
                found.append(candidate)
    return found


def value_id(handler_input, name, known):
    """The id of a custom slot value: from entity resolution when it matched, else the
    spoken value itself when it is one of the `known` ids. None when neither."""
    slot = _slot(handler_input, name)
    for candidate in _matched_ids(slot):
        if candidate in known:
            return candidate
    spoken = value(handler_input, name)
    candidate = spoken.lower().replace(" ", "_") if spoken else None
    return candidate if candidate in known else None


def denied_id(handler_input, known):
    """The one red flag (an id of `known`) the `denied` slot rules out, or None. Only a
    value entity resolution matched counts; when it matched several signs, which one was
    meant is not known. A "no" is never guessed, so words that did not resolve add
    nothing (not even when they spell an id)."""
    matched = [candidate for candidate in _matched_ids(_slot(handler_input, DENIED)) if candidate in known]
    return matched[0] if len(matched) == 1 else None


def free_text(handler_input):
    """Words of this request that reached us unresolved: slot values that are neither
    matched custom values nor Alexa-resolved dates, times or durations (a client that
    sends raw words, AMAZON.SearchQuery, a custom value Alexa could not match). The
    `denied` slot's words are left out: they name what the user does NOT have."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    texts = []
    for name, slot in (getattr(intent, "slots", None) or {}).items():
        if name == DENIED or getattr(slot, "name", None) == DENIED:
            continue
        text = getattr(slot, "value", None)
        if not isinstance(text, str) or not text.strip():
            continue
        resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
        if any(getattr(getattr(r, "status", None), "code", None) == StatusCode.ER_SUCCESS_MATCH for r in resolutions):
            continue
        value = text.strip()
        if spoken_time.is_alexa_value(value):
            continue
        texts.append(value)
    # What a person says in one breath is short; the cap keeps the red-flag patterns
    # (triage.mentioned_flags) fast on junk of any length.
    return " ".join(texts)[:FREE_TEXT_MAX_CHARS]


RECENT_NOW = "now"  # the ONSET_RECENT slot value for "just now", "a moment ago"...
ONSET_SLOTS = ("date", "time", "duration")


@dataclass(frozen=True)
class Said:
    """What one IntentRequest said, read once: the intent, the most urgent red flag its
    words name (`sign`), the red flags it tells us are present or ruled out (`facts`:
    {sign id: 'yes'|'no'}, from the sign slot, a report's cause, free words and, as 'no'
    only, the denied slot of DenySignIntent or words that deny a sign), an onset
    ({date, time, duration} as spoken, or None), a report's cause (from its slot or its
    words), and the ids of its other slots."""
    intent: str | None
    sign: str | None = None
    facts: dict = field(default_factory=dict)
    onset: dict | None = None
    topic: str | None = None
    status: str | None = None
    reminder: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class Meant:
    """What unresolved words mean (reread): the intent, and the topic, check-in status or
    reminder kind they name."""
    intent: str | None
    topic: str | None = None
    status: str | None = None
    reminder: str | None = None


# Intents whose words, when they reached us unresolved, may say what was meant
# (words.read): OnsetIntent takes whatever no other sample of the model takes
# (virtual-alexa gives it the phrase as its date); a TopicIntent's topic may not resolve.
ONSET, TOPIC, REPORT = "OnsetIntent", "TopicIntent", "ReportSpasmIntent"
YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"
DENY, CHECKIN, FALLBACK = "DenySignIntent", "CheckInIntent", "AMAZON.FallbackIntent"
# The intent of each of rules.json's reading.requests (words.request).
REQUESTS = {
    "cancel_reminders": "CancelRemindersIntent", "list_reminders": "ListRemindersIntent",
    "set_reminder": "SetReminderIntent", "ice_or_heat": "IceOrHeatIntent", "start_over": "AMAZON.StartOverIntent",
    "repeat": "AMAZON.RepeatIntent", "help": "AMAZON.HelpIntent", "more_tips": "MoreTipsIntent",
    "unsure": "UnsureIntent", "cancel": "AMAZON.CancelIntent", "stop": "AMAZON.StopIntent",
    "delete_data": "DeleteDataIntent",
}


_ANY_DAY = datetime.date(2000, 1, 1)  # whether words name a time does not depend on the day
_BUT = re.compile(r"\b(but|except|apart from)\b")  # "better but my legs are numb": more is said


class _Words:
    """Unresolved words being reread, with what is known of them so far."""

    def __init__(self, content, text, denied):
        self.content, self.text = content, text
        self.denied = triage.denied_flags(content, text) if denied is None else denied

    @functools.cached_property
    def question(self):
        return words.is_question(self.content, self.text)

    @functools.cached_property
    def meaning(self):
        return words.read(self.content, self.text)

    def requested(self, read):
        wanted = words.request(self.content, self.text, read)
        return Meant(REQUESTS[wanted.id], reminder=wanted.reminder) if wanted else None

    def names_an_onset(self):
        return words.is_circumstance(self.content, self.text) or spoken_time.scan(self.text, _ANY_DAY)


# What unresolved words of an OnsetIntent (virtual-alexa's catch-all) mean: the first reader
# below that says something wins. Safety first: an answer stays that answer, a denial rules
# out only what it names, and a spasm report comes before anything the words might ask for.
def _as_answer(w):        # "yes a little", "nah i'm fine": the answer to what we asked
    answer = words.reply(w.content, w.text)
    return Meant({words.YES: YES, words.NO: NO}[answer]) if answer else None


def _as_denial(w):        # "my chest is fine", "i'm not on steroids or chemo"
    return Meant(DENY) if w.denied and not w.question else None


def _as_report(w):        # "my back's in bits", "is yoga ok when my back has locked up"
    return Meant(REPORT, w.meaning.topic) if w.meaning and w.meaning.kind == words.REPORT else None


def _as_topic_question(w):  # "would a tennis ball on the knot help"
    return Meant(TOPIC, w.meaning.topic) if w.meaning and w.question else None


def _as_status(w):        # "pretty much how it was", "i can move a lot more now"; not "better but ..."
    if w.question or words.is_answer(w.content, w.text) or _BUT.search(w.text):
        return None
    status = words.status(w.content, w.text)
    return Meant(CHECKIN, status=status) if status else None


def _as_onset(w):         # "while i was gardening", "about two hours ago"; not "who won last night"
    if not w.names_an_onset():
        return None
    return Meant(FALLBACK) if w.question and not w.meaning else Meant(ONSET)


def _as_topic(w):         # "a massage gun", "i'm so anxious about all this"
    return Meant(TOPIC, w.meaning.topic) if w.meaning else None


ONSET_READERS = (
    _as_answer,
    _as_denial,
    _as_report,
    lambda w: w.requested("before_topics"),  # reminders, ice or heat, start over, repeat...
    _as_topic_question,
    _as_status,
    lambda w: w.requested("after_topics"),   # help, more tips, cancel, stop
    _as_onset,
    _as_topic,
    lambda w: w.requested("last"),           # "not sure" (after the onset: "not sure, maybe tuesday")
)


def reread(content, intent, text, denied=None):
    """The Meant of the unresolved words `text` of a request for `intent` (fillers before
    them left out; `denied`: the red flags they deny, triage.denied_flags when None).
    TopicIntent: a denial that asks nothing, else the topic its words mention. OnsetIntent:
    what the first of ONSET_READERS makes of them. Otherwise, or when nothing is made of
    them, the intent as it was."""
    text = words.without_fillers(content, text)
    if intent not in (TOPIC, ONSET):
        return Meant(intent)
    said = _Words(content, text, denied)
    if intent == TOPIC:
        if said.denied and not said.question:
            return Meant(DENY)
        return Meant(TOPIC, None if words.is_answer(content, text) else words.mentioned_topic(content, text))
    return next((meant for reader in ONSET_READERS for meant in [reader(said)] if meant), Meant(intent))


def _cause_facts(content, cause, from_words):
    """What a cause tells the triage. A cause read from words tells only what it says is
    there (a fall): words may say more than we read ("bending down when a car reversed
    into me"), so they never rule a sign out."""
    known = content.causes[cause]
    ruled_out = {} if from_words else {flag: "no" for flag in known.no}
    return {**ruled_out, **{flag: "yes" for flag in known.yes}}


def words_said(handler_input, content):
    """The request's free words as they are read: lowercase, spelled with their apostrophes
    ("i cant"), and as if said of themselves ("he can't feel his legs" is that sign, for
    whoever has it)."""
    return content.reading.in_first_person(content.reading.as_spelled(free_text(handler_input).lower()))


def read(handler_input, content):
    """The Said of this request. A red flag named by any slot of any intent counts; words
    no slot value resolved may say what was meant (reread), deny red flags, and give a
    report its cause."""
    intent = get_intent_name(handler_input)
    text = words_said(handler_input, content)
    mentioned, denied = triage.flags_in(content, text) if text else ([], [])
    named = [flag for flag in [value_id(handler_input, "sign", content.red_flags), *mentioned] if flag]
    denied = [] if named else denied
    topic = value_id(handler_input, "topic", content.topics)
    status = value_id(handler_input, "status", care.STATUSES)
    reminder = value_id(handler_input, "reminder", content.reminder_kinds)
    if text and not named and not topic:
        meant = reread(content, intent, text, denied)
        intent, topic, status, reminder = meant.intent, meant.topic, meant.status or status, meant.reminder or reminder
    cause = typed_cause = value_id(handler_input, "cause", content.causes)
    if not cause and intent == REPORT and text:
        cause = words.mentioned_cause(content, text)
    facts = dict.fromkeys(denied, "no")
    one_denied = denied_id(handler_input, content.red_flags)
    if one_denied:
        facts[one_denied] = "no"  # never `sign`: a denial can only rule a red flag out
    if cause:
        facts.update(_cause_facts(content, cause, from_words=not typed_cause))
    facts.update(dict.fromkeys(named, "yes"))
    present = [flag for flag, known in facts.items() if known == "yes"]
    sign = max(present, key=lambda flag: content.red_flags[flag].level.rank) if present else None
    onset = values(handler_input, *ONSET_SLOTS)
    if intent == REPORT and not any(onset.values()):
        # "my back's been in spasm since tuesday": the report's free words may say when
        # (onset.resolve looks for a date, time or duration in raw words)
        onset["date"] = value(handler_input, "detail")
    if value_id(handler_input, "recent", (RECENT_NOW,)) and not any(onset.values()):
        onset["date"] = "PRESENT_REF"
    return Said(
        intent=intent,
        sign=sign,
        facts=facts,
        onset=onset if any(onset.values()) else None,
        topic=topic,
        status=status,
        reminder=reminder,
        cause=cause,
    )
