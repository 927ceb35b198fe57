"""Follow-up reminders through the Reminders API, and clock times from the Settings API.

The request envelopes' apiEndpoint points at devkit's local HTTPS stand-in for both APIs
(tests/conftest.py: `apis`), so the skill's real ask-sdk service clients are exercised and
we can assert the exact JSON they send. The clock starts Wednesday 2026-11-25 15:00 UTC,
10 AM on the device (America/New_York).
"""

import hashlib
from datetime import timedelta

import pytest

from tests.conftest import T0

SCOPE = "alexa::alerts:reminders:skill:readwrite"
HEAT_TEXT = "It's time to switch from ice to heat for your back. Open back spasm coach for heat tips."
CHECKIN_TEXT = ("Time to check on your back. If the spasms are still there, contact a healthcare provider. "
                "Open back spasm coach to check in.")


def record(store, talk):
    return store.load(hashlib.sha256(talk.caller.user_id.encode()).hexdigest())[0]


def plan_started_now(talk):
    """Ask ice or heat with nothing stored, and say it started just now."""
    talk.intent("IceOrHeatIntent")
    return talk.intent("OnsetIntent", date="PRESENT_REF")


def posted(apis):
    return [c.body for c in apis.calls_to("/v1/alerts/reminders", "POST")]


# --- clock times from the Settings API ----------------------------------------------------

def test_the_plan_names_the_switch_time_on_the_device_clock(device_talk, apis):
    turn = plan_started_now(device_talk)
    assert "until about 10 AM on Friday, then switch to heat." in turn.speech
    assert len(apis.calls_to("/v2/devices/")) == 1


def test_the_time_zone_is_asked_once_a_session(device_talk, apis):
    plan_started_now(device_talk)
    device_talk.intent("IceOrHeatIntent")
    device_talk.intent("IceOrHeatIntent")
    assert len(apis.calls_to("/v2/devices/")) == 1
    assert apis.calls_to("/v2/devices/")[0].path == "/v2/devices/amzn1.ask.device.LOCAL-DEVICE/settings/System.timeZone"


@pytest.mark.parametrize("fault", [404, 500])
def test_without_a_time_zone_times_are_relative(device_talk, apis, fault):
    apis.fail_next(fault)
    turn = plan_started_now(device_talk)
    assert "for about 48 hours more, then switch to heat" in turn.speech


# --- offering and setting ------------------------------------------------------------------

def test_ice_advice_offers_a_heat_reminder_and_sets_it(device_talk, apis, store):
    turn = plan_started_now(device_talk)
    assert turn.speech.endswith("Shall I remind you when it's time for heat?")
    turn = device_talk.intent("AMAZON.YesIntent")
    assert "Okay. I'll remind you to switch to heat at 10 AM on Friday." in turn.speech
    assert turn.card == ("Reminder set", "Back Spasm Coach will remind you to switch to heat at 10 AM on Friday.")
    (body,) = posted(apis)
    assert body == {
        "requestTime": "2026-11-25T15:00:00",
        "trigger": {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-27T10:00:00",
                    "timeZoneId": "America/New_York"},
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": HEAT_TEXT}]}},
        "pushNotification": {"status": "ENABLED"},
    }
    assert apis.calls_to("/v1/alerts/reminders")[0].authorization == "Bearer local-api-token"
    assert record(store, device_talk)["reminder_heat"] in apis.reminders


def test_after_the_heat_reminder_comes_the_check_in_reminder(device_talk, apis, store):
    plan_started_now(device_talk)
    turn = device_talk.intent("AMAZON.YesIntent")
    assert turn.speech.endswith("Shall I remind you in three days to check on your back?")
    turn = device_talk.intent("AMAZON.YesIntent")
    assert "I'll remind you to check on your back at 10 AM on Saturday." in turn.speech
    assert turn.speech.endswith("Would you like more tips?")
    checkin = posted(apis)[1]
    assert checkin["trigger"]["scheduledTime"] == "2026-11-28T10:00:00"
    assert checkin["alertInfo"]["spokenInfo"]["content"][0]["text"] == CHECKIN_TEXT
    assert set(record(store, device_talk)) >= {"reminder_heat", "reminder_checkin"}


def test_a_reminder_due_at_night_waits_for_the_morning(device_talk, apis):
    device_talk.intent("IceOrHeatIntent")
    device_talk.intent("OnsetIntent", date="2026-11-24", time="22:10")  # switch due 10:10 PM Thursday
    device_talk.intent("AMAZON.YesIntent")
    assert posted(apis)[0]["trigger"]["scheduledTime"] == "2026-11-27T08:00:00"


def test_without_a_time_zone_the_reminder_is_relative(device_talk, apis):
    apis.zone = None
    plan_started_now(device_talk)
    turn = device_talk.intent("AMAZON.YesIntent")
    assert "I'll remind you to switch to heat in about 48 hours." in turn.speech
    assert posted(apis)[0]["trigger"] == {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 172800}


def test_heat_time_already_passed_offers_only_the_check_in(device_talk, apis):
    device_talk.intent("IceOrHeatIntent")
    turn = device_talk.intent("OnsetIntent", duration="P2DT1H")
    assert turn.speech.endswith("Shall I remind you in three days to check on your back?")


def test_no_thanks_is_remembered_for_the_episode(device_talk, apis, store):
    plan_started_now(device_talk)
    turn = device_talk.intent("AMAZON.NoIntent")
    assert "Okay, no reminder." in turn.speech and turn.speech.endswith("Would you like more tips?")
    assert record(store, device_talk)["reminders_declined"] is True
    device_talk.new_session()
    device_talk.now = T0 + timedelta(hours=5)
    turn = device_talk.intent("IceOrHeatIntent")
    assert "remind" not in turn.speech and turn.speech.endswith("Would you like more tips?")
    assert posted(apis) == []


def test_a_new_episode_offers_reminders_again(device_talk, apis, store):
    plan_started_now(device_talk)
    device_talk.intent("AMAZON.NoIntent")
    device_talk.intent("CheckInIntent", status="gone")
    turn = plan_started_now(device_talk)
    assert turn.speech.endswith("when it's time for heat?")


def test_remind_me_works_any_time(device_talk, apis):
    plan_started_now(device_talk)
    device_talk.intent("AMAZON.NoIntent")
    turn = device_talk.intent("SetReminderIntent")
    assert "I'll remind you to switch to heat at 10 AM on Friday." in turn.speech
    turn = device_talk.intent("SetReminderIntent", reminder="checkin")
    assert "check on your back at 10 AM on Saturday" in turn.speech
    assert len(posted(apis)) == 2


def test_remind_me_without_an_episode_asks_when_it_started(device_talk, apis):
    turn = device_talk.intent("SetReminderIntent")
    assert "I need to know when your spasm started" in turn.speech and "When did the spasm start" in turn.speech
    assert posted(apis) == []


# --- permission ------------------------------------------------------------------------------

def ask_for_a_reminder_without_permission(talk, apis):
    apis.granted = False
    plan_started_now(talk)
    return talk.intent("AMAZON.YesIntent")


def test_without_permission_it_asks_by_voice(device_talk, apis):
    turn = ask_for_a_reminder_without_permission(device_talk, apis)
    (directive,) = turn.directives
    assert directive == {
        "type": "Connections.SendRequest", "name": "AskFor", "token": "reminder:heat",
        "payload": {"@type": "AskForPermissionsConsentRequest", "@version": "1", "permissionScope": SCOPE},
    }
    assert "To set reminders, I need your permission." in turn.speech
    assert "reprompt" not in turn.response["response"] and "shouldEndSession" not in turn.response["response"]


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_both_mean_no_permission(device_talk, apis, status):
    plan_started_now(device_talk)
    apis.fail_next(status)
    turn = device_talk.intent("AMAZON.YesIntent")
    assert turn.directives and turn.directives[0]["name"] == "AskFor"


def test_consent_accepted_sets_the_reminder(device_talk, apis, store):
    ask_for_a_reminder_without_permission(device_talk, apis)
    apis.granted = True
    turn = device_talk.permission_answer("ACCEPTED", "reminder:heat")
    assert "I'll remind you to switch to heat at 10 AM on Friday." in turn.speech
    assert "reminder_heat" in record(store, device_talk)


def test_consent_denied_is_respected_for_the_episode(device_talk, apis, store):
    ask_for_a_reminder_without_permission(device_talk, apis)
    turn = device_talk.permission_answer("DENIED", "reminder:heat")
    assert "Okay, I won't set reminders." in turn.speech and not turn.ends_session
    assert record(store, device_talk)["reminders_declined"] is True
    turn = device_talk.intent("IceOrHeatIntent")
    assert "remind" not in turn.speech


@pytest.mark.parametrize("status, code", [("NOT_ANSWERED", "200"), ("ACCEPTED", "500")])
def test_otherwise_a_consent_card_is_sent_and_said(device_talk, apis, status, code):
    ask_for_a_reminder_without_permission(device_talk, apis)
    turn = device_talk.permission_answer(status, "reminder:heat", code=code)
    assert "I've sent a card to your Alexa app" in turn.speech
    assert turn.response["response"]["card"] == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert apis.reminders == {}


# --- failures --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_or_errors_leave_the_advice_and_store_nothing(device_talk, apis, store, status):
    plan_started_now(device_talk)
    apis.fail_next(status)
    turn = device_talk.intent("AMAZON.YesIntent")
    assert "Sorry, I couldn't set the reminder just now. Your care plan stays the same." in turn.speech
    assert "time for heat?" not in turn.speech  # not offered again straight away
    assert not any(key.startswith("reminder_") for key in record(store, device_talk))


def test_an_unreachable_api_is_an_error_like_any_other(device_talk, apis, store):
    device_talk.caller.api_endpoint = "https://127.0.0.1:9"  # nothing listens there
    plan_started_now(device_talk)
    turn = device_talk.intent("AMAZON.YesIntent")
    assert "couldn't set the reminder" in turn.speech
    assert not any(key.startswith("reminder_") for key in record(store, device_talk))


# --- reminders follow the episode --------------------------------------------------------------

def both_reminders(talk):
    plan_started_now(talk)
    talk.intent("AMAZON.YesIntent")
    talk.intent("AMAZON.YesIntent")


def test_what_reminders_do_i_have(device_talk, apis):
    both_reminders(device_talk)
    turn = device_talk.intent("ListRemindersIntent")
    assert "I'll remind you to switch to heat at 10 AM on Friday." in turn.speech
    assert "I'll remind you to check on your back at 10 AM on Saturday." in turn.speech


def test_a_reminder_deleted_in_the_alexa_app_is_forgotten(device_talk, apis, store):
    both_reminders(device_talk)
    heat = record(store, device_talk)["reminder_heat"]
    del apis.reminders[heat]
    turn = device_talk.intent("ListRemindersIntent")
    assert "switch to heat" not in turn.speech and "check on your back" in turn.speech
    assert "reminder_heat" not in record(store, device_talk)


def test_cancel_my_reminders(device_talk, apis, store):
    both_reminders(device_talk)
    turn = device_talk.intent("CancelRemindersIntent")
    assert "I've cancelled your reminders." in turn.speech
    assert len(apis.calls_to("/v1/alerts/reminders/", "DELETE")) == 2 and apis.reminders == {}
    assert not any(key.startswith("reminder_") for key in record(store, device_talk))


def test_ending_the_episode_deletes_its_reminders(device_talk, apis, store):
    both_reminders(device_talk)
    turn = device_talk.intent("CheckInIntent", status="gone")
    assert "great news" in turn.speech.lower()
    assert apis.reminders == {} and record(store, device_talk) == {"heard_disclaimer": True}


def test_deleting_data_deletes_reminders(device_talk, apis, store):
    both_reminders(device_talk)
    device_talk.intent("DeleteDataIntent")
    device_talk.intent("AMAZON.YesIntent")
    assert apis.reminders == {} and record(store, device_talk) == {}


def test_a_failed_delete_is_said_and_nothing_claims_the_reminder(device_talk, apis, store):
    both_reminders(device_talk)
    apis.fail_next(500, 500)
    turn = device_talk.intent("CheckInIntent", status="gone")
    assert "couldn't cancel your reminders" in turn.speech
    assert not any(key.startswith("reminder_") for key in record(store, device_talk))


def test_correcting_the_start_moves_the_reminders(device_talk, apis, store):
    both_reminders(device_talk)
    turn = device_talk.intent("OnsetIntent", date="2026-11-25", time="06:00")
    assert "I've moved your reminders to match." in turn.speech
    puts = apis.calls_to("/v1/alerts/reminders/", "PUT")
    assert sorted(p.body["trigger"]["scheduledTime"] for p in puts) == ["2026-11-27T08:00:00", "2026-11-28T08:00:00"]


def test_a_start_moved_past_the_switch_cancels_the_heat_reminder(device_talk, apis, store):
    both_reminders(device_talk)
    device_talk.intent("OnsetIntent", duration="P2DT2H")
    assert "reminder_heat" not in record(store, device_talk)
    assert "reminder_checkin" in record(store, device_talk)


def test_the_sdk_still_needs_the_spoken_info_alias():
    """If this fails, ask-sdk-model fixed AlertInfo's type path: drop
    alexa/reminders.py:_readable_reminders."""
    from ask_sdk_model.services.reminder_management.alert_info import AlertInfo
    assert AlertInfo.deserialized_types["spoken_info"].endswith(".alert_info_spoken_info.SpokenInfo")


def test_reminders_the_record_does_not_know_are_cancelled_too(device_talk, apis, store):
    """A reminder whose token never reached the record (its answer was lost on the way,
    or another device set it at the same moment) is found by listing and cancelled."""
    both_reminders(device_talk)
    apis.reminders["local-untracked"] = {**next(iter(apis.reminders.values())), "alertToken": "local-untracked"}
    turn = device_talk.intent("CancelRemindersIntent")
    assert "I've cancelled your reminders." in turn.speech and apis.reminders == {}


@pytest.mark.parametrize("intent, slots", [("CancelRemindersIntent", {}), ("CheckInIntent", {"status": "gone"})])
def test_an_untracked_reminder_alone_is_still_cancelled(device_talk, apis, store, intent, slots):
    plan_started_now(device_talk)
    device_talk.intent("AMAZON.YesIntent")
    token = record(store, device_talk)["reminder_heat"]
    store.update(hashlib.sha256(device_talk.caller.user_id.encode()).hexdigest(), {}, ["reminder_heat"], None)
    device_talk.intent(intent, **slots)
    assert token not in apis.reminders and apis.reminders == {}


def test_deleting_data_deletes_reminders_the_record_does_not_know(device_talk, apis, store):
    plan_started_now(device_talk)
    device_talk.intent("AMAZON.YesIntent")
    apis.reminders["local-untracked"] = {**next(iter(apis.reminders.values())), "alertToken": "local-untracked"}
    device_talk.intent("DeleteDataIntent")
    device_talk.intent("AMAZON.YesIntent")
    assert apis.reminders == {} and record(store, device_talk) == {}
