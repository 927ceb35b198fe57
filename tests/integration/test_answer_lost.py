"""Writes whose answer is lost: devkit.fault_proxy's "lost" mode, on the writes only, lets
DynamoDB Local carry each write out and then drops the connection without the answer.
botocore sends the write again; when that answer is lost too, the adapter reads once to
see what happened (storage/adapter.py, "Idempotent writes"). The answers are dropped, not
held past a timeout, so the test run's generous timeouts stay in force and nothing here
depends on the machine's speed (a late answer is test_faults.py's mode "slow").

For every kind of write the skill makes (the disclaimer flag, the episode's start, a
check-in, a reminder's token, the end of an episode, deleting the data) and for the
parallel counter writers: no write applied twice (the record's version, which counts the
writes carried out, moves by exactly one per turn), none lost (what the user said is
stored), and the user hears a real answer that does not claim a failure.
"""

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from devkit.alexa import Caller, Conversation
from tests.integration import figures, writers

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
USER = "amzn1.ask.account.ANSWER-LOST"
UNSAVED = "I couldn't save that"
LOSE = {"the first answer": 1, "every answer": None}  # `times` for the proxy


def stored(table, user=USER):
    name, client = table
    key = hashlib.sha256(user.encode()).hexdigest()
    item = client.get_item(TableName=name, Key={"user_key": {"S": key}}, ConsistentRead=True).get("Item") or {}
    return {k: next(iter(v.values())) for k, v in item.items()}


def version(table):
    return int(stored(table).get("version", 0))


def reminder_token(record, apis):
    """One reminder set, and its token stored."""
    return len(apis.reminders) == 1 and record.get("reminder_heat") in apis.reminders


# Each kind of write: (the turns before it, the turn that writes, whether what it wrote is
# stored, what the user must hear). A turn is (intent or "launch", slots) or "new session".


WRITES = {
    "disclaimer flag": ([], ("launch", {}),
                        lambda record, apis: record.get("heard_disclaimer") is True, "not medical advice"),
    "episode start": ([("IceOrHeatIntent", {})], ("OnsetIntent", {"date": "2026-11-24", "time": "EV"}),
                      lambda record, apis: "episode_start" in record, "Use ice in a cloth"),
    "check-in": ([("IceOrHeatIntent", {}), ("OnsetIntent", {"date": "2026-11-24", "time": "EV"}), "new session"],
                 ("CheckInIntent", {"status": "same"}),
                 lambda record, apis: int(record.get("last_checkin", 0)) == int(T0.timestamp()), "ice"),
    "reminder token": ([("IceOrHeatIntent", {}), ("OnsetIntent", {"date": "PRESENT_REF"})], ("AMAZON.YesIntent", {}),
                       reminder_token, "I'll remind you to switch to heat"),
    "episode end": ([("IceOrHeatIntent", {}), ("OnsetIntent", {"date": "2026-11-24", "time": "EV"}), "new session"],
                    ("CheckInIntent", {"status": "gone"}),
                    lambda record, apis: "episode_start" not in record and record.get("heard_disclaimer") is True,
                    "great news"),
    "delete": ([("IceOrHeatIntent", {}), ("OnsetIntent", {"date": "2026-11-24", "time": "EV"}),
                ("DeleteDataIntent", {})], ("AMAZON.YesIntent", {}),
               lambda record, apis: record == {}, "deleted"),
}


def take(talk, turn):
    if turn == "new session":
        return talk.new_session()
    name, slots = turn
    return talk.launch() if name == "launch" else talk.intent(name, **slots)


@pytest.mark.parametrize("lose", LOSE)
@pytest.mark.parametrize("kind", WRITES)
def test_a_write_whose_answer_is_lost_is_applied_once(kind, lose, proxies, lambda_entry, table, apis):
    db, _ = proxies
    before, turn, kept, heard = WRITES[kind]
    caller = Caller(user_id=USER, api_endpoint=apis.endpoint, api_token="local-api-token")
    talk = Conversation(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint), caller, now=T0)
    for step in before:
        take(talk, step)
    versions = version(table)

    db.set_mode("lost", times=LOSE[lose], only=db.writes)
    answer = take(talk, turn)
    db.set_mode("pass")

    record = stored(table)
    applied = int(record.get("version", 0)) - versions  # a delete leaves no record: none
    twice = int(kind != "delete" and applied > 1)
    lost = int(not kept(record, apis) or (kind != "delete" and applied < 1))
    figures.lost_answer(f"{kind}, {lose} lost", db.withheld, twice, lost)
    assert db.withheld >= 1, "no answer was lost: the test proved nothing"
    assert twice == 0, f"applied {applied} times"
    assert lost == 0, f"not stored as the user said: {record}"
    assert heard in answer.speech and UNSAVED not in answer.speech and "couldn't delete" not in answer.speech


def test_a_write_whose_answer_is_lost_while_another_device_writes_is_not_replayed_over_it(
        proxies, lambda_entry, dynamodb_local, table):
    """The kitchen's write is carried out, but its answer is held; meanwhile the bedroom
    says when the spasm really started, and that is saved; then the kitchen's write is
    sent again. Replaying it would put the kitchen's start back over the bedroom's later
    one: it must find its own id in the record and stop."""
    db, _ = proxies
    kitchen = Conversation(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint), Caller(user_id=USER), now=T0)
    bedroom = Conversation(lambda_entry(DYNAMODB_ENDPOINT=dynamodb_local.endpoint),
                           Caller(user_id=USER, device_id="amzn1.ask.device.BEDROOM"), now=T0)
    kitchen.intent("IceOrHeatIntent")
    bedroom.intent("IceOrHeatIntent")
    db.set_mode("lost", times=1, only=db.writes, hold=60)  # held until the mode changes
    with ThreadPoolExecutor(1) as pool:
        said = pool.submit(kitchen.intent, "OnsetIntent", date="2026-11-25", time="MO")  # this morning
        assert db.wait_withheld(1), "the kitchen's write never reached DynamoDB"
        bedroom.intent("OnsetIntent", date="2026-11-24", time="EV")  # no: last evening
        corrected = int(stored(table)["episode_start"])
        db.set_mode("pass")  # the held answer is dropped: botocore sends the write again
        assert "Use ice" in said.result(timeout=60).speech
    assert int(stored(table)["episode_start"]) == corrected, "the bedroom's later correction stands"
    assert int(stored(table)["version"]) == 3, "the disclaimer, the kitchen's write, the bedroom's: once each"
    figures.lost_answer("episode start, held while another device wrote", db.withheld, 0, 0)


@pytest.mark.parametrize("lose", [8, None], ids=["8 answers lost", "every answer lost"])
def test_parallel_counters_whose_answers_are_lost_count_every_update_once(lose, proxies, table):
    db, _ = proxies
    user = f"amzn1.ask.account.LOST-{uuid.uuid4().hex[:8]}"
    writer_count, updates = 4, 10
    db.set_mode("lost", times=lose, only=db.writes)
    with ThreadPoolExecutor(writer_count) as pool:
        list(pool.map(lambda n: writers.write(db.endpoint, table[0], user, n, updates),
                      range(writer_count)))
    db.set_mode("pass")
    record = stored(table, user)
    total = writer_count * updates
    counted = [int(record.get(f"w{n}", 0)) for n in range(writer_count)]
    twice = sum(max(0, c - updates) for c in counted) + max(0, int(record["shared"]) - total)
    lost = sum(max(0, updates - c) for c in counted) + max(0, total - int(record["shared"]))
    figures.lost_answer(f"counters, {writer_count} writers x {updates}, {f'{lose} answers' if lose else 'every answer'} lost",
                        db.withheld, twice, lost)
    assert db.withheld >= min(lose or 1, total)
    assert (twice, lost) == (0, 0)
    assert int(record["version"]) == total, "one write carried out per update"


def test_lost_answers_are_told_apart_from_writes_that_never_happened(proxies, lambda_entry, table):
    """Closed before the write reached DynamoDB (mode close, every attempt): nothing was
    stored, and the user is told so, not told it worked."""
    db, _ = proxies
    talk = Conversation(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint), Caller(user_id=USER), now=T0)
    talk.intent("IceOrHeatIntent")
    db.set_mode("close", only=db.writes)
    plan = talk.intent("OnsetIntent", date="2026-11-24", time="EV")
    db.set_mode("pass")
    assert UNSAVED in plan.speech and "episode_start" not in stored(table)
