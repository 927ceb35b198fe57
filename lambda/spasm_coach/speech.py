"""What the skill says: replies assembled from content/ texts, and times put into words.

Pure Python. The Alexa layer turns a Reply into an ask-sdk response (SSML escaping, card,
reprompt); nothing here knows about SSML or Alexa.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import care


@dataclass
class Reply:
    """One turn's answer: sentences to say, then an optional question (which keeps the
    session open and is repeated, with `reprompt`, if the user says nothing)."""
    say: list = field(default_factory=list)
    ask: str | None = None
    reprompt: str | None = None
    card: tuple | None = None  # (title, text)
    end: bool = False

    def add(self, *sentences):
        self.say.extend(s for s in sentences if s)
        return self

    def question(self, ask, reprompt=None):
        self.ask, self.reprompt, self.end = ask, reprompt or ask, False
        return self

    def close(self):
        self.ask, self.reprompt, self.end = None, None, True
        return self

    def text(self):
        """Everything spoken, in order."""
        return " ".join(self.say + ([self.ask] if self.ask else []))


def plan(texts, content, episode, now, clock_known, safety_net=False):
    """The plan as spoken after the onset, short enough for one breath or two: what to
    use now and until when, then the one movement tip (or, when the red-flag questions
    were not all answered, the emergency signs instead), and a long spasm's referral.
    Everything else is on the card (`plan_card`) and in "more tips"."""
    lines = ice_or_heat(texts, content, episode, now, clock_known)
    lines.append(texts.say("plan_safety_net" if safety_net else "plan_move"))
    if care.phase(content, episode, int(now.timestamp())).long:
        lines.append(texts.say("plan_long"))
    return lines


def plan_card(texts, content, episode, now, clock_known, referral=None, safety_net=False):
    """The full plan for the home card: ice (how, and until when) or heat, rest without
    staying still (the movement tip), stretches unless a provider should look first, then the follow-ups."""
    lines = ice_or_heat(texts, content, episode, now, clock_known)
    if care.phase(content, episode, int(now.timestamp())).use_ice:
        lines.append(texts.say("plan_no_bare_skin"))
    lines.append(texts.say("plan_rest"))
    if referral is None:
        lines.append(texts.say("plan_stretch"))
    return " ".join(lines + follow_ups(texts, content, episode, now, referral, triaged=not safety_net))


def ice_or_heat(texts, content, episode, now, clock_known, answer_first=False):
    """Ice (how, and until when) or heat, for where the episode stands at `now`.
    `answer_first` leads with "keep using ice until ..." (the answer to "ice or heat?")."""
    stage = care.phase(content, episode, int(now.timestamp()))
    if not stage.use_ice:
        return [texts.say("plan_heat")]
    how, values = switch_words(texts, stage.switch_at, now, clock_known)
    if answer_first:
        return [texts.say(f"plan_ice_until_{how}", **values), texts.say("ice_how")]
    return [texts.say(f"plan_ice_{how}", **values)]


def follow_ups(texts, content, episode, now, referral, triaged, long_said=False):
    """What to watch for: a provider once it has lasted long (unless already said), the
    provider urgency triage found, and the emergency signs when we have not asked."""
    lines = []
    if care.phase(content, episode, int(now.timestamp())).long and not long_said:
        lines.append(texts.say("plan_long"))
    if referral in content.levels and content.levels[referral].remind:
        lines.append(texts.say(content.levels[referral].remind))
    if not triaged:
        lines.append(texts.say("plan_safety_net"))
    return lines


def switch_words(texts, switch_at, now, clock_known):
    """("clock" or "relative", values) saying when to switch to heat: a clock time in the
    user's zone when we know it, else how long from now (message ids end in either)."""
    if clock_known:
        return "clock", {"clock": clock(texts, switch_at, now)}
    return "relative", {"duration": time_left(texts, switch_at - now.timestamp())}


def since(texts, episode, now):
    """How long ago an episode started, as a person would say it."""
    age = max(0, now.timestamp() - episode.start)
    if episode.precision in ("day", "week", "month", "year"):
        # A vague day is stored as its last moment; name the day itself.
        started = datetime.fromtimestamp(episode.start - 1, now.tzinfo)
        return _days_ago(texts, (now.date() - started.date()).days)
    if episode.precision == "part_of_day" and age < 2 * 3600:
        # "This morning", placed at its latest moment (often now): not "just now".
        return texts.say("when_today")
    if age < 120:
        return texts.say("when_just_now")
    if age < 55 * 60:
        return texts.say("when_minutes_ago", n=max(5, int(round(age / 300.0)) * 5))
    if age < 90 * 60:
        return texts.say("when_hour_ago")
    if age < 48 * 3600:
        return texts.say("when_hours_ago", n=int(round(age / 3600.0)))
    return texts.say("when_days_ago", n=int(age // 86400))


def _days_ago(texts, days):
    if days <= 0:
        return texts.say("when_today")
    if days == 1:
        return texts.say("when_yesterday")
    return texts.say("when_days_ago", n=days)


def time_left(texts, seconds):
    """'45 minutes', 'an hour', '20 hours': rounded up, so ice is never cut short."""
    minutes = max(5, int(math.ceil(seconds / 300.0)) * 5)
    if minutes < 60:
        return texts.say("for_minutes", n=minutes)
    hours = int(math.ceil(seconds / 3600.0))
    return texts.say("for_hour") if hours == 1 else texts.say("for_hours", n=hours)


def clock(texts, at, now):
    """'3 PM tomorrow', '9:30 AM on Friday', 'the end of tomorrow': the moment `at` (epoch
    seconds) in the zone of `now`, rounded UP to the half hour."""
    moment = datetime.fromtimestamp(at, now.tzinfo)
    moment = moment.replace(second=0, microsecond=0)
    extra = (30 - moment.minute % 30) % 30
    if extra or at % 60:
        moment += timedelta(minutes=extra or 30)
    if moment.hour == 0 and moment.minute == 0:
        day = moment - timedelta(days=1)
        if day.date() == now.date():
            return texts.say("clock_end_of_today")
        return texts.say("clock_end_of_day", day=_day_name(texts, day, now))
    spoken = _time_of_day(texts, moment)
    days = (moment.date() - now.date()).days
    if days == 0:
        return texts.say("clock_tonight" if moment.hour >= 18 else "clock_today", time=spoken)
    if days == 1:
        return texts.say("clock_tomorrow", time=spoken)
    return texts.say("clock_weekday", time=spoken, weekday=_day_name(texts, moment, now))


def _day_name(texts, moment, now):
    days = (moment.date() - now.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if 1 < days < 7:
        return moment.strftime("%A")
    return texts.clock.get("date", "{month} {day}").format(month=moment.strftime("%B"), day=moment.day)


def _time_of_day(texts, moment):
    """'3 PM', '9:30 AM', 'noon' (12-hour locales) or '15:00', '09:30' (24-hour ones),
    as the locale's clock style says."""
    if moment.hour == 12 and moment.minute == 0:
        return texts.clock.get("noon", "noon")
    if texts.clock.get("hours") == 24:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"
