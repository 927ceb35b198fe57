"""When things around the skill fail, the user still hears useful advice and loses nothing
else; and no log line carries who they are or what they said."""

import json
import logging
from datetime import datetime, timezone

import pytest

from devkit.alexa import Caller, Conversation, SlotFill
from spasm_coach.alexa import flows
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter, StoreUnavailable
from spasm_coach.storage.sqlite import SqliteStore

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


class FlakyStore:
    """A working sqlite store whose chosen operations fail like a store that is down."""

    def __init__(self, path, failing=()):
        self.store, self.failing, self.attempts = SqliteStore(path), set(failing), []

    def __getattr__(self, name):
        if name not in ("load", "update", "delete"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.attempts.append(name)
            if name in self.failing:
                raise StoreUnavailable(f"{name} failed")
            return getattr(self.store, name)(*args, **kwargs)
        return call


def talk_to(content, store):
    return Conversation(SpasmCoach(content, RecordAdapter(store, 30)), Caller(), now=T0)


def no_red_flags(talk):
    talk.intent("ReportSpasmIntent")
    for _ in range(6):  # the red-flag questions
        turn = talk.intent("AMAZON.NoIntent")
    return turn


def test_when_saving_fails_the_plan_is_still_spoken_and_the_user_is_told(content, tmp_path):
    talk = talk_to(content, FlakyStore(tmp_path / "s", failing={"update"}))
    no_red_flags(talk)
    turn = talk.intent("OnsetIntent", date="2026-11-24", time="EV")
    assert "Use ice" in turn.speech and "switch to heat" in turn.speech
    assert "couldn't save that" in turn.speech
    assert not turn.ends_session


def test_when_reading_fails_the_welcome_still_works(content, tmp_path):
    store = FlakyStore(tmp_path / "s", failing={"load"})
    turn = talk_to(content, store).launch()
    assert "not medical advice" in turn.speech  # unknown whether heard before: say it
    assert "couldn't look up your saved details" in turn.speech
    assert turn.speech.endswith("?") and not turn.ends_session
    assert "update" not in store.attempts  # no second trip to a failing store for a flag


def test_when_reading_fails_ice_or_heat_asks_when_it_started(content, tmp_path):
    turn = talk_to(content, FlakyStore(tmp_path / "s", failing={"load"})).intent("IceOrHeatIntent")
    assert "couldn't look up" in turn.speech and "When did the spasm start" in turn.speech


def test_emergency_advice_needs_no_storage(content, tmp_path):
    talk = talk_to(content, FlakyStore(tmp_path / "s", failing={"load", "update", "delete"}))
    turn = talk.intent("SymptomIntent", sign=SlotFill("i can't control my bladder", "bladder_bowel", custom=True))
    assert turn.speech.startswith("That can be a sign of a serious problem. Call 911 now")


def test_when_deleting_fails_the_user_is_told_and_nothing_pretends_otherwise(content, tmp_path):
    store = FlakyStore(tmp_path / "s", failing={"delete"})
    talk = talk_to(content, store)
    talk.intent("DeleteDataIntent")
    turn = talk.intent("AMAZON.YesIntent")
    assert "couldn't delete your data" in turn.speech and not turn.ends_session


def test_a_crash_inside_a_handler_gets_an_apology_and_the_question_again(content, tmp_path, monkeypatch):
    def broken(turn):
        raise RuntimeError("the user said: my back is killing me")
    monkeypatch.setattr(flows, "ask_onset", broken)  # inside the move for "ice or heat?"
    talk = talk_to(content, SqliteStore(tmp_path / "s"))
    talk.launch()
    turn = talk.intent("IceOrHeatIntent")
    assert "something went wrong on my side" in turn.speech
    assert "Is your back spasming right now?" in turn.speech and not turn.ends_session


def test_no_log_line_carries_user_ids_or_what_the_user_said(content, tmp_path, caplog):
    user, device = "amzn1.ask.account.PRIVATE-USER-42", "amzn1.ask.device.PRIVATE-DEVICE-42"
    secrets = [user, device, "both my legs", "yesterday evening", "ibuprofen", "2026-11-24", "purple"]
    caplog.set_level(logging.DEBUG)
    talk = Conversation(SpasmCoach(content, RecordAdapter(FlakyStore(tmp_path / "s", failing={"update"}), 30)),
                        Caller(user_id=user, device_id=device), now=T0)
    talk.launch()
    talk.intent("AMAZON.YesIntent")
    talk.intent("AMAZON.NoIntent")
    talk.intent("OnsetIntent", date="yesterday evening")
    talk.intent("TopicIntent", topic=SlotFill("ibuprofen", "pain_relief", custom=True))
    talk.intent("CheckInIntent", status=SlotFill("purple", None, custom=True))
    talk.intent("OnsetIntent", date="2026-11-24")
    talk.intent("SymptomIntent", sign=SlotFill("both my legs have gone numb", "both_legs", custom=True))
    lines = [record.getMessage() for record in caplog.records]
    assert lines, "the skill should log something"
    leaks = [line for line in lines for secret in secrets if secret.lower() in line.lower()]
    assert not leaks, f"log lines with user data: {leaks}"
    ours = [r.getMessage() for r in caplog.records if r.name == "spasm_coach"]
    assert ours and all(isinstance(json.loads(line), dict) for line in ours)


@pytest.mark.parametrize("slot_value", ["", " ", "x" * 2000, "😀🔥", "P-1D", "2026-02-30", "PT", "25:99", "9999-W99"])
def test_absurd_onset_values_are_asked_again_not_crashed_on(content, tmp_path, slot_value):
    talk = talk_to(content, SqliteStore(tmp_path / "s"))
    talk.intent("IceOrHeatIntent")
    turn = talk.intent("OnsetIntent", date=slot_value, time=slot_value, duration=slot_value)
    assert "When did" in turn.speech or "Use ice" in turn.speech
    assert not turn.ends_session


def test_a_line_about_an_unusable_event_names_its_own_request_not_the_previous_user(skill, caplog):
    class Context:
        def __init__(self, request_id):
            self.aws_request_id = request_id
    caplog.set_level(logging.INFO)
    talk = Conversation(lambda event, _: skill(event, Context("request-1")), Caller(), now=T0)
    talk.launch()
    skill({"version": "1.0"}, Context("request-2"))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "spasm_coach"]
    assert lines[0]["request_id"] == "request-1" and "user" in lines[0]
    assert lines[-1]["event"] == "malformed" and lines[-1]["request_id"] == "request-2" and "user" not in lines[-1]
