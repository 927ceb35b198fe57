"""The stores and the persistence adapter: DynamoDB (moto, with the table made from
template.yaml's own definition) and the local sqlite store behave alike; a turn reads at
most once and writes only what changed; the table never holds an Alexa user id."""

import hashlib
from pathlib import Path
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from devkit.alexa import Caller, Conversation
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter, StoreUnavailable
from spasm_coach.storage.dynamodb import KEY, DynamoDbStore
from spasm_coach.storage.sqlite import SqliteStore
from tests.template import load_template, table_definition

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
TABLE = "back-spasm-coach-test"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "us-east-1",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        create, ttl = table_definition()
        client = boto3.client("dynamodb")
        client.create_table(TableName=TABLE, **create)
        if ttl:
            client.update_time_to_live(TableName=TABLE, TimeToLiveSpecification=ttl)
        yield client


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_store(request, tmp_path):
    if request.param == "sqlite":
        return SqliteStore(tmp_path / "store.sqlite3")
    request.getfixturevalue("aws")
    return DynamoDbStore(TABLE)


class Counting:
    """A store wrapper that counts calls, to see what a turn costs."""

    def __init__(self, store):
        self.store, self.calls = store, []

    def __getattr__(self, name):
        if name not in ("load", "update", "delete"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.calls.append(name)
            return getattr(self.store, name)(*args, **kwargs)
        return call

    def take(self):
        calls, self.calls = self.calls, []
        return calls


# --- the table ---------------------------------------------------------------------------

def test_table_key_and_ttl_match_what_the_store_writes():
    create, ttl = table_definition()
    assert create["KeySchema"] == [{"AttributeName": KEY, "KeyType": "HASH"}]
    assert create["BillingMode"] == "PAY_PER_REQUEST"
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_function_gets_the_table_name_from_the_template():
    function = next(r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::Function")
    assert function["Properties"]["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": "UserTable"}


# --- both stores ---------------------------------------------------------------------------

def test_unknown_user_has_an_empty_record(any_store):
    assert any_store.load("nobody")[:3] == ({}, None, None)


def test_values_round_trip(any_store):
    record = {"episode_start": 1764082800, "episode_precision": "exact", "heard_disclaimer": True,
              "tokens": ["a", "b"], "nested": {"x": 1, "y": None}}
    any_store.update("u1", record, [], 1800000000)
    assert any_store.load("u1")[:3] == (record, 1800000000, 1)


def test_updates_merge_so_concurrent_changes_to_different_fields_survive(any_store):
    any_store.update("u1", {"episode_start": 1}, [], 10)
    any_store.update("u1", {"heard_disclaimer": True}, [], 20)
    assert any_store.load("u1")[:3] == ({"episode_start": 1, "heard_disclaimer": True}, 20, 2)


def test_removed_fields_are_gone(any_store):
    any_store.update("u1", {"episode_start": 1, "episode_precision": "day"}, [], 10)
    any_store.update("u1", {}, ["episode_start", "episode_precision"], 10)
    assert any_store.load("u1")[0] == {}


def test_delete_removes_the_record(any_store):
    any_store.update("u1", {"episode_start": 1}, [], 10)
    any_store.delete("u1")
    assert any_store.load("u1")[:3] == ({}, None, None)


def test_each_write_counts_a_version_and_returns_it(any_store):
    assert any_store.update("u1", {"a": 1}, [], 10) == 1
    assert any_store.update("u1", {"a": 2}, [], 10, expected_version=1) == 2
    assert any_store.load("u1")[2] == 2


def test_a_write_expecting_an_older_version_changes_nothing(any_store):
    from spasm_coach.storage import Conflict
    any_store.update("u1", {"a": 1}, [], 10)
    any_store.update("u1", {"b": 1}, [], 10)
    with pytest.raises(Conflict):
        any_store.update("u1", {"a": 99}, ["b"], 10, expected_version=1)
    with pytest.raises(Conflict):
        any_store.update("u1", {"a": 99}, [], 10, expected_version=None)  # "there is no record yet"
    assert any_store.load("u1")[:3] == ({"a": 1, "b": 1}, 10, 2)


def test_a_first_write_expecting_no_record_creates_it_once(any_store):
    from spasm_coach.storage import Conflict
    assert any_store.update("u1", {"a": 1}, [], 10, expected_version=None) == 1
    with pytest.raises(Conflict):
        any_store.update("u1", {"a": 2}, [], 10, expected_version=None)


def test_a_delete_expecting_an_older_version_deletes_nothing(any_store):
    from spasm_coach.storage import Conflict
    any_store.update("u1", {"a": 1}, [], 10)
    any_store.update("u1", {"reminder_heat": "t"}, [], 10)
    with pytest.raises(Conflict):
        any_store.delete("u1", expected_version=1)
    assert any_store.load("u1")[0] == {"a": 1, "reminder_heat": "t"}
    any_store.delete("u1", expected_version=2)
    assert any_store.load("u1")[:3] == ({}, None, None)
    any_store.delete("u1", expected_version=None)  # nothing there, as expected: not an error


# --- writes that are carried out once, however often they are sent ------------------------

def test_a_failed_condition_hands_back_the_record_as_it_is(any_store):
    from spasm_coach.storage import Conflict
    any_store.update("u1", {"a": 1}, [], 10, turn_id="req-1", turns=("req-1",))
    with pytest.raises(Conflict) as failed:
        any_store.update("u1", {"a": 2}, [], 10, expected_version=None, turn_id="req-2", turns=("req-2",))
    assert failed.value.current == ({"a": 1}, 10, 1, ("req-1",))
    with pytest.raises(Conflict) as failed:
        any_store.delete("u1", expected_version=7)
    assert failed.value.current.version == 1


def test_a_conditional_write_sent_again_is_not_carried_out_again(any_store):
    """The retry of a write whose answer was lost: its condition fails, and the record it
    hands back names the write's turn."""
    from spasm_coach.storage import Conflict
    any_store.update("u1", {"n": 1}, [], 10, expected_version=None, turn_id="req-1", turns=("req-1",))
    with pytest.raises(Conflict) as again:
        any_store.update("u1", {"n": 1}, [], 10, expected_version=None, turn_id="req-1", turns=("req-1",))
    assert "req-1" in again.value.current.turns
    assert any_store.load("u1") == ({"n": 1}, 10, 1, ("req-1",))


def test_a_blind_write_sent_again_is_not_carried_out_again(any_store):
    """A write made without a version (the read had failed) is conditional on its turn not
    having written the record yet."""
    from spasm_coach.storage import Conflict
    any_store.update("u1", {"a": 1}, [], 10, expected_version=None, turn_id="req-1", turns=("req-1",))
    assert any_store.update("u1", {"b": 1}, [], 10, turn_id="req-2") == 2
    with pytest.raises(Conflict) as again:
        any_store.update("u1", {"b": 1}, [], 10, turn_id="req-2")
    assert again.value.current == ({"a": 1, "b": 1}, 10, 2, ("req-1", "req-2"))


class LostAnswer:
    """A store whose next write is carried out, but whose answer never comes back: the
    write is sent again, as botocore's retry sends it, and that answer is the one seen."""

    def __init__(self, store):
        self.store, self.lose = store, 1

    def __getattr__(self, name):
        return getattr(self.store, name)

    def update(self, *args, **kwargs):
        if self.lose:
            self.lose -= 1
            self.store.update(*args, **kwargs)
        return self.store.update(*args, **kwargs)


@pytest.mark.parametrize("loaded", [True, False], ids=["after a read", "blind, the read had failed"])
def test_the_adapter_takes_a_write_sent_again_as_done(any_store, loaded):
    adapter = RecordAdapter(LostAnswer(any_store), ttl_days=30)
    request = _envelope(request_id="amzn1.echo-api.request.1")
    record = adapter.get_attributes(request) if loaded else {}
    record["shared"] = record.get("shared", 0) + 1
    adapter.save_attributes(request, record)  # no Conflict: the write was this turn's
    stored = any_store.load(_key("amzn1.ask.account.A"))
    assert stored.data == {"shared": 1} and stored.version == 1, "carried out once"
    if loaded:
        assert dict(record) == {"shared": 1} and record.version == 1 and record.turns == stored.turns


class NoAnswer:
    """A store whose next write is carried out (or not, `carried_out`), and then fails as
    if every attempt's answer had been lost."""

    def __init__(self, store, carried_out=True):
        self.store, self.carried_out, self.lose = store, carried_out, 1

    def __getattr__(self, name):
        return getattr(self.store, name)

    def update(self, *args, **kwargs):
        return self._write(self.store.update, args, kwargs)

    def delete(self, *args, **kwargs):
        return self._write(self.store.delete, args, kwargs)

    def _write(self, operation, args, kwargs):
        if not self.lose:
            return operation(*args, **kwargs)
        self.lose -= 1
        if self.carried_out:
            operation(*args, **kwargs)
        raise StoreUnavailable("dynamodb update_item: ReadTimeoutError")


@pytest.mark.parametrize("carried_out", [True, False], ids=["carried out", "not carried out"])
def test_after_a_write_that_got_no_answer_one_read_tells_whether_it_was_carried_out(any_store, carried_out):
    adapter = RecordAdapter(NoAnswer(any_store, carried_out), ttl_days=30)
    request = _envelope(request_id="req-1")
    record = adapter.get_attributes(request)
    record["a"] = 1
    if carried_out:
        adapter.save_attributes(request, record)
        assert record.version == 1 and any_store.load(_key("amzn1.ask.account.A")).version == 1
    else:
        with pytest.raises(StoreUnavailable):
            adapter.save_attributes(request, record)
        assert any_store.load(_key("amzn1.ask.account.A")).version is None


def test_after_a_delete_that_got_no_answer_one_read_tells_it_was_carried_out(any_store):
    adapter = RecordAdapter(any_store, ttl_days=30)
    request = _envelope(request_id="req-1")
    record = adapter.get_attributes(request)
    record["a"] = 1
    adapter.save_attributes(request, record)
    RecordAdapter(NoAnswer(any_store), ttl_days=30).delete_attributes(request, record)
    assert any_store.load(_key("amzn1.ask.account.A")).version is None

def test_a_record_remembers_only_the_last_few_writers(tmp_path):
    from spasm_coach.storage.adapter import RECENT_TURNS, turn_id
    store = SqliteStore(tmp_path / "s.sqlite3")
    adapter = RecordAdapter(store, ttl_days=30)
    requests = [_envelope(request_id=f"req-{n}") for n in range(RECENT_TURNS + 3)]
    for n, request in enumerate(requests):
        record = adapter.get_attributes(request)
        record["n"] = n
        adapter.save_attributes(request, record)
    assert store.load(_key("amzn1.ask.account.A")).turns == tuple(turn_id(r) for r in requests[3:])


def test_a_delete_sent_again_finds_nothing_left_and_is_done(any_store):
    """Its first attempt deleted the record and the answer was lost: the retry's condition
    fails on a record that is gone, which is what was asked."""
    adapter = RecordAdapter(any_store, ttl_days=30)
    request = _envelope(request_id="req-1")
    record = adapter.get_attributes(request)
    record["a"] = 1
    adapter.save_attributes(request, record)
    any_store.delete(_key("amzn1.ask.account.A"), expected_version=1)  # the attempt whose answer was lost
    adapter.delete_attributes(request, record)
    assert any_store.load(_key("amzn1.ask.account.A")).version is None

def test_dynamodb_refuses_floats(aws):
    with pytest.raises(TypeError):
        DynamoDbStore(TABLE).update("u1", {"episode_start": 1.5}, [], 10)


# --- the adapter ---------------------------------------------------------------------------

def _envelope(user="amzn1.ask.account.A", now=T0, request_id=None):
    from ask_sdk_model import Context, LaunchRequest, RequestEnvelope, User
    from ask_sdk_model.interfaces.system import SystemState
    return RequestEnvelope(context=Context(system=SystemState(user=User(user_id=user))),
                           request=LaunchRequest(timestamp=now, request_id=request_id))


def test_adapter_writes_only_what_changed_and_nothing_when_nothing_did(tmp_path):
    store = Counting(SqliteStore(tmp_path / "s.sqlite3"))
    adapter = RecordAdapter(store, ttl_days=30)
    attrs = adapter.get_attributes(_envelope())
    adapter.save_attributes(_envelope(), attrs)
    assert store.take() == ["load"]  # a new user who changed nothing costs no write
    attrs["episode_start"] = 5
    adapter.save_attributes(_envelope(), attrs)
    assert store.take() == ["update"]
    adapter.save_attributes(_envelope(), attrs)
    assert store.take() == []


def test_adapter_refreshes_the_expiry_at_most_daily(tmp_path):
    store = Counting(SqliteStore(tmp_path / "s.sqlite3"))
    adapter = RecordAdapter(store, ttl_days=30)
    attrs = adapter.get_attributes(_envelope())
    attrs["episode_start"] = 5
    adapter.save_attributes(_envelope(), attrs)
    store.take()
    later = T0 + timedelta(hours=20)
    adapter.save_attributes(_envelope(now=later), adapter.get_attributes(_envelope(now=later)))
    assert store.take() == ["load"]
    later = T0 + timedelta(days=2)
    adapter.save_attributes(_envelope(now=later), adapter.get_attributes(_envelope(now=later)))
    assert store.take() == ["load", "update"]
    assert store.store.load(_key("amzn1.ask.account.A"))[1] == int((later + timedelta(days=30)).timestamp())


def _key(user_id):
    return hashlib.sha256(user_id.encode()).hexdigest()


def test_the_table_never_holds_the_alexa_user_id(aws, content):
    user = "amzn1.ask.account.SECRET-USER-ID"
    coach = SpasmCoach(content, RecordAdapter(DynamoDbStore(TABLE), 30))
    talk = Conversation(coach, Caller(user_id=user), now=T0)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="2026-11-24")
    items = aws.scan(TableName=TABLE)["Items"]
    assert len(items) == 1 and user not in repr(items)
    assert items[0][KEY]["S"] == _key(user)


# --- what turns cost -------------------------------------------------------------------------

def test_each_turn_reads_at_most_once_and_writes_only_on_change(content, tmp_path):
    store = Counting(SqliteStore(tmp_path / "s.sqlite3"))
    talk = Conversation(SpasmCoach(content, RecordAdapter(store, 30)), Caller(), now=T0)
    talk.launch()
    assert store.take() == ["load", "update"]  # first use: the disclaimer is remembered
    for answer in ["AMAZON.YesIntent"] + ["AMAZON.NoIntent"] * 5:
        talk.intent(answer)
        assert store.take() == []  # triage questions need no storage at all
    talk.intent("AMAZON.NoIntent")
    assert store.take() == ["load"]  # the last answer looks for a stored episode
    talk.intent("OnsetIntent", date="2026-11-24")
    assert store.take() == ["load", "update"]
    talk.intent("AMAZON.YesIntent")  # another tip: nothing stored changes
    assert store.take() == []


def test_a_second_session_days_later_finds_the_episode_in_dynamodb(aws, content):
    coach = SpasmCoach(content, RecordAdapter(DynamoDbStore(TABLE), 30))
    talk = Conversation(coach, Caller(), now=T0)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="2026-11-25", time="13:00")
    talk.new_session()
    talk.now = T0 + timedelta(days=2)
    turn = talk.intent("IceOrHeatIntent")
    assert "switch to heat now" in turn.speech
    talk.now = T0 + timedelta(days=4)
    assert "more than a few days" in talk.intent("IceOrHeatIntent").speech


def test_a_read_only_checkout_keeps_the_local_store_in_the_temp_directory(tmp_path, monkeypatch):
    import os
    import tempfile

    from spasm_coach.storage import local_store_path
    default = tmp_path / "checkout" / ".local" / "store.sqlite3"
    assert local_store_path(default) == default
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as if the checkout were read-only
    assert local_store_path(default) == Path(tempfile.gettempdir()) / "back-spasm-coach" / "store.sqlite3"
