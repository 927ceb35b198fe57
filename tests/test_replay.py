"""A turn's changes replayed on a record another device changed meanwhile (alexa/turn.py,
`_apply`): what is kept, what is dropped, which reminders must be cancelled. The races
themselves run against DynamoDB Local in tests/integration/test_concurrency.py."""

from spasm_coach.alexa.turn import _apply


def replay(operations, read, now):
    """Replay `operations` (made on the record as `read`) on `now`, the newer record:
    (the resulting record, the reminders to cancel)."""
    record, orphans, start = dict(now), [], read.get("episode_start")
    for operation in operations:
        start = _apply(operation, record, replay=(start, read, orphans))
    return record, orphans


EPISODE = {"heard_disclaimer": True, "episode_start": 100, "episode_precision": "exact"}


def test_own_changes_and_the_other_devices_both_survive():
    read = dict(EPISODE)
    meanwhile = {**EPISODE, "last_checkin": 500}
    record, orphans = replay([("declined",)], read, meanwhile)
    assert record == {**EPISODE, "last_checkin": 500, "reminders_declined": True} and orphans == []


def test_a_reminder_set_for_an_episode_ended_meanwhile_is_cancelled_not_stored():
    record, orphans = replay([("reminder", "heat", "T1")], dict(EPISODE), {"heard_disclaimer": True})
    assert record == {"heard_disclaimer": True} and orphans == [("reminder_heat", "T1")]


def test_a_reminder_set_for_an_episode_replaced_meanwhile_is_cancelled_not_stored():
    replaced = {**EPISODE, "episode_start": 200}
    record, orphans = replay([("reminder", "heat", "T1")], dict(EPISODE), replaced)
    assert "reminder_heat" not in record and orphans == [("reminder_heat", "T1")]


def test_the_same_reminder_set_on_both_devices_is_kept_once():
    record, orphans = replay([("reminder", "heat", "MINE")], dict(EPISODE), {**EPISODE, "reminder_heat": "THEIRS"})
    assert record["reminder_heat"] == "THEIRS" and orphans == [("reminder_heat", "MINE")]


def test_a_reminder_moved_in_place_keeps_its_token():
    read = {**EPISODE, "reminder_heat": "T"}
    record, orphans = replay([("reminder", "heat", "T")], read, {**read, "last_checkin": 1})
    assert record["reminder_heat"] == "T" and orphans == []


def test_ending_the_episode_ends_reminders_set_meanwhile_too():
    read = {**EPISODE, "reminder_heat": "OLD"}
    meanwhile = {**read, "reminder_checkin": "NEW", "last_checkin": 5}
    ops = [("forget_reminder", "heat", "OLD"), ("end_episode",)]
    record, orphans = replay(ops, read, meanwhile)
    assert record == {"heard_disclaimer": True} and orphans == [("reminder_checkin", "NEW")]


def test_forgetting_a_reminder_leaves_one_the_other_device_set_in_its_place():
    read = {**EPISODE, "reminder_heat": "OLD"}
    record, orphans = replay([("forget_reminder", "heat", "OLD")], read, {**EPISODE, "reminder_heat": "NEW"})
    assert record["reminder_heat"] == "NEW" and orphans == []


def test_a_new_episode_said_on_this_device_wins_and_its_changes_follow_it():
    read = {"heard_disclaimer": True}
    ops = [("episode", 300, "day"), ("reminder", "heat", "T"), ("declined",)]
    record, orphans = replay(ops, read, {**EPISODE, "last_checkin": 150})
    assert record["episode_start"] == 300 and record["reminder_heat"] == "T" and record["reminders_declined"]
    assert orphans == []


def test_changes_for_an_ended_episode_are_dropped_but_the_disclaimer_flag_is_kept():
    ops = [("heard",), ("checkin", 9), ("declined",)]
    record, orphans = replay(ops, dict(EPISODE), {})
    assert record == {"heard_disclaimer": True} and orphans == []
