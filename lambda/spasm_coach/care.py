"""The self-care plan over time: ice or heat now, when to switch, when to see a provider,
and what a check-in answer means. Pure Python over content/ thresholds."""

from dataclasses import dataclass

# What the user said at a check-in, as the SPASM_STATUS slot's value ids.
STATUSES = ("better", "same", "worse", "gone")


@dataclass(frozen=True)
class Episode:
    """A back spasm the user told us about: when it started (epoch seconds, UTC) and how
    precisely we know that ('exact', 'hour', 'part_of_day', 'day', 'week', 'month', 'year')."""
    start: int
    precision: str


@dataclass(frozen=True)
class Phase:
    """Where an episode stands at `now`."""
    age_s: int
    use_ice: bool
    switch_at: int
    long: bool


def phase(content, episode, now):
    """Ice while the episode is inside the ice window, heat after; `long` once it has lasted
    longer than a few days (a reason to see a provider)."""
    age = max(0, now - episode.start)
    return Phase(
        age_s=age,
        use_ice=age < content.ice_window_s,
        switch_at=episode.start + content.ice_window_s,
        long=age > content.long_episode_s,
    )


def is_stale(content, episode, now):
    """An episode this old is history: a new visit starts fresh instead of checking in."""
    return now - episode.start > content.stale_episode_s


def checkin(content, status, episode, now, answering):
    """What a check-in answer leads to: 'end', 'better', 'same_early', 'same_long' or 'worse'.

    `answering` is True when the user answers our "better, the same, or worse?" question.
    Said out of the blue, "my back is better" means they are done with it, so it ends the
    episode, as "it's gone" always does."""
    if status == "gone" or (status == "better" and not answering):
        return "end"
    if status == "better":
        return "better"
    if status == "worse":
        return "worse"
    return "same_long" if phase(content, episode, now).long else "same_early"


def upcoming_tip(content, given, referral):
    """The next walk-through topic not in `given` and safe while `referral` stands, or None."""
    for topic_id in content.walk_through:
        if topic_id not in given and (not referral or content.topics[topic_id].with_referral):
            return topic_id
    return None
