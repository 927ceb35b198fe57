"""Two devices of one user, or two sessions, changing the same record at the same moment
must not lose an update. Against DynamoDB Local, the real engine of the conditional writes.

1. Parallel writers (threads, and separate processes) doing read-modify-write updates of
   one user's record through the persistence adapter: every update counted, none lost.
2. Two devices' conversations interleaved turn by turn through lambda/app.py.
3. Two turns at the same moment, made to overlap deterministically: one turn is held just
   before it writes (`Gate`) while the other device's turn runs to the end. Each race
   checks what must survive, and that no reminder is left going off that the skill no
   longer knows about.
"""

import hashlib
import multiprocessing
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from devkit.alexa import Caller, Conversation
from spasm_coach.storage import Conflict
from tests.integration import figures, writers

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
USER = "amzn1.ask.account.TWO-DEVICES"


def item(table, user=USER):
    name, client = table
    key = hashlib.sha256(user.encode()).hexdigest()
    found = client.get_item(TableName=name, Key={"user_key": {"S": key}}, ConsistentRead=True).get("Item") or {}
    return {k: next(iter(v.values())) for k, v in found.items()}


def lost_updates(record, writer_count, updates):
    """Updates that were acknowledged but are missing from the record."""
    own = sum(updates - int(record.get(f"w{n}", 0)) for n in range(writer_count))
    return own + writer_count * updates - int(record.get("shared", 0))


# --- 1. parallel writers -------------------------------------------------------------------

@pytest.mark.parametrize("how, writer_count, updates", [("threads", 8, 25), ("processes", 4, 25)])
def test_parallel_writers_lose_no_update(how, writer_count, updates, dynamodb_local, table):
    user = f"amzn1.ask.account.WRITERS-{uuid.uuid4().hex[:8]}"
    args = [(dynamodb_local.endpoint, table[0], user, n, updates) for n in range(writer_count)]
    if how == "threads":
        pool = ThreadPoolExecutor(writer_count)
    else:
        pool = ProcessPoolExecutor(writer_count, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        conflicts = sum(pool.map(writers.write, *zip(*args)))
    record = item(table, user)
    lost = lost_updates(record, writer_count, updates)
    figures.writers(f"{how}, read-modify-write with conditional writes ({conflicts} conflicts re-applied)",
                    writer_count, writer_count * updates, lost)
    assert lost == 0
    assert int(record["version"]) == writer_count * updates, "one version per update: none merged away"
    assert conflicts > 0 or how == "processes", "the writers never overlapped: the test proved nothing"


def test_without_the_version_condition_the_same_writers_do_lose_updates(dynamodb_local, table):
    """The same workload written the way the store wrote before versions (only the changed
    attributes, unconditionally): each writer's own field survives, the shared one does
    not. Reported, not asserted: whether writers overlap is up to the scheduler."""
    user = f"amzn1.ask.account.BLIND-{uuid.uuid4().hex[:8]}"
    writer_count, updates = 8, 25
    with ThreadPoolExecutor(writer_count) as pool:
        list(pool.map(lambda n: writers.write(dynamodb_local.endpoint, table[0], user, n, updates,
                                              conditional=False), range(writer_count)))
    record = item(table, user)
    figures.writers("threads, the old unconditional write (for comparison)", writer_count,
                    writer_count * updates, lost_updates(record, writer_count, updates))
    assert all(int(record[f"w{n}"]) == updates for n in range(writer_count)), "different fields never clash"


# --- 2. two devices, turn by turn ----------------------------------------------------------------

def two_devices(lambda_entry, apis):
    """Two Echo devices of one user, each served by its own Lambda container."""
    def device(name):
        caller = Caller(user_id=USER, device_id=f"amzn1.ask.device.{name}", api_endpoint=apis.endpoint,
                        api_token="local-api-token")
        return Conversation(lambda_entry(), caller, now=T0)
    return device("KITCHEN"), device("BEDROOM")


def test_two_devices_interleaved_turn_by_turn(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    assert "not medical advice" in kitchen.launch().speech
    assert "not medical advice" not in bedroom.launch().speech, "the other device knows it was heard"
    kitchen.intent("AMAZON.YesIntent")
    bedroom.intent("IceOrHeatIntent")
    for _ in range(6):  # the red-flag questions
        kitchen.intent("AMAZON.NoIntent")
    plan = kitchen.intent("OnsetIntent", date="2026-11-25", time="MO")
    assert plan.speech.endswith("when it's time for heat?")
    corrected = bedroom.intent("OnsetIntent", date="2026-11-24", time="EV")  # the bedroom says: last evening
    assert "Use ice" in corrected.speech
    assert "I'll remind you to switch to heat" in kitchen.intent("AMAZON.YesIntent").speech
    assert int(item(table)["episode_start"]) < int(T0.timestamp()) - 12 * 3600, "the later correction stands"
    listed = bedroom.intent("ListRemindersIntent")
    assert "I'll remind you to switch to heat" in listed.speech
    assert bedroom.intent("CheckInIntent", status="gone").speech.lower().startswith("that's great news")
    asked = kitchen.intent("IceOrHeatIntent")
    assert "When did the spasm start" in asked.speech, "the episode ended on the other device"
    record = item(table)
    assert apis.reminders == {} and not any(k.startswith("reminder_") for k in record)
    assert "episode_start" not in record and record["heard_disclaimer"] is True


# --- 3. two turns at the same moment -------------------------------------------------------------

class Gate:
    """Wraps a handler's store: its first write (update or delete) waits at the gate until
    `release` is set, so another device's turn can run in between."""

    def __init__(self, store):
        self.store = store
        self.arrived, self.release = threading.Event(), threading.Event()
        self.armed = True
        self.conflicts = 0

    @property
    def worst_case_s(self):
        return self.store.worst_case_s

    def load(self, *args, **kwargs):
        return self.store.load(*args, **kwargs)

    def update(self, *args, **kwargs):
        return self._write(self.store.update, args, kwargs)

    def delete(self, *args, **kwargs):
        return self._write(self.store.delete, args, kwargs)

    def _write(self, operation, args, kwargs):
        self._hold()
        try:
            return operation(*args, **kwargs)
        except Conflict:
            self.conflicts += 1
            raise

    def _hold(self):
        if self.armed:
            self.armed = False
            self.arrived.set()
            assert self.release.wait(20), "never released"


def held(talk):
    """Put a Gate in front of the store of `talk`'s Lambda container."""
    gate = Gate(talk.handler.adapter.store)
    talk.handler.adapter.store = gate
    return gate


def race(held_turn, gate, other_turn):
    """Start `held_turn` in a thread; when it is about to write, run `other_turn` to the
    end; then let the held turn write. Both turns' results."""
    results = {}
    thread = threading.Thread(target=lambda: results.setdefault("held", held_turn()))
    thread.start()
    assert gate.arrived.wait(20), "the held turn never wrote"
    other = other_turn()
    gate.release.set()
    thread.join(20)
    assert not thread.is_alive()
    assert gate.conflicts >= 1, "the held turn's write met no conflict: the turns did not overlap"
    return results["held"], other


def tracked(record):
    return {v for k, v in record.items() if k.startswith("reminder_")}


def ready_for_a_reminder(kitchen, bedroom):
    """An episode that started just now, and both devices asked about ice or heat."""
    kitchen.intent("IceOrHeatIntent")
    kitchen.intent("OnsetIntent", date="PRESENT_REF")
    bedroom.intent("IceOrHeatIntent")


def test_setting_a_reminder_while_the_other_device_ends_the_episode(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    gate = held(kitchen)
    reminder, ended = race(lambda: kitchen.intent("AMAZON.YesIntent"), gate,
                           lambda: bedroom.intent("CheckInIntent", status="gone"))
    assert "I'll remind you" in reminder.speech and "great news" in ended.speech.lower()
    record = item(table)
    assert "episode_start" not in record and not tracked(record)
    assert apis.reminders == {}, "no reminder left going off for an episode that is over"
    figures.race("setting_a_reminder_while_the_other_device_ends_the_episode")


def test_ending_the_episode_while_the_other_device_sets_a_reminder(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    bedroom.intent("AMAZON.NoIntent")  # no reminder from the bedroom; it asks "more tips?"
    gate = held(bedroom)
    ended, reminder = race(lambda: bedroom.intent("CheckInIntent", status="gone"), gate,
                           lambda: kitchen.intent("AMAZON.YesIntent"))
    assert "great news" in ended.speech.lower() and "I'll remind you" in reminder.speech
    record = item(table)
    assert "episode_start" not in record and not tracked(record) and apis.reminders == {}
    figures.race("ending_the_episode_while_the_other_device_sets_a_reminder")


def test_both_devices_set_the_same_reminder(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    bedroom.intent("SetReminderIntent", reminder="checkin")  # so the bedroom's "yes" is for heat too
    gate = held(kitchen)
    first, second = race(lambda: kitchen.intent("AMAZON.YesIntent"), gate,
                         lambda: bedroom.intent("SetReminderIntent", reminder="heat"))
    assert "switch to heat" in first.speech and "switch to heat" in second.speech
    record = item(table)
    assert set(apis.reminders) == tracked(record), "every reminder set is known, none twice"
    assert len(apis.reminders) == 2  # one heat, one check-in
    figures.race("both_devices_set_the_same_reminder")


def test_deleting_my_data_while_the_other_device_sets_a_reminder(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    bedroom.intent("DeleteDataIntent")
    gate = held(bedroom)
    deleted, reminder = race(lambda: bedroom.intent("AMAZON.YesIntent"), gate,
                             lambda: kitchen.intent("AMAZON.YesIntent"))
    assert "deleted" in deleted.speech and "I'll remind you" in reminder.speech
    assert item(table) == {} and apis.reminders == {}, "deleted means deleted, reminders too"
    figures.race("deleting_my_data_while_the_other_device_sets_a_reminder")


def test_setting_a_reminder_while_the_other_device_deletes_the_data(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    bedroom.intent("DeleteDataIntent")
    gate = held(kitchen)
    reminder, deleted = race(lambda: kitchen.intent("AMAZON.YesIntent"), gate,
                             lambda: bedroom.intent("AMAZON.YesIntent"))
    assert "deleted" in deleted.speech
    assert not tracked(item(table)) and "episode_start" not in item(table) and apis.reminders == {}
    figures.race("setting_a_reminder_while_the_other_device_deletes_the_data")


def test_different_fields_at_the_same_moment_both_survive(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    ready_for_a_reminder(kitchen, bedroom)
    bedroom.new_session()
    bedroom.now = kitchen.now = T0.replace(hour=20)
    gate = held(kitchen)
    race(lambda: kitchen.intent("AMAZON.NoIntent"), gate,  # no to the reminder: declined for the episode
         lambda: bedroom.intent("CheckInIntent", status="same"))
    record = item(table)
    assert record["reminders_declined"] is True, "the kitchen's no"
    assert int(record["last_checkin"]) == int(T0.replace(hour=20).timestamp()), "the bedroom's check-in"
    figures.race("different_fields_at_the_same_moment_both_survive")


def test_the_first_launch_on_two_devices_at_once(lambda_entry, table, apis):
    kitchen, bedroom = two_devices(lambda_entry, apis)
    gate = held(kitchen)
    first, second = race(kitchen.launch, gate, bedroom.launch)
    assert "not medical advice" in first.speech and "not medical advice" in second.speech
    assert item(table)["heard_disclaimer"] is True and int(item(table)["version"]) == 1, \
        "the second write found the flag already set: nothing left to write"
    figures.race("the_first_launch_on_two_devices_at_once")
