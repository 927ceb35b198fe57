"""Whole conversations through the Lambda entry point (lambda/app.py) on DynamoDB Local, the
official engine, with the table made from template.yaml: what moto cannot show, such as
the real engine's answer to our update expressions, its TTL settings and its errors."""

import hashlib
from datetime import datetime, timedelta, timezone

from devkit.alexa import Caller, Conversation

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)  # a Wednesday afternoon
DAY = 86400
USER = "amzn1.ask.account.INTEGRATION-USER"


def item(table, user=USER):
    """The stored item of `user`, as DynamoDB returns it (None if there is none)."""
    name, client = table
    key = hashlib.sha256(user.encode()).hexdigest()
    return client.get_item(TableName=name, Key={"user_key": {"S": key}}, ConsistentRead=True).get("Item")


def report_with_no_red_flags(talk):
    talk.intent("ReportSpasmIntent")
    for _ in range(6):  # the red-flag questions
        turn = talk.intent("AMAZON.NoIntent")
    assert "When did the spasm start" in turn.speech
    return turn


def test_the_table_is_made_from_the_template_with_ttl_on_expires_at(table):
    name, client = table
    described = client.describe_table(TableName=name)["Table"]
    assert described["KeySchema"] == [{"AttributeName": "user_key", "KeyType": "HASH"}]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_first_use_to_a_stored_plan(lambda_entry, table):
    talk = Conversation(lambda_entry(), Caller(user_id=USER), now=T0)
    launch = talk.launch()
    assert "not medical advice" in launch.speech
    stored = item(table)
    assert stored["heard_disclaimer"] == {"BOOL": True}
    assert stored["expires_at"] == {"N": str(int(T0.timestamp()) + 30 * DAY)}

    talk.intent("AMAZON.YesIntent")
    for _ in range(6):  # the red-flag questions
        talk.intent("AMAZON.NoIntent")
    onset = talk.intent("AMAZON.NoIntent")
    assert "When did the spasm start" in onset.speech
    plan = talk.intent("OnsetIntent", date="2026-11-25", time="MO")
    assert "Use ice" in plan.speech and "couldn't save" not in plan.speech
    stored = item(table)
    assert int(stored["episode_start"]["N"]) < int(T0.timestamp())
    assert stored["version"] == {"N": "2"}
    assert USER not in repr(stored)


def test_two_sessions_of_the_same_user_days_apart(lambda_entry, table):
    talk = Conversation(lambda_entry(), Caller(user_id=USER), now=T0)
    report_with_no_red_flags(talk)
    first = talk.intent("OnsetIntent", date="2026-11-25", time="13:00")
    assert "Use ice" in first.speech
    talk.intent("AMAZON.NoIntent")
    assert not talk.in_session
    written = int(item(table)["expires_at"]["N"])

    # Two days later, on a new container (a cold start), the same user comes back.
    later = Conversation(lambda_entry(), Caller(user_id=USER), now=T0 + timedelta(days=2))
    welcome = later.launch()
    assert "Welcome back" in welcome.speech and "2 days ago" in welcome.speech
    assert "not medical advice" not in welcome.speech
    answer = later.intent("IceOrHeatIntent")
    assert "switch to heat now" in answer.speech.lower()
    later.intent("CheckInIntent", status="better")
    refreshed = int(item(table)["expires_at"]["N"])
    assert refreshed == written + 2 * DAY, "activity pushes the expiry forward"


def test_delete_my_data_removes_the_item(lambda_entry, table):
    talk = Conversation(lambda_entry(), Caller(user_id=USER), now=T0)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="2026-11-24")
    assert item(table) is not None
    talk.new_session()
    assert "Should I go ahead?" in talk.intent("DeleteDataIntent").speech
    assert "deleted" in talk.intent("AMAZON.YesIntent").speech
    assert item(table) is None
    assert "not medical advice" in talk.launch().speech, "a deleted user is a new user"


def test_users_are_kept_apart(lambda_entry, table):
    handler = lambda_entry()
    one = Conversation(handler, Caller(user_id="amzn1.ask.account.ONE"), now=T0)
    two = Conversation(handler, Caller(user_id="amzn1.ask.account.TWO"), now=T0)
    one.intent("IceOrHeatIntent")
    one.intent("OnsetIntent", date="2026-11-22")
    assert "When did the spasm start" in two.intent("IceOrHeatIntent").speech
    assert "episode_start" in item(table, "amzn1.ask.account.ONE")
    assert "episode_start" not in item(table, "amzn1.ask.account.TWO")


def test_a_request_for_another_skill_gets_no_answer_and_touches_nothing(lambda_entry, table):
    talk = Conversation(lambda_entry(), Caller(user_id=USER, skill_id="amzn1.ask.skill.someone-else"), now=T0)
    assert talk.launch().response is None
    assert item(table) is None


def test_a_missing_table_is_survived_with_an_apology(lambda_entry):
    talk = Conversation(lambda_entry(TABLE_NAME="no-such-table"), Caller(user_id=USER), now=T0)
    turn = talk.launch()
    assert "couldn't look up your saved details" in turn.speech and not turn.ends_session
    talk.intent("AMAZON.YesIntent")
    for _ in range(6):  # the red-flag questions
        talk.intent("AMAZON.NoIntent")
    plan = talk.intent("OnsetIntent", date="2026-11-24")
    assert "Use ice" in plan.speech or "switch to heat" in plan.speech
    assert "couldn't save that" in plan.speech
