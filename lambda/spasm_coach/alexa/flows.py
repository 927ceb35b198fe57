"""The conversation's moves. Each takes the Turn, asks the rules what to do, and answers
through `turn.respond`. Handlers pick the move; the moves hold no Alexa request parsing.

Every answer that keeps the session open ends with the question for what we now expect
(`_question`), so the reprompt is always the question itself.
"""

from .. import care, onset, reminders, speech, triage
from ..speech import Reply
from . import log, services
from . import reminders as reminders_api

# What we ask while expecting each kind of answer: (question, reprompt) message ids.
QUESTIONS = {
    "spasm_now": ("ask_spasm_now", "reprompt_spasm_now"),
    "onset": ("ask_onset", "reprompt_onset"),
    "more_tips": ("ask_more_tips", "reprompt_more_tips"),
    "checkin": ("ask_checkin", "reprompt_checkin"),
    "delete": ("ask_delete", "reprompt_delete"),
    None: ("ask_what_next", "reprompt_what_next"),
}


def _question(turn):
    """The question for what `turn` now expects, and its reprompt."""
    say, pending = turn.texts.say, turn.pending
    kind = turn.pending_kind
    if kind == "triage":
        state = triage.State.from_dict(pending, len(turn.content.triage))
        text = say(turn.content.triage[state.step].say)
        return text, f"{say('reprompt_yes_no')} {text}"
    if kind == "same_episode":
        episode = turn.episode()
        if episode is None:
            turn.expect("onset")
            return _question(turn)
        text = say("ask_same_episode", since=speech.since(turn.texts, episode, turn.now()))
        return text, f"{text} {say('reprompt_yes_no')}"
    if kind == "more_tips" and turn.tips_given():
        return say("ask_another_tip"), say("reprompt_another_tip")
    if kind == "reminder_offer" and pending.get("reminder") in turn.content.reminder_kinds:
        return say(turn.content.reminder_kinds[pending["reminder"]].offer), say("reprompt_reminder_offer")
    if kind not in QUESTIONS:
        turn.expect_nothing()
        kind = None
    ask, reprompt = QUESTIONS[kind]
    return say(ask), say(reprompt)


def ask(turn, *lines, card=None):
    """Say `lines`, then ask the question for what the turn now expects."""
    reply = Reply(card=card).add(*lines)
    return turn.respond(reply.question(*_question(turn)))


def close(turn, *lines, card=None, urgent=False):
    """Say `lines` and end the session."""
    return turn.respond(Reply(card=card).add(*lines).close(), urgent=urgent)


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
        return give_plan(turn, result, *lead, *_move_reminders(turn, result))
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
    return offer_reminder_or_tips(turn, *lines, card=card)


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
    return offer_reminder_or_tips(turn, *lines, card=(turn.texts.say("card_plan_title"), " ".join(lines)))


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
    given = set(turn.tips_given())
    for topic_id in turn.content.walk_through:
        if topic_id in given:
            continue
        if turn.referral and not turn.content.topics[topic_id].with_referral:
            continue
        return topic(turn, topic_id)
    return close(turn, turn.texts.say("tips_done"))


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
    problem, _ = _cancel_reminders(turn)
    turn.end_episode()
    turn.session["referral"] = None
    return close(turn, turn.texts.say("episode_ended"), problem)


# --- data ------------------------------------------------------------------------------

def ask_delete(turn):
    turn.expect("delete")
    return ask(turn)


def delete_data(turn):
    say = turn.texts.say
    problem, _ = _cancel_reminders(turn)
    if turn.delete_everything():
        log.info(event="delete", outcome="deleted")
        return close(turn, problem, say("deleted"))
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
    if isinstance(said, str) and said:
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


# --- reminders -------------------------------------------------------------------------

def offer_reminder_or_tips(turn, *lines, card=None, skip=()):
    """End an answer about the plan with the next reminder worth offering, else the offer
    of more tips. Never offered: after a no in this episode, without Alexa API access in
    the request, or the kinds in `skip` (just set, or just failed)."""
    kind = _next_offer(turn, skip)
    if kind:
        turn.expect("reminder_offer", reminder=kind.id)
    else:
        turn.expect("more_tips")
    return ask(turn, *lines, card=card)


def _next_offer(turn, skip):
    episode = turn.episode()
    if episode is None or turn.reminders_declined or services.client_factory(turn.input) is None:
        return None
    taken = set(turn.reminder_tokens()) | set(skip)
    kinds = reminders.offers(turn.content, episode, turn.now_s, taken, turn.zone())
    return kinds[0] if kinds else None


def decline_reminder(turn):
    turn.decline_reminders()
    turn.expect("more_tips")
    return ask(turn, turn.texts.say("reminder_skipped"))


def set_reminder(turn, kind_id=None):
    """Set a reminder of `kind_id` (default: heat while it is still ice time, else the
    check-in), confirm its day and time, then offer what comes next."""
    say = turn.texts.say
    episode = turn.episode()
    if episode is None:
        turn.expect("onset")
        return ask(turn, say("reminder_needs_episode"))
    if kind_id not in turn.content.reminder_kinds:
        kind_id = "heat" if care.phase(turn.content, episode, turn.now_s).use_ice else "checkin"
    kind = turn.content.reminder_kinds[kind_id]
    at = reminders.moment(turn.content, kind, episode, turn.zone())
    if at <= turn.now_s:
        return offer_reminder_or_tips(turn, say(kind.too_late), skip=(kind.id,))
    request = reminders_api.build_request(say(kind.say), turn.texts.locale, at, turn.now_s, turn.zone_name())
    try:
        token = turn.reminder_tokens().get(kind.id)
        if token:
            try:
                reminders_api.update(turn.input, token, request)
            except reminders_api.Gone:
                token = None
        if not token:
            token = reminders_api.create(turn.input, request)
    except reminders_api.NoPermission:
        return ask_reminder_permission(turn, kind.id)
    except reminders_api.Unavailable:
        return offer_reminder_or_tips(turn, say("reminder_not_set"), skip=(kind.id,))
    turn.save_reminder(kind.id, token)
    log.info(event="reminder", outcome=kind.id)
    spoken, card = _when(turn, kind, at)
    return offer_reminder_or_tips(turn, spoken, card=(say("reminder_card_title"), card))


def _when(turn, kind, at):
    """('I'll remind you ... at 3 PM on Friday', the card's text) for a reminder."""
    say, what = turn.texts.say, turn.texts.say(kind.what)
    if turn.clock_known:
        clock = speech.clock(turn.texts, at, turn.now())
        return say("reminder_set", what=what, clock=clock), say("reminder_card_text", what=what, clock=clock)
    duration = speech.time_left(turn.texts, at - turn.now_s)
    return (say("reminder_set_relative", what=what, duration=duration),
            say("reminder_card_text_relative", what=what, duration=duration))


def ask_reminder_permission(turn, kind_id):
    """Ask for the reminders permission by voice; Alexa asks, and answers us with a
    Connections.Response carrying `token`."""
    from ask_sdk_model.interfaces.connections import SendRequestDirective
    directive = SendRequestDirective(name="AskFor", token=f"reminder:{kind_id}", payload={
        "@type": "AskForPermissionsConsentRequest", "@version": "1",
        "permissionScope": reminders_api.SCOPE})
    turn.expect("reminder_consent", reminder=kind_id)
    return turn.respond(Reply(say=[turn.texts.say("reminder_permission_why")]), directive=directive)


def permission_answer(turn, kind_id, outcome):
    """Alexa's answer to our permission request: 'ACCEPTED', 'DENIED', or anything else
    (not answered, or voice consent not possible: then a consent card)."""
    say = turn.texts.say
    log.info(event="reminder_permission", outcome=str(outcome)[:20])
    if outcome == "ACCEPTED":
        return set_reminder(turn, kind_id)
    turn.expect("more_tips")
    if outcome == "DENIED":
        turn.decline_reminders()
        return ask(turn, say("reminder_permission_denied"))
    from ask_sdk_model.ui import AskForPermissionsConsentCard
    return ask(turn, say("reminder_permission_card"),
               card=AskForPermissionsConsentCard(permissions=[reminders_api.SCOPE]))


def list_reminders(turn):
    """The reminders still set, checked with the Reminders API (a reminder the user
    deleted in the Alexa app is forgotten here too)."""
    say = turn.texts.say
    tokens, episode = turn.reminder_tokens(), turn.episode()
    if not tokens or episode is None:
        return ask(turn, say("reminders_none"))
    try:
        alive = reminders_api.existing_tokens(turn.input)
    except reminders_api.NoPermission:
        alive = set()
    except reminders_api.Unavailable:
        return ask(turn, say("reminders_unreachable"))
    upcoming = []
    for kind_id, token in tokens.items():
        kind = turn.content.reminder_kinds.get(kind_id)
        if token not in alive or kind is None:
            turn.forget_reminder(kind_id)
            continue
        upcoming.append((reminders.moment(turn.content, kind, episode, turn.zone()), kind))
    lines = []
    for at, kind in sorted(upcoming, key=lambda item: item[0]):
        what = say(kind.what)
        if turn.clock_known:
            lines.append(say("reminders_listed", what=what, clock=speech.clock(turn.texts, at, turn.now())))
        else:
            lines.append(say("reminders_listed_relative", what=what, duration=speech.time_left(turn.texts, at - turn.now_s)))
    return ask(turn, *(lines or [say("reminders_none")]))


def cancel_reminders(turn):
    problem, count = _cancel_reminders(turn)
    turn.expect_nothing()
    return ask(turn, problem or turn.texts.say("reminders_cancelled" if count else "reminders_none"))


def _cancel_reminders(turn):
    """Delete the user's reminders from this skill with the Reminders API and forget their
    tokens: those recorded for the episode, and any the record does not know (set by a
    call whose answer was lost, or by another device at the same moment), found by
    listing the skill's reminders. (A spoken line when some could not be deleted, else
    None; how many there were.)"""
    tracked = turn.reminder_tokens()
    try:
        untracked = sorted(reminders_api.existing_tokens(turn.input) - set(tracked.values()))
    except (reminders_api.NoPermission, reminders_api.Unavailable):
        untracked = []
    failed = False
    for kind_id, token in tracked.items():
        try:
            reminders_api.delete(turn.input, token)
        except (reminders_api.NoPermission, reminders_api.Unavailable):
            failed = True
        turn.forget_reminder(kind_id)
    for token in untracked:
        try:
            reminders_api.delete(turn.input, token)
            log.info(event="reminder", operation="delete", outcome="untracked")
        except (reminders_api.NoPermission, reminders_api.Unavailable):
            failed = True
    problem = turn.texts.say("reminders_not_cancelled") if failed else None
    return problem, len(tracked) + len(untracked)


def _move_reminders(turn, episode):
    """After the start changed: move each reminder to its new time (or cancel it if that
    time has passed). Spoken lines saying what happened."""
    tokens = turn.reminder_tokens()
    if not tokens:
        return []
    failed = False
    for kind_id, token in tokens.items():
        kind = turn.content.reminder_kinds.get(kind_id)
        at = reminders.moment(turn.content, kind, episode, turn.zone()) if kind else 0
        try:
            if at > turn.now_s:
                request = reminders_api.build_request(turn.texts.say(kind.say), turn.texts.locale, at,
                                                      turn.now_s, turn.zone_name())
                reminders_api.update(turn.input, token, request)
                continue
            reminders_api.delete(turn.input, token)
        except reminders_api.Gone:
            pass
        except (reminders_api.NoPermission, reminders_api.Unavailable):
            failed = True
            continue
        turn.forget_reminder(kind_id)
    return [turn.texts.say("reminders_not_moved" if failed else "reminders_moved")]
