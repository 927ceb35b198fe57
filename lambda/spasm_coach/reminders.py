"""Follow-up reminders for an episode: when each goes off and which to offer. Pure Python
over content/ (rules.json "reminders")."""

from datetime import datetime, timedelta

HALF_HOUR = 1800


def moment(content, kind, episode, zone=None):
    """When a reminder of `kind` goes off (epoch seconds): its threshold after the start,
    rounded up to the half hour (the time the skill says aloud) and, when the device's
    zone is known, moved out of quiet hours to the morning."""
    at = -(-(episode.start + kind.after_s) // HALF_HOUR) * HALF_HOUR
    if zone is None:
        return at
    local = datetime.fromtimestamp(at, zone)
    begins, ends = content.quiet_hours
    if local.hour >= begins or local.hour < ends:
        morning = local if local.hour < ends else local + timedelta(days=1)
        local = morning.replace(hour=ends, minute=0, second=0, microsecond=0)
    return int(local.timestamp())


def offers(content, episode, now, already_set, zone=None):
    """The reminder kinds worth offering now, in order: not set yet, still to come."""
    return [
        kind for kind in content.reminder_kinds.values()
        if kind.id not in already_set and moment(content, kind, episode, zone) > now
    ]
