"""The dialog table: what the user's words mean in each state of the conversation.

To answer "what happens if the user says X while we wait for Y?", find the first row below
whose WAITING FOR is Y (or ANY) and whose SAID is X (or ANY). Rows are read top to bottom;
the first match wins. That is all the dispatch there is: the handlers only read the
request (slots.read) and call `respond`.

WAITING FOR is what we asked last (Turn.pending_kind):
  IDLE            nothing in particular: "What would you like to do?"
  spasm_now       "Is your back spasming right now?"
  triage          a red-flag question (the triage state says which one)
  onset           "When did the spasm start?"
  same_episode    "Last time you told me it started ... Is that still right?"
  checkin         "Is it better, the same, or worse?"
  more_tips       "Would you like more tips?" / "another tip?"
  topic_offer     "Earlier you asked about X. Would you like to hear about it now?"
  reminder_offer  "Shall I remind you when it's time for heat?"
  reminder_consent  Alexa is asking for the reminders permission (an intent here: IDLE rules)
  delete          "Should I delete your saved data?"
  delete_home     "Should I also delete everything for this account?" (others at home have data)
SAID is the request's intent name, or RED_FLAG: any request whose words name a red flag
(the sign slot, words that reached us unresolved, or a cause such as a car crash).

The repair rules are rows too (`flows.not_understood`): a first misunderstanding says sorry
and asks again; a second offers two or three concrete things to say; a third ends politely
(with the emergency signs when a red-flag question was open). Nothing said at a red-flag
question ever counts as "no" but a no, and a denial ("I don't have chest pain",
DenySignIntent) for the one sign it denies: every other row for `triage` that is not
yes/no/not sure asks the same question again. And no answer is spoken three times in a
row (replies.ask).
"""

from . import flows, followups, household

ANY = "*"
IDLE = None
RED_FLAG = "RED_FLAG"
YES, NO, UNSURE = "AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent"
STOP = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
REPORT, ONSET, SYMPTOM, DENY = "ReportSpasmIntent", "OnsetIntent", "SymptomIntent", "DenySignIntent"
TOPIC, MORE_TIPS, ICE_OR_HEAT, CHECKIN = "TopicIntent", "MoreTipsIntent", "IceOrHeatIntent", "CheckInIntent"
SET_REMINDER, CANCEL_REMINDERS, LIST_REMINDERS = "SetReminderIntent", "CancelRemindersIntent", "ListRemindersIntent"
DELETE_DATA, HELP, REPEAT, START_OVER = "DeleteDataIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent"
FALLBACK = "AMAZON.FallbackIntent"
# Requests for something else while a red-flag question is open: said to come later.
ASIDES = (TOPIC, MORE_TIPS, ICE_OR_HEAT, CHECKIN, SET_REMINDER, CANCEL_REMINDERS, LIST_REMINDERS, DELETE_DATA)

TABLE = (
    # WAITING FOR       SAID                 WHAT WE DO
    # -- safety first: a red flag said in any way, at any moment, wins ------------------
    (ANY,               RED_FLAG,            flows.red_flag),
    (ANY,               STOP,                flows.goodbye),          # + emergency signs mid-triage
    (ANY,               REPEAT,              flows.repeat),
    (ANY,               START_OVER,          flows.start_over),
    # -- a red-flag question is open: only yes, no or not sure answer it --------------------
    ("triage",          (YES, NO, UNSURE),   flows.answer_triage),    # not sure: plainer, a sign at a time
    ("triage",          ONSET,               flows.note_onset),       # onset kept, question asked again
    ("triage",          REPORT,              flows.note_report),      # its cause/onset kept, asked again
    ("triage",          DENY,                flows.note_denial),      # that sign ruled out, next open one
    ("triage",          HELP,                flows.offer_help),       # why we ask, question again
    ("triage",          ASIDES,              flows.defer),            # "after the safety questions", again
    ("triage",          ANY,                 flows.not_understood),   # repair; never taken as "no"
    # -- answers to our other questions ---------------------------------------------------
    ("spasm_now",       YES,                 flows.start_triage),
    ("spasm_now",       NO,                  flows.no_spasm_now),
    ("onset",           (ONSET, REPORT),     flows.take_onset),       # twice not understood: "just now"
    ("onset",           UNSURE,              flows.onset_unknown),    # counted as just now
    ("same_episode",    YES,                 flows.keep_episode),
    ("same_episode",    NO,                  flows.ask_onset),
    ("checkin",         CHECKIN,             flows.answer_check_in),
    ("more_tips",       YES,                 flows.next_tip),
    ("more_tips",       NO,                  flows.goodbye),
    ("topic_offer",     YES,                 flows.deferred_topic),
    ("topic_offer",     NO,                  flows.goodbye),
    ("reminder_offer",  YES,                 followups.accept_reminder),
    ("reminder_offer",  NO,                  followups.decline_reminder),
    ("delete",          YES,                 flows.delete_data),
    ("delete",          NO,                  flows.keep_data),
    ("delete_home",     YES,                 household.delete_home),  # everything for the account
    ("delete_home",     NO,                  household.keep_home),
    (IDLE,              NO,                  flows.goodbye),          # "no" / "nothing" to "what next?"
    # -- things the user asks for, whatever we waited for ---------------------------------
    (ANY,               REPORT,              flows.report_spasm),
    (ANY,               ONSET,               flows.take_onset),
    (ANY,               ICE_OR_HEAT,         flows.ice_or_heat),
    (ANY,               TOPIC,               flows.topic),
    (ANY,               MORE_TIPS,           flows.next_tip),
    (ANY,               CHECKIN,             flows.check_in),
    (ANY,               SET_REMINDER,        followups.remind),
    (ANY,               CANCEL_REMINDERS,    followups.cancel_reminders),
    (ANY,               LIST_REMINDERS,      followups.list_reminders),
    (ANY,               DELETE_DATA,         flows.ask_delete),
    (ANY,               HELP,                flows.offer_help),
    # -- everything else: Fallback, a yes/no/not sure we did not ask for, a sign we could
    #    not place, a denial when no red-flag question is open, an intent we do not know --
    (ANY,               (SYMPTOM, DENY, FALLBACK), flows.not_understood),
    (ANY,               ANY,                 flows.not_understood),
)


def _matches(pattern, value):
    if pattern == ANY:
        return True
    return value in pattern if isinstance(pattern, tuple) else value == pattern


def move_for(waiting_for, said):
    """The move the table gives for `said` (slots.Said) while waiting for `waiting_for`."""
    intent = RED_FLAG if said.sign else said.intent
    for state, heard, move in TABLE:
        if _matches(state, waiting_for) and _matches(heard, intent):
            return move
    raise AssertionError("the table ends with a catch-all row")


def respond(turn, said):
    """Answer one request: the table's move for it in the turn's state."""
    return move_for(turn.pending_kind, said)(turn, said)


def intents():
    """Every intent name the table gives a meaning to."""
    found = set()
    for _, heard, _ in TABLE:
        found.update(heard if isinstance(heard, tuple) else (heard,))
    return found - {ANY, RED_FLAG}
