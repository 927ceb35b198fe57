"""Spoken dates, times and durations -> the values Alexa's built-in slots send.

Two callers:

* the local developer console knows the exact words that filled an AMAZON.DATE,
  AMAZON.TIME, AMAZON.DURATION or AMAZON.NUMBER slot and asks ``to_date``,
  ``to_time``, ``to_duration`` or ``to_number`` for the value Alexa would send;
* the skill, as a fallback for harnesses (virtual-alexa) that put raw words into
  built-in slots: ``is_alexa_*`` tell resolved values from words, and ``scan``
  finds date / time / duration expressions inside free text.

Choices where Alexa leaves room: "a few" counts as two (the later, safer onset
for ice advice), "several" as three, "next monday" is the first Monday strictly
after today, "a moment ago" is the present, and ``scan`` is conservative: a
bare number is never a time, and a duration needs a cue ("ago", "for", "been",
"about", ...) unless it is the whole text.

Patterns are plain strings built from word tables and compiled on first use,
so importing this module stays cheap.
"""
import datetime
import functools
import re

# --- word tables -------------------------------------------------------------

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()   # index = value
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()     # 20 + 10 * index
_SMALL_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
                   "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
                   "nineteenth").split()                                    # index + 1 = value
_WORD_VALUES = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_ORDINAL_WORDS = {w: i for i, w in enumerate(_SMALL_ORDINALS, 1)} | {"twentieth": 20, "thirtieth": 30}
_ORDINAL_WORDS |= {f"{tens} {w}": _WORD_VALUES[tens] + i
                   for tens in ("twenty", "thirty") for i, w in enumerate(_SMALL_ORDINALS[:9], 1)}

_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTH_NAMES = ("january february march april may june july august september october "
                "november december").split()
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: i for name, i in _MONTHS.items() if name != "may"} | {"sept": 9}
_RELATIVE_DAYS = {"day before yesterday": -2, "yesterday": -1, "today": 0, "tomorrow": 1,
                  "day after tomorrow": 2}
_SHIFTS = {None: 0, "the": 0, "this": 0, "last": -1, "next": 1}

_MERIDIEMS = {"am": "am", "in the morning": "am", "this morning": "am",
              "pm": "pm", "in the afternoon": "pm", "this afternoon": "pm",
              "in the evening": "pm", "this evening": "pm", "tonight": "pm",
              "at night": "night", "last night": "night"}
_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "tonight": "EV",
                 "night": "NI", "overnight": "NI", "middle of the night": "NI"}
# Daily moments people name instead of a time. Alexa does not resolve these; only scan
# finds them (the latest moment they could mean is what onset rounding needs anyway).
_DAILY_MOMENTS = {"woke up": "MO", "got up": "MO", "waking up": "MO", "getting up": "MO",
                  "first thing": "MO", "breakfast": "MO", "lunchtime": "12:00", "lunch": "12:00",
                  "dinnertime": "EV", "dinner": "EV", "supper": "EV", "bedtime": "NI",
                  "went to bed": "NI", "going to bed": "NI"}
_PART_LEADS = ("in the", "this", "during the", "at", "last", "early", "late",
               "early in the", "late in the")

_QUANTITIES = {"a couple of": 2, "a couple": 2, "couple of": 2, "a few": 2, "few": 2,
               "several": 3, "a": 1, "an": 1}
_DURATION_UNITS = {"second": ("S", 1), "sec": ("S", 1), "minute": ("MI", 1), "min": ("MI", 1),
                   "hour": ("H", 1), "hr": ("H", 1), "day": ("D", 1), "week": ("W", 1),
                   "fortnight": ("W", 2), "month": ("MO", 1), "year": ("Y", 1)}
_CARRY = {"Y": ("MO", 12), "MO": ("D", 30), "W": ("D", 7), "D": ("H", 24), "H": ("MI", 60),
          "MI": ("S", 60)}                  # a fraction of a unit moves to the next smaller one
_DATE_FIELDS = (("Y", "Y"), ("MO", "M"), ("W", "W"), ("D", "D"))
_TIME_FIELDS = (("H", "H"), ("MI", "M"), ("S", "S"))
_DURATION_CUES = ("for", "been", "about", "around", "almost", "nearly", "over", "under", "past",
                  "last", "roughly", "approximately", "since", "than", "within", "lasted")

_DATE_LEADS = ("on", "since", "from", "about", "around", "by", "earlier", "later", "sometime")
_TIME_LEADS = ("at", "about", "around", "since", "from", "by", "sometime", "roughly",
               "approximately")
_DURATION_LEADS = _DURATION_CUES + ("its", "it", "has", "ive", "had", "the", "more", "less",
                                    "maybe", "just", "only", "like")
_DURATION_TAILS = ("ago", "back", "now", "or so", "already")


def _alt(words):
    """A non-capturing alternation, longest words first so prefixes never win."""
    return "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")"


def _uncaptured(pattern):
    """The same pattern with its named groups made non-capturing (for repetition)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


# --- pattern pieces ----------------------------------------------------------

_DIGIT = _alt(_SMALL[1:10])
_BELOW_100 = rf"(?:{_alt(_TENS)}(?: {_DIGIT})?|{_alt(_SMALL)})"
_HUNDREDS = rf"(?:(?:a|{_BELOW_100}) hundred(?: (?:and )?{_BELOW_100})?|{_BELOW_100})"
_CARDINAL = rf"(?:(?:a|{_HUNDREDS}) thousand(?: (?:and )?{_HUNDREDS})?|{_HUNDREDS})"
_ORDINAL = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_alt(_ORDINAL_WORDS)})"
_DAY = rf"(?:{_ORDINAL}|\d{{1,2}}|{_BELOW_100})"
_MONTH = _alt(_MONTHS)

_HOUR = rf"(?:\d{{1,2}}|{_alt(_SMALL[1:13])})"
_MINUTE = rf"(?:\d{{2}}|oh? {_DIGIT}|{_alt(_TENS[:4])}(?: {_DIGIT})?|{_alt(_SMALL[10:])})"
_MERIDIEM = _alt(_MERIDIEMS)

_QUANTITY = rf"(?:{_alt(k for k in _QUANTITIES if len(k) > 2)}|\d+(?:\.\d+)?|{_CARDINAL}|an?)"
_UNIT = rf"{_alt(_DURATION_UNITS)}s?"
_DURATION_PART = (rf"(?:half an? |(?P<qty>{_QUANTITY})(?P<pre> and a half)? )"
                  rf"(?P<unit>{_UNIT})(?P<post> and a half)?")
_DURATION = rf"{_uncaptured(_DURATION_PART)}(?:(?: and | ){_uncaptured(_DURATION_PART)})*"

_regex = functools.lru_cache(maxsize=None)(re.compile)


# --- small helpers -----------------------------------------------------------

def _normalize(text):
    """Lower-case words separated by single spaces; keeps 3:30, 1.5, "pm", "oclock"."""
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text.lower())
    text = re.sub(r"['\u2019]", "", text)
    text = re.sub(r"(\d)\s*([ap]m)\b", r"\1 \2", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[^a-z0-9:.]+|(?<!\d)[:.]|[:.](?!\d)", " ", text)
    return re.sub(r"\bo clock\b", "oclock", " ".join(text.split()))


def _strip(text, leads=(), trails=()):
    """Drop filler words ("on", "at", "about", "ago", ...) from the ends of text."""
    if leads:
        text = _regex(rf"^(?:{_alt(leads)} )+").sub("", text)
    if trails:
        text = _regex(rf"(?: {_alt(trails)})+$").sub("", text)
    return text


def _cardinal_value(text):
    """Value of a number in words ("a hundred and five" -> 105)."""
    total = chunk = 0
    for word in text.split():
        if word == "hundred":
            chunk = (chunk or 1) * 100
        elif word == "thousand":
            total, chunk = total + (chunk or 1) * 1000, 0
        elif word != "and":
            chunk += _WORD_VALUES.get(word, 1)          # "a" / "an" count as one
    return total + chunk


def _number(text):
    """Value of digits, "23rd", an ordinal word or a cardinal in words."""
    if text[0].isdigit():
        return int(text.rstrip("stndrh"))
    return _ORDINAL_WORDS.get(text) or _cardinal_value(text)


def _safe_date(year, month, day):
    """date(year, month, day), or None when there is no such day."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _first_whole(rules, text, today):
    """Value of the first rule whose pattern covers all of text."""
    for pattern, resolve in rules:
        match = _regex(pattern).fullmatch(text)
        value = match and resolve(match, today, False)
        if value:
            return value
    return None


def _first_found(rules, text, today):
    """(value, span) of the first expression found inside text, rules in priority order."""
    for pattern, resolve in rules:
        for match in _regex(pattern).finditer(text):
            value = resolve(match, today, True)
            if value:
                return value, match.span()
    return None, None


# --- dates -------------------------------------------------------------------

def _relative_day(m, today, strict):
    return (today + datetime.timedelta(days=_RELATIVE_DAYS[m["rel"]])).isoformat()


def _month_day(m, today, strict):
    month, day_text = _MONTHS[m["m1"] or m["m2"]], m["d1"] or m["d2"]
    if strict and month == 5 and day_text.isalpha() and day_text not in _ORDINAL_WORDS:
        return None                                    # "it may one day ..." is not May 1st
    day = _number(day_text)
    if m["year"]:
        found = _safe_date(int(m["year"]), month, day)
        return found and found.isoformat()
    for year in range(today.year, today.year + 9):     # on or after today, as Alexa does
        found = _safe_date(year, month, day)
        if found and found >= today:
            return found.isoformat()
    return None


def _weekday(m, today, strict):
    target, mod = _WEEKDAYS.index(m["wd"]), m["mod"]
    if mod in ("last", "this past"):
        back = (today.weekday() - target) % 7 or 7
        return (today - datetime.timedelta(days=back)).isoformat()
    ahead = (target - today.weekday()) % 7
    if mod == "next" and not ahead:
        ahead = 7
    return (today + datetime.timedelta(days=ahead)).isoformat()


def _period(m, today, strict):
    mod, period = m["mod"], m["period"]
    if mod in (None, "the") and (period != "weekend" or (strict and mod is None)):
        return None
    shift = _SHIFTS[mod]
    if period == "year":
        return str(today.year + shift)
    if period == "month":
        index = today.year * 12 + today.month - 1 + shift
        return f"{index // 12}-{index % 12 + 1:02d}"
    year, week, _ = (today + datetime.timedelta(weeks=shift)).isocalendar()
    return f"{year}-W{week:02d}" + ("-WE" if period == "weekend" else "")


def _ordinal_day(m, today, strict):
    if strict and not m["lead"]:
        return None                                    # "the first time" is not a date
    day, year, month = _number(m["ord"]), today.year, today.month
    for _ in range(13):
        found = _safe_date(year, month, day)
        if found and found >= today:
            return found.isoformat()
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return None


_DATE_RULES = (
    (rf"\b(?:the )?(?P<rel>{_alt(_RELATIVE_DAYS)})\b", _relative_day),
    (rf"\b(?:(?P<m1>{_MONTH}) (?:the )?(?P<d1>{_DAY})|(?:the )?(?P<d2>{_DAY}) of (?P<m2>{_MONTH}))"
     rf"(?: (?P<year>\d{{4}}))?\b", _month_day),
    (rf"\b(?:(?P<mod>this past|last|next|this|coming|this coming) )?(?P<wd>{_alt(_WEEKDAYS)})\b",
     _weekday),
    (r"\b(?:(?P<mod>this|last|next|the) )?(?P<period>weekend|week|month|year)\b", _period),
    (rf"\b(?:(?P<lead>on|since) )?(?:the )?(?P<ord>{_ORDINAL})\b"
     r"(?! (?:times?|days?|weeks?|months?|years?|one|thing|floor|step|of)\b)", _ordinal_day),
    (r"\b(?:(?:just|right) now|now|(?:just )?a moment ago)\b", lambda m, today, strict: "PRESENT_REF"),
)
_DAY_HINTS = (r"\b(?P<rel>last) (?:night|evening)\b|\b(?:tonight|this (?:morning|afternoon|evening))\b")


# --- times -------------------------------------------------------------------

def _clock_minutes(hour, minute, meridiem):
    """Minutes after midnight for a spoken hour/minute, or None if impossible."""
    kind = _MERIDIEMS.get(meridiem)
    if hour > 23 or minute > 59 or (kind and not 0 < hour <= 12):
        return None
    if kind == "am":
        hour %= 12
    elif kind == "pm":
        hour = hour % 12 + 12
    elif kind == "night":
        hour = hour % 12 + (12 if 6 <= hour < 12 else 0)
    return hour * 60 + minute


def _hhmm(minutes):
    """"HH:MM" for minutes after midnight (None stays None)."""
    return None if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _clock(m, today, strict):
    if strict and not (m["mer"] or m["oclock"] or ":" in m[0]):
        return None                                    # a bare number is not a time in free text
    minute = _number(m["m"].removeprefix("oh ").removeprefix("o ")) if m["m"] else 0
    return _hhmm(_clock_minutes(_number(m["h"]), minute, m["mer"]))


def _relative_clock(m, today, strict):
    words, before = m["rm"], m["rel"] in ("to", "till", "before")
    minutes = 30 if words == "half" else 15 if words.endswith("quarter") else _number(words)
    if (words == "half" and before) or not 0 < minutes < 60:
        return None
    if strict and not (m["mer"] or m["mins"] or words in ("half", "quarter", "a quarter")):
        return None                                    # "one to two hours" is not 01:58
    base = _clock_minutes(_number(m["rh"]), 0, m["mer"])
    return None if base is None else _hhmm((base + (-minutes if before else minutes)) % 1440)


_CLOCK_RULES = (
    (r"\b(?:twelve |12 )?(?P<word>noon|midday|midnight)\b",
     lambda m, today, strict: "00:00" if m["word"] == "midnight" else "12:00"),
    (rf"\b(?P<rm>half|(?:a )?quarter|\d{{1,2}}|{_BELOW_100})(?P<mins> minutes?)? "
     rf"(?P<rel>past|after|to|till|before) (?P<rh>{_HOUR})(?: (?P<mer>{_MERIDIEM}))?\b",
     _relative_clock),
    (rf"\b(?P<h>{_HOUR})(?:[: ](?P<m>{_MINUTE}))?(?P<oclock> oclock)?(?: (?P<mer>{_MERIDIEM}))?\b",
     _clock),
)
_PART_RULES = (
    (rf"\b(?:{_alt(_PART_LEADS)} )?(?P<part>{_alt(_PARTS_OF_DAY)})\b",
     lambda m, today, strict: _PARTS_OF_DAY[m["part"]]),
)


# --- durations ---------------------------------------------------------------

def _add_amount(fields, field, amount):
    """Add amount of one duration field, carrying any fraction to smaller fields."""
    amount = round(amount, 6)
    whole = int(amount)
    if whole or amount == whole:
        fields[field] = fields.get(field, 0) + whole
    if amount == whole:
        return True
    if field not in _CARRY:
        return False
    smaller, factor = _CARRY[field]
    return _add_amount(fields, smaller, (amount - whole) * factor)


def _duration_value(text):
    """ISO-8601 duration for a validated duration phrase, e.g. "PT1H30M"."""
    fields = {}
    for part in _regex(_DURATION_PART).finditer(text):
        qty = part["qty"]
        amount = 0.5 if qty is None else _QUANTITIES.get(qty) or (
            float(qty) if qty[0].isdigit() else _cardinal_value(qty))
        amount += 0.5 if part["pre"] or part["post"] else 0
        unit = part["unit"] if part["unit"] in _DURATION_UNITS else part["unit"][:-1]
        field, multiple = _DURATION_UNITS[unit]
        if not _add_amount(fields, field, amount * multiple):
            return None
    date_part = "".join(f"{fields[k]}{c}" for k, c in _DATE_FIELDS if k in fields)
    time_part = "".join(f"{fields[k]}{c}" for k, c in _TIME_FIELDS if k in fields)
    return "P" + date_part + ("T" + time_part if time_part else "")


def _duration(m, today, strict):
    if strict and not (m["lead"] or m["tail"] or m.span() == (0, len(m.string))):
        return None                                    # "45 years" alone could be anything
    return _duration_value(m["dur"])


_DURATION_RULES = (
    (rf"\b(?:(?P<lead>{_alt(_DURATION_CUES)}) )?(?P<dur>{_DURATION})"
     r"(?! (?:old|older|younger|of age)\b)(?: (?P<tail>ago|back|now|or so))?\b", _duration),
)


# --- public API --------------------------------------------------------------

def to_date(text: str, today: datetime.date) -> str | None:
    """AMAZON.DATE value for the exact slot words, or None."""
    return _first_whole(_DATE_RULES, _strip(_normalize(text), _DATE_LEADS), today)


def to_time(text: str) -> str | None:
    """AMAZON.TIME value ("15:30", "MO", ...) for the exact slot words, or None."""
    core = _strip(_normalize(text), _TIME_LEADS)
    return _first_whole(_CLOCK_RULES + _PART_RULES, core, None)


def to_duration(text: str) -> str | None:
    """AMAZON.DURATION value ("P2D", "PT1H30M", ...) for the exact slot words, or None."""
    core = _strip(_normalize(text), _DURATION_LEADS, _DURATION_TAILS)
    return _first_whole(_DURATION_RULES, core, None)


def to_number(text: str) -> str | None:
    """AMAZON.NUMBER value ("23") for the exact slot words, or None."""
    core = _normalize(text)
    if core.isdigit():
        return str(int(core))
    return str(_cardinal_value(core)) if core and _regex(_CARDINAL).fullmatch(core) else None


def scan(text: str, today: datetime.date) -> dict[str, str]:
    """Date, time and duration values found anywhere inside free text."""
    found, normalized = {}, _normalize(text)
    rest = normalized
    for key, rules in (("duration", _DURATION_RULES), ("time", _CLOCK_RULES),
                       ("date", _DATE_RULES), ("time", _PART_RULES)):
        if key in found:
            continue
        value, span = _first_found(rules, rest, today)
        if value:
            found[key] = value
            rest = f"{rest[:span[0]]} | {rest[span[1]:]}"  # used words can't match again
    if "time" not in found:
        moment = _regex(rf"\b(?P<moment>{_alt(_DAILY_MOMENTS)})\b").search(rest)
        if moment:
            found["time"] = _DAILY_MOMENTS[moment["moment"]]
    hint = "date" not in found and _regex(_DAY_HINTS).search(normalized)
    if hint:
        found["date"] = (today - datetime.timedelta(days=1 if hint["rel"] else 0)).isoformat()
    return found


def is_alexa_date(value: str) -> bool:
    """True if value already is an AMAZON.DATE value ("2026-11-24", "2026-W48-WE", ...)."""
    return bool(_regex(r"PRESENT_REF|(?:\d{4}|\d{3}X|\d{2}XX|XXXX)"
                       r"(?:-(?:\d{2}|XX)(?:-(?:\d{2}|XX))?|-W\d{2}(?:-WE)?|-(?:WI|SP|SU|FA))?")
                .fullmatch(value or ""))


def is_alexa_time(value: str) -> bool:
    """True if value already is an AMAZON.TIME value ("15:30", "MO", "AF", "EV", "NI")."""
    return bool(_regex(r"(?:[01]\d|2[0-3]):[0-5]\d|MO|AF|EV|NI").fullmatch(value or ""))


def is_alexa_duration(value: str) -> bool:
    """True if value already is an ISO-8601 duration ("P2D", "PT1H30M", ...)."""
    return bool(_regex(r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
                       r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?").fullmatch(value or ""))


def is_alexa_value(value: str) -> bool:
    """True if value is already what Alexa resolves a date, a time or a duration to, so
    not words the skill still has to read."""
    return is_alexa_date(value) or is_alexa_time(value) or is_alexa_duration(value)
