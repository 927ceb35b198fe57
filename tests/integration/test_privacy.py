"""Private by design, tested through lambda/app.py on DynamoDB Local with the Settings and
Reminders APIs: what the logs say, what the table holds and for how long, what "delete my
data" removes, and that a request for another skill causes no I/O at all."""

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from devkit.alexa import Caller, Conversation, SlotFill
from spasm_coach.alexa import log
from tests.conftest import ROOT

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
DAY = 86400
USER = "amzn1.ask.account.AGHPRIVATEUSERIDFORTHELOGTEST"
DEVICE = "amzn1.ask.device.AGHPRIVATEDEVICEIDFORTHELOGTEST"
API_TOKEN = "eyJ0eXAiOiJKV1QiPRIVATE.API.TOKEN"
PERSON = "amzn1.ask.person.AGHPRIVATEPERSONIDFORTHELOGTEST"


@dataclass
class LambdaContext:
    """The part of Lambda's context object the handler reads."""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = "back-spasm-coach-skill"


def key(user=USER):
    return hashlib.sha256(user.encode()).hexdigest()


def item(table, user=USER):
    name, client = table
    found = client.get_item(TableName=name, Key={"user_key": {"S": key(user)}}, ConsistentRead=True).get("Item")
    return {k: next(iter(v.values())) for k, v in found.items()} if found else None


class WithContext:
    """Calls the handler as Lambda does, with a context object; remembers the request ids."""

    def __init__(self, handler):
        self.handler, self.request_ids = handler, []

    def __call__(self, event, _):
        context = LambdaContext()
        self.request_ids.append(context.aws_request_id)
        return self.handler(event, context)


# What the user says in the conversation below, as slot values (resolved and raw).
SAID = ["2026-11-24", "yesterday evening", "can i take ibuprofen", "ibuprofen", "purple-ish",
        "i feel kind of purple", "my legs went numb after the crash"]


def whole_conversation(talk):
    """First use to the end: safety questions, onset, both reminders, a list, a tip, an
    answer we don't understand, a correction, a red flag in raw words; then "delete my
    data" in a new session."""
    talk.launch()
    talk.intent("AMAZON.YesIntent")
    for _ in range(6):  # the red-flag questions
        talk.intent("AMAZON.NoIntent")
    plan = talk.intent("OnsetIntent", date=SlotFill("2026-11-24"), time=SlotFill("EV"))
    assert plan.speech.endswith("when it's time for heat?")
    assert "I'll remind you to switch to heat" in talk.intent("AMAZON.YesIntent").speech
    assert "I'll remind you to check on your back" in talk.intent("AMAZON.YesIntent").speech
    talk.intent("ListRemindersIntent")
    talk.intent("TopicIntent", topic=SlotFill("can i take ibuprofen", "pain_relief", custom=True))
    talk.intent("CheckInIntent", status=SlotFill("purple-ish", None, custom=True))
    talk.intent("OnsetIntent", date=SlotFill("yesterday evening"))
    talk.intent("CheckInIntent", status=SlotFill("i feel kind of purple", None, custom=True))
    red_flag = talk.intent("SymptomIntent", sign=SlotFill("my legs went numb after the crash", None, custom=True))
    assert "911" in red_flag.speech
    talk.new_session()
    talk.intent("DeleteDataIntent")
    assert "deleted" in talk.intent("AMAZON.YesIntent").speech


def test_no_log_line_carries_ids_tokens_or_anything_said(lambda_entry, table, apis, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level: botocore's, urllib3's, ask-sdk's too
    handler = WithContext(lambda_entry())
    talk = Conversation(handler, Caller(user_id=USER, device_id=DEVICE, api_endpoint=apis.endpoint,
                                        api_token=API_TOKEN, person_id=PERSON), now=T0)
    whole_conversation(talk)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) > 20
    reminder_tokens = [c.path.rsplit("/", 1)[1] for c in apis.calls_to("/v1/alerts/reminders/", "DELETE")]
    assert len(reminder_tokens) == 2
    secrets = [USER, DEVICE, API_TOKEN, PERSON, key(), USER.split(".")[-1], DEVICE.split(".")[-1],
               PERSON.split(".")[-1], *SAID, *reminder_tokens]
    leaks = [(secret, line) for line in lines for secret in secrets if secret.lower() in line.lower()]
    assert not leaks, f"log lines with user data: {leaks[:5]}"

    ours = [json.loads(record.getMessage()) for record in caplog.records if record.name == "spasm_coach"]
    assert ours and all(set(line) <= log.SAFE_FIELDS | {"request_id", "user"} for line in ours)
    # (a cold start from the source tree, not the build, logs that the cut botocore data is missing: not a request's line)
    in_requests = [line for line in ours if line.get("event") != "botocore_data"]
    assert {line["request_id"] for line in in_requests} == set(handler.request_ids), "every line names its request"
    assert {line["user"] for line in in_requests} == {log.user_ref(USER)}, "one hashed reference, the same all along"
    assert re.fullmatch(r"[0-9a-f]{12}", log.user_ref(USER)) and log.user_ref(USER) not in key()


def test_a_request_for_another_skill_gets_no_answer_and_causes_no_io(lambda_entry, table, proxies, apis):
    """Counted at the network: neither DynamoDB nor the Alexa APIs see a single request."""
    db, api = proxies
    caller = Caller(user_id=USER, skill_id="amzn1.ask.skill.someone-else", api_endpoint=api.endpoint,
                    api_token=API_TOKEN)
    talk = Conversation(lambda_entry(DYNAMODB_ENDPOINT=db.endpoint), caller, now=T0)
    for turn in (talk.launch(), talk.intent("OnsetIntent", date="2026-11-24"), talk.intent("SetReminderIntent"),
                 talk.intent("DeleteDataIntent")):
        assert turn.response is None
    assert sum(db.seen.values()) == 0 and sum(api.seen.values()) == 0 and apis.calls == []
    assert item(table) is None


def test_delete_my_data_removes_the_record_and_every_reminder(lambda_entry, table, apis):
    talk = Conversation(lambda_entry(), Caller(user_id=USER, api_endpoint=apis.endpoint, api_token=API_TOKEN),
                        now=T0)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="PRESENT_REF")
    talk.intent("AMAZON.YesIntent")
    talk.intent("AMAZON.YesIntent")
    assert len(apis.reminders) == 2 and {"reminder_heat", "reminder_checkin"} <= set(item(table))
    talk.new_session()
    talk.now = T0 + timedelta(hours=3)
    assert "Should I go ahead?" in talk.intent("DeleteDataIntent").speech
    assert "deleted" in talk.intent("AMAZON.YesIntent").speech
    assert item(table) is None
    assert apis.reminders == {} and len(apis.calls_to("/v1/alerts/reminders/", "DELETE")) == 2
    assert "not medical advice" in talk.launch().speech, "a deleted user is a new user"


def test_every_item_carries_an_expiry_that_activity_pushes_forward(lambda_entry, table):
    handler = lambda_entry()
    talk = Conversation(handler, Caller(user_id=USER), now=T0)
    talk.launch()
    assert int(item(table)["expires_at"]) == int(T0.timestamp()) + 30 * DAY
    talk.intent("AMAZON.NoIntent")
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="2026-11-25", time="MO")
    assert int(item(table)["expires_at"]) == int(T0.timestamp()) + 30 * DAY

    # Ten days later the user only asks: nothing changes but the expiry, which moves on.
    later = Conversation(handler, Caller(user_id=USER), now=T0 + timedelta(days=10))
    before = item(table)
    assert "Your spasm started" in later.intent("IceOrHeatIntent").speech
    after = item(table)
    assert int(after["expires_at"]) == int((T0 + timedelta(days=10)).timestamp()) + 30 * DAY
    assert {k: v for k, v in after.items() if k not in ("expires_at", "version", "turns")} == \
        {k: v for k, v in before.items() if k not in ("expires_at", "version", "turns")}

    # Activity within the same day does not cost a write just to move the expiry.
    version = after["version"]
    later.now += timedelta(hours=5)
    later.intent("IceOrHeatIntent")
    assert item(table)["version"] == version


def test_an_expired_record_is_not_used_even_before_dynamodb_deletes_it(lambda_entry, table):
    """DynamoDB deletes expired items some time after they expire (DynamoDB Local never
    does): until then the skill treats the record as gone, and the next write clears it."""
    handler = lambda_entry()
    talk = Conversation(handler, Caller(user_id=USER), now=T0)
    talk.intent("IceOrHeatIntent")
    talk.intent("OnsetIntent", date="2026-11-25", time="MO")
    assert "episode_start" in item(table)
    back = Conversation(handler, Caller(user_id=USER), now=T0 + timedelta(days=31))
    welcome = back.launch()
    assert "not medical advice" in welcome.speech and "Welcome back" not in welcome.speech
    stored = item(table)
    assert set(stored) == {"user_key", "heard_disclaimer", "expires_at", "version", "turns"}, \
        "the stale episode is gone"
    assert int(stored["expires_at"]) == int((T0 + timedelta(days=31)).timestamp()) + 30 * DAY


# --- the README says what is stored, and it is what the code stores -------------------------

def readme_table():
    """Attribute names in the README's "What we store and why" table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## What we store and why", 1)[1].split("\n## ", 1)[0]
    return {name for name in re.findall(r"^\| `([a-z_<>]+)` \|", section, re.M)}


def test_the_readme_lists_exactly_what_the_table_holds(lambda_entry, table, apis):
    handler = lambda_entry()
    one = Conversation(handler, Caller(user_id=USER, api_endpoint=apis.endpoint, api_token=API_TOKEN), now=T0)
    one.intent("IceOrHeatIntent")
    one.intent("OnsetIntent", date="PRESENT_REF")
    one.intent("AMAZON.YesIntent")
    one.intent("AMAZON.YesIntent")
    one.new_session()
    one.now += timedelta(days=1)
    one.intent("CheckInIntent", status="same")
    two = Conversation(handler, Caller(user_id="amzn1.ask.account.OTHER", api_endpoint=apis.endpoint,
                                       api_token=API_TOKEN), now=T0)
    two.intent("IceOrHeatIntent")
    two.intent("OnsetIntent", date="PRESENT_REF")
    two.intent("AMAZON.NoIntent")
    person = Conversation(handler, Caller(user_id=USER, person_id=PERSON), now=T0)
    person.intent("IceOrHeatIntent")
    person.intent("OnsetIntent", date="PRESENT_REF")
    name, client = table
    seen, inside = set(), set()
    for stored in client.scan(TableName=name)["Items"]:
        seen |= {re.sub(r"^person_[0-9a-f]{64}$", "person_<hash>", re.sub(r"^reminder_.*", "reminder_<kind>", attribute))
                 for attribute in stored}
        inside |= {attribute for value in stored.values() for attribute in value.get("M", {})}
    assert seen == readme_table()
    assert inside and inside <= readme_table(), "a person's map holds only attributes the README lists"


def test_a_recognised_speakers_record_holds_no_person_id_and_is_deleted_alone(lambda_entry, table, apis):
    handler = lambda_entry()
    account = Conversation(handler, Caller(user_id=USER), now=T0)
    person = Conversation(handler, Caller(user_id=USER, person_id=PERSON), now=T0)
    for talk in (account, person):
        talk.intent("IceOrHeatIntent")
        talk.intent("OnsetIntent", date="PRESENT_REF")
        talk.new_session()
    raw = json.dumps(table[1].scan(TableName=table[0])["Items"])
    assert PERSON not in raw and PERSON.split(".")[-1] not in raw and USER not in raw
    assert any(name.startswith("person_") for name in item(table))
    person.intent("DeleteDataIntent")
    person.intent("AMAZON.YesIntent")
    person.intent("AMAZON.NoIntent")
    left = item(table)
    assert not any(name.startswith("person_") for name in left) and "episode_start" in left
