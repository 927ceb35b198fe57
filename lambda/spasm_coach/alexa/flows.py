"""The conversation's moves. Each takes the Turn, asks the rules what to do, and answers
through `turn.respond`. Handlers pick the move; the moves hold no Alexa request parsing.

Every answer that keeps the session open ends with the question for what we now expect
(replies.question), so the reprompt is always the question itself. Reminders have their
own module, followups.
"""

from .. import care, onset, speech, triage
from . import followups, household, log
from .replies import ask, close
from .turn import ssml_text

# The longest answer the skill gives is well under this (as SSML, escaped); a longer "last"
# came from elsewhere, and replaying it could break Alexa's 8,000-character limit.
REPEAT_MAX_CHARS = 2000

# --- opening ---------------------------------------------------------------------------

def welcome(turn):
    """Launch: check in on an open episode, else offer help with a spasm."""
    episode = turn.episode()
    if episode:
        turn.expect("checkin")
        return ask(turn, turn.texts.say("welcome_back", since=speech.since(turn.texts, episode, turn.now())))
    turn.expect("spasm_now")
    return ask(turn, turn.texts.say("welcome"))


def no_spasm_now(turn):
    turn.expect_nothing()
    return ask(turn, turn.texts.say("no_spasm_now"))


def start_over(turn):
    for key in ("pending", "referral", "triaged", "tips", "fails"):
        turn.session.pop(key, None)
    return welcome(turn)


# --- triage ----------------------------------------------------------------------------

def start_triage(turn, *intro, floor=None, after=None):
    """Ask the red-flag questions, after the `intro` message ids. `floor` is an urgency
    already told to the user (not announced again); `after`='plan' skips the onset
    question at the end (we know the episode)."""
    turn.session["triaged"] = False
    lines = [turn.texts.say(m) for m in intro + ("triage_questions",)]
    return _triage_step(turn, triage.start(turn.content, floor), lines, after=after, announced=floor)


def answer_triage(turn, reply):
    """A yes, no or unsure to the current triage question."""
    pending = turn.pending or {}
    outcome = triage.answer(turn.content, triage.State.from_dict(pending, len(turn.content.triage)), reply)
    return _triage_step(turn, outcome, [], after=pending.get("after"), announced=pending.get("announced"))


def volunteered_sign(turn, flag_id):
    """The user told us about a red flag. Emergencies end everything at once; any other
    sign raises the urgency and the triage carries on (or starts) from there."""
    log.info(event="red_flag", outcome=turn.content.red_flags[flag_id].level.id)
    pending = turn.pending if turn.pending_kind == "triage" else None
    state = triage.State.from_dict(pending, len(turn.content.triage)) if pending else None
    outcome = triage.volunteer(turn.content, state, flag_id)
    if isinstance(outcome, triage.Emergency):
        return emergency(turn)
    pending = pending or {"after": "plan" if turn.episode() else None}
    return _triage_step(turn, outcome, [], after=pending.get("after"), announced=pending.get("announced"))


def _triage_step(turn, outcome, lines, after, announced):
    say = turn.texts.say
    if isinstance(outcome, triage.Emergency):
        return emergency(turn, outcome.note)
    if outcome.note:
        lines.append(say(outcome.note))
    if isinstance(outcome, triage.Ask):
        turn.expect("triage", **outcome.state.to_dict(), after=after, announced=announced)
        return ask(turn, *lines)
    return _finish_triage(turn, outcome.level, lines, after, announced)


def emergency(turn, note=None):
    """Tell them to call the emergency number now; a card says it too; the session ends.
    We never offer to call anyone."""
    say = turn.texts.say
    log.info(event="triage", outcome="emergency")
    card = (say("card_emergency_title"), say("card_emergency_text"))
    return close(turn, say(note) if note else None, say("outcome_emergency"), card=card, urgent=True)


def _finish_triage(turn, level, lines, after, announced):
    say = turn.texts.say
    turn.session["triaged"] = True
    turn.session["referral"] = level.id if level else None
    log.info(event="triage", outcome=level.id if level else "clear")
    if level is None:
        lines.append(say("triage_clear"))
    elif level.id != announced:
        lines.append(say(level.say))
    episode = turn.episode()
    if after == "plan" and episode:
        return give_plan(turn, episode, *lines)
    if level is not None:
        lines.append(say("while_you_wait"))
    if episode:
        turn.expect("same_episode")
    else:
        turn.expect("onset")
    return ask(turn, *lines)


# --- onset and the plan ----------------------------------------------------------------

def take_onset(turn, slots):
    """The user said when it started (slots: date, time, duration as spoken or resolved)."""
    say = turn.texts.say
    result = onset.resolve(turn.content, slots, turn.now())
    if isinstance(result, care.Episode):
        turn.save_episode(result)
        log.info(event="onset", outcome=result.precision)
        lead = [say("onset_saved", since=speech.since(turn.texts, result, turn.now()))]
        return give_plan(turn, result, *lead, *followups.move_all(turn, result))
    if turn.pending_kind != "onset":
        return fallback(turn)
    if turn.failed_once_more() >= 2:
        episode = care.Episode(turn.now_s, "exact")
        turn.save_episode(episode)
        return give_plan(turn, episode, say("onset_not_understood"), say("onset_default_now"))
    lead = "onset_in_future" if result == onset.FUTURE else "onset_not_understood"
    return ask(turn, say(lead))


def keep_episode(turn):
    """Yes, it's the same episode as stored."""
    episode = turn.episode()
    if episode is None:
        turn.expect("onset")
        return ask(turn)
    return give_plan(turn, episode)


def give_plan(turn, episode, *lead):
    """The full self-care plan for `episode`, then an offer of more tips."""
    lines = list(lead) + speech.plan(turn.texts, turn.content, episode, turn.now(), turn.clock_known,
                                     referral=turn.referral, triaged=turn.triaged)
    card = (turn.texts.say("card_plan_title"), " ".join(lines[len(lead):]))
    return followups.offer_reminder_or_tips(turn, *lines, card=card)


def ice_or_heat(turn):
    """"Should I use ice or heat?": from the stored start, or ask when it started."""
    episode = turn.episode()
    if episode is None:
        turn.expect("onset")
        return ask(turn)
    now = turn.now()
    lines = [turn.texts.say("since_started", since=speech.since(turn.texts, episode, now))]
    lines += speech.ice_or_heat(turn.texts, turn.content, episode, now, turn.clock_known, answer_first=True)
    lines += speech.follow_ups(turn.texts, turn.content, episode, now, turn.referral, turn.triaged)
    return followups.offer_reminder_or_tips(turn, *lines, card=(turn.texts.say("card_plan_title"), " ".join(lines)))


# --- advice topics ---------------------------------------------------------------------

def topic(turn, topic_id):
    """One advice topic, then the offer of another."""
    say = turn.texts.say
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


def next_tip(turn):
    """The next topic of the walk-through not yet given (and safe for this user)."""
    topic_id = care.upcoming_tip(turn.content, set(turn.tips_given()), turn.referral)
    return topic(turn, topic_id) if topic_id else close(turn, turn.texts.say("tips_done"))


# --- check-in and the end of an episode ------------------------------------------------

def check_in(turn, status):
    """Better, the same, worse, or gone; answering our question or said out of the blue."""
    say = turn.texts.say
    answering = turn.pending_kind == "checkin"
    if status not in care.STATUSES:
        if not answering:
            return fallback(turn)
        if turn.failed_once_more() < 2:
            return ask(turn, say("fallback"))
        status = "same"  # asked twice: carry on as if nothing changed, the safe middle
    episode = turn.episode()
    if episode is None:
        if status in ("gone", "better"):
            return close(turn, say("better_no_episode"))
        return start_triage(turn, "sorry_worse" if status == "worse" else "sorry_hurts")
    outcome = care.checkin(turn.content, status, episode, turn.now_s, answering)
    log.info(event="checkin", outcome=outcome)
    if outcome == "end":
        return end_episode(turn)
    turn.checked_in()
    if outcome == "worse":
        return start_triage(turn, "sorry_worse", "checkin_worse", floor="provider_prompt", after="plan")
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

def ask_delete(turn):
    turn.expect("delete")
    return ask(turn)


def delete_data(turn):
    say = turn.texts.say
    problem, _ = followups.cancel_all(turn)
    others = turn.others_at_home()
    if turn.delete_everything():
        log.info(event="delete", outcome="deleted")
        return household.after_own_delete(turn, problem, others)
    turn.expect_nothing()
    return ask(turn, say("delete_failed"))


def keep_data(turn):
    turn.expect_nothing()
    return ask(turn, turn.texts.say("delete_kept"))


# --- built-ins -------------------------------------------------------------------------

def offer_help(turn):
    key = "triage_help" if turn.pending_kind == "triage" else "help"
    return ask(turn, turn.texts.say(key))


def fallback(turn):
    """We didn't understand: say so, then ask the current question again."""
    turn.failed_once_more()
    return ask(turn, turn.texts.say("fallback"))


def repeat(turn):
    """Say the last answer again, then the current question."""
    last = turn.session.get("last")
    said = last.get("say") if isinstance(last, dict) else None
    if isinstance(said, str) and said and len(ssml_text(said)) <= REPEAT_MAX_CHARS:
        return ask(turn, said)
    return ask(turn, turn.texts.say("nothing_to_repeat"))


def goodbye(turn):
    """Stop, cancel, home. Mid-triage, the emergency signs are said once more."""
    say = turn.texts.say
    lines = [say("plan_safety_net")] if turn.pending_kind == "triage" else []
    if turn.pending_kind == "delete":
        lines.insert(0, say("delete_kept"))
    return close(turn, *lines, say("goodbye"))


def error(turn):
    """Something broke while handling the request: apologise and ask again."""
    return ask(turn, turn.texts.say("error"))
