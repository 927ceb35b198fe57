"""When did the spasm start? From what the user said (Alexa's date, time and duration slot
values, or the raw words some clients send instead) to an episode start in epoch seconds.

Vague answers are placed at the LATEST moment they could mean, never after now: "yesterday"
is the end of yesterday, "this morning" is noon (or now, if it is still morning). A later
start keeps the ice window open longer, which is the safe side. Pure Python.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

from . import spoken_time
from .care import Episode

UNKNOWN = "unknown"
FUTURE = "future"

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})(?P<weekend>-WE)?$")
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_YEAR = re.compile(r"^(?P<year>\d{4})$")
_CLOCK = re.compile(r"^(?P<hour>\d{2}):(?P<minute>\d{2})$")


def resolve(content, slots, now):
    """An Episode, or UNKNOWN when nothing usable was said, or FUTURE when it names a time
    still to come. `slots` maps 'date', 'time', 'duration' to what the user said (any may
    be missing); `now` is an aware datetime in the user's time zone."""
    values = _alexa_values(slots, now.date())
    try:
        if values.get("duration"):
            return _from_duration(values["duration"], now)
        if values.get("date"):
            return _from_date(content, values["date"], values.get("time"), now)
        if values.get("time"):
            return _from_time_only(content, values["time"], now)
    except (OverflowError, ValueError):  # absurd values such as year 9999 or a million days
        pass
    return UNKNOWN


def _alexa_values(slots, today):
    """Keep values already in Alexa's format; look for date, time and duration words in
    everything else (virtual-alexa, or an unresolved slot, sends the raw words)."""
    values, raw = {}, []
    checks = {"date": spoken_time.is_alexa_date, "time": spoken_time.is_alexa_time,
              "duration": spoken_time.is_alexa_duration}
    for name, is_alexa in checks.items():
        value = (slots.get(name) or "").strip()
        if value and is_alexa(value):
            values[name] = value
        elif value:
            raw.append(value)
    if raw:
        for name, value in spoken_time.scan(" ".join(raw), today).items():
            values.setdefault(name, value)
    return values


def _episode(start, precision, now):
    return Episode(int(min(start, now).timestamp()), precision)


def _from_duration(value, now):
    match = _DURATION.match(value)
    if not match:
        return UNKNOWN
    parts = {key: int(number) for key, number in match.groupdict().items() if number}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7 + parts.get("days", 0)
    delta = timedelta(days=days, hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    precision = "exact" if delta < timedelta(hours=1) else "hour" if days == 0 else "day"
    # Subtract in UTC: "two hours ago" is two real hours, even across a clock change.
    return _episode((now.astimezone(timezone.utc) - delta).astimezone(now.tzinfo), precision, now)


def _from_date(content, value, time_value, now):
    if value == "PRESENT_REF":
        return _episode(now, "exact", now)
    day = _parse_day(value)
    if day is not None:
        day = _into_past(day, now.date())
        if day > now.date():
            return FUTURE if day.year <= now.year + 1 else UNKNOWN
        return _on_day(content, day, time_value, now, explicit=True)
    span = _span(value)
    if span is None:
        return UNKNOWN
    first, after, precision = span
    if first > now.date():
        return FUTURE
    return _episode(_local(after, now), precision, now)


def _from_time_only(content, time_value, now):
    """A time with no day: today's, unless it hasn't come yet, then yesterday's."""
    today = _on_day(content, now.date(), time_value, now, explicit=False)
    if today != FUTURE:
        return today
    return _on_day(content, now.date() - timedelta(days=1), time_value, now, explicit=False)


def _on_day(content, day, time_value, now, explicit):
    """A start on `day`, at `time_value` if given (exact clock or part of day), else the
    end of that day. A day that is explicitly today with a time still to come is FUTURE."""
    if not time_value:
        return _episode(_local(day + timedelta(days=1), now), "day", now)
    clock = _CLOCK.match(time_value)
    if clock:
        start = _local(day, now) + timedelta(hours=int(clock["hour"]), minutes=int(clock["minute"]))
        return FUTURE if start > now else _episode(start, "exact", now)
    ends = content.parts_of_day
    if time_value not in ends:
        return _on_day(content, day, None, now, explicit) if explicit else UNKNOWN
    begins = _part_begins(ends, time_value)
    if _local(day, now) + timedelta(hours=begins) > now:
        return FUTURE
    return _episode(_local(day, now) + timedelta(hours=ends[time_value]), "part_of_day", now)


def _part_begins(ends, part):
    """A part of the day begins where the one before it ends (the night ends in the morning)."""
    order = sorted(ends, key=ends.get)
    before = order[order.index(part) - 1]
    return ends[before] - 24 if ends[before] > ends[part] else ends[before]


def _parse_day(value):
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _into_past(day, today):
    """Alexa resolves "monday" or "november third" to the next such day; a spasm can only
    have started on the last one."""
    if day <= today:
        return day
    if day - today <= timedelta(days=7):
        return day - timedelta(days=7)
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day - timedelta(days=365)


def _span(value):
    """(first day, day after the last, precision) for a week, weekend, month or year value."""
    week = _WEEK.match(value)
    if week:
        try:
            monday = date.fromisocalendar(int(week["year"]), int(week["week"]), 1)
        except ValueError:
            return None
        if week["weekend"]:
            return monday + timedelta(days=5), monday + timedelta(days=7), "week"
        return monday, monday + timedelta(days=7), "week"
    month = _MONTH.match(value)
    if month and 1 <= int(month["month"]) <= 12:
        first = date(int(month["year"]), int(month["month"]), 1)
        return first, (first + timedelta(days=32)).replace(day=1), "month"
    year = _YEAR.match(value)
    if year and int(year["year"]) >= 1:
        return date(int(year["year"]), 1, 1), date(int(year["year"]) + 1, 1, 1), "year"
    return None


def _local(day, now):
    """Midnight at the start of `day` in the user's time zone."""
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)
