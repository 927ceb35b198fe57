"""The conversation's moves. The dialog table (dialog.py) picks one for each request; each
takes the Turn and what was said (slots.Said), asks the rules what to do, and answers
through replies.ask or replies.close. The moves hold no Alexa request parsing.

Every answer that keeps the session open ends with the question for what we now expect
(replies.question), so the reprompt is always the question itself. Reminders have their
own module, followups.
"""

from .. import care, onset, speech, triage
from . import followups, household, log
from .replies import ask, close, suggestion
from .turn import ssml_text

# The longest answer the skill gives is well under this (as SSML, escaped); a longer "last"
# came from elsewhere, and replaying it could break Alexa's 8,000-character limit.
REPEAT_MAX_CHARS = 2000
GIVE_UP_AFTER = 3  # misunderstandings in a row; the second one offers things to say

# --- opening ---------------------------------------------------------------------------

def welcome(turn):
    """Launch: check in on an open episode, else offer help with a spasm."""
    episode = turn.episode()
    if episode:
        turn.expect("checkin")
        return ask(turn, turn.texts.say("welcome_back", since=speech.since(turn.texts, episode, turn.now())))
    turn.expect("spasm_now")
    return ask(turn, turn.texts.say("welcome"))


def no_spasm_now(turn, said=None):
    turn.expect_nothing()
    return ask(turn, turn.texts.say("no_spasm_now"))


def start_over(turn, said=None):
    for key in ("pending", "referral", "triaged", "tips", "fails", "net", "deferred"):
        turn.session.pop(key, None)
    return welcome(turn)


# --- triage ----------------------------------------------------------------------------
# While a red-flag question is open, `pending` is {"kind": "triage", "state": the triage
# State, "after": "plan" to give the plan at the end (the episode is known), "announced":
# a level already told to the user, "onset": [start, precision] said meanwhile}.

def report_spasm(turn, said):
    """"My back is spasming" (maybe with a cause and an onset): the red-flag questions,
    using what the report already told us. A report that also asks about a topic ("is
    yoga ok when my back has locked up") has the topic offered after them; once the
    questions are done, it is that topic."""
    if said.topic and turn.triaged:
        return give_topic(turn, said.topic)
    if said.topic:
        turn.session["deferred"] = said.topic
    return start_triage(turn, said)


def start_triage(turn, said=None, intro=("sorry_hurts",), floor=None, after=None):
    """Ask the red-flag questions, after the `intro` message ids. `floor` is an urgency
    already told to the user (not announced again); `after`='plan' skips the onset
    question at the end (we know the episode)."""
    turn.session["triaged"] = False
    turn.session["net"] = False
    context = {"after": after, "announced": floor, "onset": _onset_of(turn, said)}
    lines = [turn.texts.say(m) for m in intro + ("triage_questions",)]
    outcome = triage.start(turn.content, floor, said.facts if said else None)
    return _triage_step(turn, outcome, lines, context)


def answer_triage(turn, said):
    """A yes, no or not sure to the open red-flag question."""
    reply = {"AMAZON.YesIntent": "yes", "AMAZON.NoIntent": "no"}.get(said.intent, "unsure")
    state, context = _triage_of(turn)
    turn.understood()
    return _triage_step(turn, triage.answer(turn.content, state, reply), [], context)


def red_flag(turn, said):
    """The user named a red flag, asked or not. An emergency ends everything at once. Any
    other sign raises the urgency: during the questions they go on from there; before
    them, they start with it known; after them, the advice is raised if need be and
    whatever we were asking is asked again."""
    flag = turn.content.red_flags[said.sign]
    log.info(event="red_flag", outcome=flag.level.id)
    if flag.level.ends_session:
        return emergency(turn)
    if turn.pending_kind == "triage":
        state, context = _triage_of(turn)
        if said.onset and not context["onset"]:
            context["onset"] = _onset_of(turn, said)
        outcome = triage.learn(turn.content, state, said.facts, note="noted_flag")
        return _triage_step(turn, outcome, [], context)
    if turn.triaged:
        return _raise_referral(turn, flag.level)
    if said.intent == "ReportSpasmIntent":
        return start_triage(turn, said)
    episode = turn.episode()
    return start_triage(turn, said, intro=("noted_flag",), after="plan" if episode else None)


def _raise_referral(turn, level):
    say = turn.texts.say
    current = turn.content.levels.get(turn.referral)
    if current is not None and current.rank >= level.rank:
        return ask(turn, say("noted_flag_known"))
    turn.session["referral"] = level.id
    return ask(turn, say(level.say))


def note_onset(turn, said):
    """An onset said while a red-flag question is open: kept for later, and the question
    asked again (it is not an answer to it)."""
    state, context = _triage_of(turn)
    found = _onset_of(turn, said)
    if found is None:
        return not_understood(turn, said)
    context["onset"] = found
    turn.expect("triage", state=state.to_dict(), **context)
    return ask(turn, turn.texts.say("triage_onset_noted"))


def note_report(turn, said):
    """A spasm report while a red-flag question is open: what it tells is used, and the
    open question asked again."""
    state, context = _triage_of(turn)
    found = _onset_of(turn, said)
    context["onset"] = found or context["onset"]
    lead = turn.texts.say("triage_onset_noted" if found else "triage_answer_first")
    return _triage_step(turn, triage.learn(turn.content, state, said.facts), [lead], context)


def note_denial(turn, said):
    """"I don't have chest pain" while a red-flag question is open: that sign is ruled out,
    and the next open question asked. A denial answers the open question only as far as
    it goes: of a question about several signs, the others are still asked (one at a
    time); a denial of a sign the question is not about leaves it open, asked again. A
    denial we could not place (no one sign resolved) is not understood."""
    denied = [flag for flag, known in said.facts.items() if known == "no"]
    if not denied:
        return not_understood(turn, said)
    state, context = _triage_of(turn)
    turn.understood()
    outcome = triage.learn(turn.content, state, said.facts)
    say, asking = turn.texts.say, isinstance(outcome, triage.Ask)
    # Nothing new when the sign was known already (a sign present is never undone).
    lines = [say("noted_flag_known")] if not asking or outcome.state.known != state.known else []
    if asking and outcome.state.asking == state.asking and triage.asking_say(turn.content, state):
        lines.append(say("triage_answer_first"))  # the open question is still to answer
    return _triage_step(turn, outcome, lines, context)


def defer(turn, said):
    """Something else asked for while a red-flag question is open: later. A topic is
    offered again after the plan."""
    if said.topic:
        turn.session["deferred"] = said.topic
    return ask(turn, turn.texts.say("triage_topic_later"))


def _triage_of(turn):
    pending = turn.pending or {}
    state = triage.State.from_dict(pending.get("state"), turn.content)
    found = pending.get("onset")
    valid = isinstance(found, list) and len(found) == 2 and isinstance(found[0], int) and isinstance(found[1], str)
    announced = pending.get("announced") if pending.get("announced") in turn.content.levels else None
    return state, {"after": "plan" if pending.get("after") == "plan" else None, "announced": announced,
                   "onset": found if valid else None}


def _onset_of(turn, said):
    """[start, precision] of the onset `said` names, or None."""
    if not said or not said.onset:
        return None
    result = onset.resolve(turn.content, said.onset, turn.now())
    return [result.start, result.precision] if isinstance(result, care.Episode) else None


def _triage_step(turn, outcome, lines, context):
    say = turn.texts.say
    if isinstance(outcome, triage.Emergency):
        return emergency(turn, outcome.note)
    if outcome.note:
        lines.append(say(outcome.note))
    if isinstance(outcome, triage.Ask):
        turn.expect("triage", state=outcome.state.to_dict(), **context)
        return ask(turn, *lines)
    return _finish_triage(turn, outcome, lines, context)


def emergency(turn, note=None):
    """Tell them to call the emergency number now; a card says it too; the session ends.
    We never offer to call anyone."""
    say = turn.texts.say
    log.info(event="triage", outcome="emergency")
    card = (say("card_emergency_title"), say("card_emergency_text"))
    return close(turn, say(note) if note else None, say("outcome_emergency"), card=card, urgent=True)


def _finish_triage(turn, outcome, lines, context):
    say, level = turn.texts.say, outcome.level
    turn.session["triaged"] = True
    turn.session["net"] = outcome.safety_net
    turn.session["referral"] = level.id if level else None
    log.info(event="triage", outcome=level.id if level else "clear")
    if level is None:
        lines.append(say("triage_clear"))
    elif level.id != context["announced"]:
        lines.append(say(level.say))
    if outcome.safety_net:
        lines.append(say("plan_safety_net"))
    if context["onset"]:
        episode = care.Episode(*context["onset"])
        turn.save_episode(episode)
        lines.append(say("onset_saved", since=speech.since(turn.texts, episode, turn.now())))
        return give_plan(turn, episode, *lines, *followups.move_all(turn, episode))
    episode = turn.episode()
    if context["after"] == "plan" and episode:
        return give_plan(turn, episode, *lines)
    if episode:
        turn.expect("same_episode")
    else:
        turn.expect("onset")
    return ask(turn, *lines)


# --- onset and the plan ----------------------------------------------------------------

def ask_onset(turn, said=None):
    turn.expect("onset")
    return ask(turn)


def take_onset(turn, said):
    """The user said when it started (slots: date, time, duration as spoken or resolved)."""
    say = turn.texts.say
    result = onset.resolve(turn.content, said.onset or {}, turn.now())
    if isinstance(result, care.Episode):
        turn.save_episode(result)
        log.info(event="onset", outcome=result.precision)
        lead = [say("onset_saved", since=speech.since(turn.texts, result, turn.now()))]
        return give_plan(turn, result, *lead, *followups.move_all(turn, result))
    if turn.pending_kind != "onset":
        return not_understood(turn, said)
    if turn.failed_once_more() >= 2:
        return onset_unknown(turn, said, "onset_default_sorry")
    lead = "onset_in_future" if result == onset.FUTURE else "onset_not_understood"
    return ask(turn, say(lead))


def onset_unknown(turn, said=None, lead="onset_default_now"):
    """They can't say when it started: count it as starting now (the most ice)."""
    episode = care.Episode(turn.now_s, "exact")
    turn.save_episode(episode)
    return give_plan(turn, episode, turn.texts.say(lead))


def keep_episode(turn, said=None):
    """Yes, it's the same episode as stored."""
    episode = turn.episode()
    if episode is None:
        return ask_onset(turn)
    return give_plan(turn, episode)


def give_plan(turn, episode, *lead):
    """The short plan for `episode` (what to use now, until when, the movement tip), then
    one question; the full plan goes on the card."""
    lead = [line for line in lead if line]
    now, referral, net = turn.now(), turn.referral, not turn.triaged or turn.session.get("net") is True
    lines = lead + speech.plan(turn.texts, turn.content, episode, now, turn.clock_known, safety_net=net)
    card_text = speech.plan_card(turn.texts, turn.content, episode, now, turn.clock_known, referral, net)
    return followups.offer_reminder_or_tips(turn, *lines, card=(turn.texts.say("card_plan_title"), card_text))


def ice_or_heat(turn, said=None):
    """"Should I use ice or heat?": from the stored start, or ask when it started."""
    episode = turn.episode()
    if episode is None:
        return ask_onset(turn)
    now = turn.now()
    lines = [turn.texts.say("since_started", since=speech.since(turn.texts, episode, now))]
    lines += speech.ice_or_heat(turn.texts, turn.content, episode, now, turn.clock_known, answer_first=True)
    lines += speech.follow_ups(turn.texts, turn.content, episode, now, turn.referral, turn.triaged)
    return followups.offer_reminder_or_tips(turn, *lines, card=(turn.texts.say("card_plan_title"), " ".join(lines)))


# --- advice topics ---------------------------------------------------------------------

def topic(turn, said):
    return give_topic(turn, said.topic)


def deferred_topic(turn, said=None):
    """Yes to "Earlier you asked about X. Would you like to hear about it now?" """
    return give_topic(turn, (turn.pending or {}).get("topic"))


def give_topic(turn, topic_id):
    """One advice topic, then the offer of another."""
    say = turn.texts.say
    if turn.session.get("deferred") == topic_id:
        turn.session["deferred"] = None
    if topic_id not in turn.content.topics:
        turn.expect("more_tips")
        return ask(turn, say("topic_unknown"))
    if topic_id == "ice_heat" and turn.episode():
        return ice_or_heat(turn)
    item = turn.content.topics[topic_id]
    turn.gave_tip(topic_id)
    turn.expect("more_tips")
    if turn.referral and not item.with_referral:
        return ask(turn, say("topic_not_now"))
    return ask(turn, say(item.say))


def next_tip(turn, said=None):
    """The next topic of the walk-through not yet given (and safe for this user)."""
    topic_id = care.upcoming_tip(turn.content, set(turn.tips_given()), turn.referral)
    return give_topic(turn, topic_id) if topic_id else close(turn, turn.texts.say("tips_done"))


# --- check-in and the end of an episode ------------------------------------------------

def answer_check_in(turn, said):
    """Better, the same, or worse, answering our question."""
    return _check_in(turn, said.status, answering=True)


def check_in(turn, said):
    """"My back is better", "it's gone", said out of the blue."""
    if said.status not in care.STATUSES:
        return not_understood(turn, said)
    return _check_in(turn, said.status, answering=False)


def _check_in(turn, status, answering):
    say = turn.texts.say
    if status not in care.STATUSES:
        if turn.failed_once_more() < 2:
            return ask(turn, say("fallback"))
        status = "same"  # asked twice: carry on as if nothing changed, the safe middle
    episode = turn.episode()
    if episode is None:
        if status in ("gone", "better"):
            return close(turn, say("better_no_episode"))
        return start_triage(turn, intro=("sorry_worse",) if status == "worse" else ("sorry_hurts",))
    outcome = care.checkin(turn.content, status, episode, turn.now_s, answering)
    log.info(event="checkin", outcome=outcome)
    if outcome == "end":
        return end_episode(turn)
    turn.checked_in()
    if outcome == "worse":
        return start_triage(turn, intro=("sorry_worse", "checkin_worse"), floor="provider_prompt", after="plan")
    lead = {"better": "checkin_better", "same_early": "checkin_same_early", "same_long": "checkin_same_long"}[outcome]
    now = turn.now()
    lines = [say(lead)] + speech.ice_or_heat(turn.texts, turn.content, episode, now, turn.clock_known,
                                             answer_first=True)
    lines += speech.follow_ups(turn.texts, turn.content, episode, now, turn.referral, turn.triaged,
                               long_said=outcome == "same_long")
    turn.expect("more_tips")
    return ask(turn, *lines, card=(say("card_plan_title"), " ".join(lines[1:])))


def end_episode(turn):
    """The spasm is over: cancel its reminders and forget it."""
    problem, _ = followups.cancel_all(turn)
    turn.end_episode()
    turn.session["referral"] = None
    return close(turn, turn.texts.say("episode_ended"), problem)


# --- data ------------------------------------------------------------------------------

def ask_delete(turn, said=None):
    turn.expect("delete")
    return ask(turn)


def delete_data(turn, said=None):
    say = turn.texts.say
    problem, _ = followups.cancel_all(turn)
    others = turn.others_at_home()
    if turn.delete_everything():
        log.info(event="delete", outcome="deleted")
        return household.after_own_delete(turn, problem, others)
    turn.expect_nothing()
    return ask(turn, say("delete_failed"))


def keep_data(turn, said=None):
    turn.expect_nothing()
    return ask(turn, turn.texts.say("delete_kept"))


# --- built-ins and repair --------------------------------------------------------------

def offer_help(turn, said=None):
    key = "triage_help" if turn.pending_kind == "triage" else "help"
    return ask(turn, turn.texts.say(key))


def not_understood(turn, said=None):
    """We could not use what was said. The first time: sorry, and the question again; the
    second time in a row: two or three things one can say; the third: end politely (a
    red-flag question still open gets the emergency signs said)."""
    say = turn.texts.say
    fails = turn.failed_once_more()
    if fails >= GIVE_UP_AFTER:
        log.info(event="repair", outcome="gave_up")
        return close(turn, say("give_up"), *_safety_net_if_triaging(turn), say("goodbye"))
    if fails == GIVE_UP_AFTER - 1:
        return ask(turn, say("fallback"), suggestion(turn))
    return ask(turn, say("fallback"))


def _safety_net_if_triaging(turn):
    return [turn.texts.say("plan_safety_net")] if turn.pending_kind == "triage" else []


def repeat(turn, said=None):
    """Say the last answer again, then the current question."""
    last = turn.session.get("last")
    spoken = last.get("say") if isinstance(last, dict) else None
    if isinstance(spoken, str) and spoken and len(ssml_text(spoken)) <= REPEAT_MAX_CHARS:
        return ask(turn, spoken)
    return ask(turn, turn.texts.say("nothing_to_repeat"))


def goodbye(turn, said=None):
    """Stop, cancel, home, or no to "anything else?". Mid-triage, the emergency signs are
    said once more."""
    say = turn.texts.say
    lines = _safety_net_if_triaging(turn)
    if turn.pending_kind == "delete":
        lines.insert(0, say("delete_kept"))
    return close(turn, *lines, say("goodbye"))


def error(turn):
    """Something broke while handling the request: apologise and ask again."""
    return ask(turn, turn.texts.say("error"))
