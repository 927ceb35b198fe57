"""Each person in the home: a recognised speaker (context.System.person) has their own
episode, check-ins and reminders; an unrecognised one uses the account's. "Delete my
data" deletes the speaker's, and a yes to "everything for this account" deletes all."""

import hashlib
import json

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from devkit.alexa import Caller, Conversation
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter
from spasm_coach.storage.adapter import speaker_key, user_key
from tests.conftest import T0

ACCOUNT = "amzn1.ask.account.HOME-WITH-THREE-PEOPLE"
ALICE, BOB = "amzn1.ask.person.ALICE-RECOGNISED", "amzn1.ask.person.BOB-RECOGNISED"
ONSETS = {ALICE: "2026-11-24", BOB: "PRESENT_REF", None: "2026-11-23"}
HEARD = {ALICE: "yesterday", BOB: "just now", None: "2 days ago"}


def speakers(handler, **caller):
    return {person: Conversation(handler, Caller(user_id=ACCOUNT, person_id=person, **caller), now=T0)
            for person in ONSETS}


def start_episodes(people):
    for person, talk in people.items():
        talk.intent("IceOrHeatIntent")
        talk.intent("OnsetIntent", date=ONSETS[person])
        talk.new_session()


def stored(store):
    return store.load(hashlib.sha256(ACCOUNT.encode()).hexdigest()).data


from tests.test_storage import any_store as home_store, aws  # noqa: E402,F401  (sqlite and moto stores)


def test_each_person_in_the_home_has_their_own_episode(content, home_store):
    people = speakers(SpasmCoach(content, RecordAdapter(home_store, ttl_days=30)))
    start_episodes(people)
    for person, talk in people.items():
        assert f"Your spasm started {HEARD[person]}" in talk.intent("IceOrHeatIntent").speech, person
    data = stored(home_store)
    assert [name for name in data if name.startswith("person_")] and "episode_start" in data
    assert not any(ALICE in name or BOB in name for name in data), "no person id in the item"


def test_a_person_hears_the_disclaimer_once_whoever_else_did(content, home_store):
    people = speakers(SpasmCoach(content, RecordAdapter(home_store, ttl_days=30)))
    for talk in people.values():
        assert "not medical advice" in talk.launch().speech
        talk.new_session()
        assert "not medical advice" not in talk.launch().speech


@pytest.mark.parametrize("deleter", [BOB, None], ids=["a recognised speaker", "the unrecognised speaker"])
def test_delete_my_data_deletes_only_the_speakers_and_then_asks_about_the_rest(content, home_store, deleter):
    people = speakers(SpasmCoach(content, RecordAdapter(home_store, ttl_days=30)))
    start_episodes(people)
    talk = people[deleter]
    talk.intent("DeleteDataIntent")
    answer = talk.intent("AMAZON.YesIntent")
    assert "deleted your saved data" in answer.speech and "everything for this account" in answer.speech
    assert "kept theirs" in talk.intent("AMAZON.NoIntent").speech
    assert "When did the spasm start" in talk.intent("IceOrHeatIntent").speech, "the speaker's episode is gone"
    for person in set(ONSETS) - {deleter}:
        assert f"Your spasm started {HEARD[person]}" in people[person].intent("IceOrHeatIntent").speech


def test_everything_for_this_account_deletes_every_persons_data(content, home_store):
    people = speakers(SpasmCoach(content, RecordAdapter(home_store, ttl_days=30)))
    start_episodes(people)
    alice = people[ALICE]
    alice.intent("DeleteDataIntent")
    alice.intent("AMAZON.YesIntent")
    assert "deleted everything saved for this account" in alice.intent("AMAZON.YesIntent").speech
    assert stored(home_store) == {}
    for talk in people.values():
        talk.new_session()
        assert "not medical advice" in talk.launch().speech, "everyone is a new user"


def test_the_last_person_with_data_gets_no_question_about_others(content, home_store):
    alice = Conversation(SpasmCoach(content, RecordAdapter(home_store, ttl_days=30)),
                         Caller(user_id=ACCOUNT, person_id=ALICE), now=T0)
    start_episodes({ALICE: alice})
    alice.intent("DeleteDataIntent")
    done = alice.intent("AMAZON.YesIntent")
    assert "Goodbye" in done.speech and done.ends_session and stored(home_store) == {}


def test_a_persons_reminders_are_theirs_to_cancel(content, store, apis):
    """The Reminders API lists the whole account's reminders: deleting Bob's data must not
    cancel Alice's; "everything for this account" cancels them all."""
    from spasm_coach.alexa.services import TimedApiClient
    skill = SpasmCoach(content, RecordAdapter(store, ttl_days=30), api_client=TimedApiClient())
    people = speakers(skill, api_endpoint=apis.endpoint, api_token="local-api-token")
    for person in (ALICE, BOB):
        talk = people[person]
        talk.intent("IceOrHeatIntent")
        talk.intent("OnsetIntent", date="PRESENT_REF")
        assert "I'll remind you" in talk.intent("AMAZON.YesIntent").speech
        talk.new_session()
    assert len(apis.reminders) == 2
    bob = people[BOB]
    bob.intent("DeleteDataIntent")
    bob.intent("AMAZON.YesIntent")
    assert len(apis.reminders) == 1, "Alice's reminder is still set"
    bob.intent("AMAZON.YesIntent")
    assert apis.reminders == {}


def test_a_speakers_key_never_holds_the_person_id():
    talk = Conversation(lambda event, _: event, Caller(user_id=ACCOUNT, person_id=ALICE), now=T0)
    event = talk.launch().response  # the handler above answers with the envelope it got
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    assert speaker_key(envelope).startswith("person_") and ALICE not in speaker_key(envelope)
    assert speaker_key(envelope) != "person_" + hashlib.sha256(ALICE.encode()).hexdigest(), \
        "salted with the account: the same person id on two accounts gives two keys"
    assert user_key(envelope) == hashlib.sha256(ACCOUNT.encode()).hexdigest()
