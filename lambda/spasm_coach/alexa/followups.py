"""Follow-up reminders in the conversation: offering them after the plan, setting them
(asking for the permission first when needed), listing, cancelling, and keeping them in
step with the episode (moved when its start changes, cancelled when it ends)."""

from .. import care, reminders, speech
from ..speech import Reply
from . import log, services
from . import reminders as reminders_api
from .replies import ask
from .turn import REMINDER_PREFIX

def offer_reminder_or_tips(turn, *lines, card=None, skip=()):
    """End an answer about the plan with one question: the topic the user asked about
    during the red-flag questions, else the next reminder worth offering, else more tips.
    A reminder is never offered after a no in this episode, without Alexa API access in
    the request, when it failed this session, or for the kinds in `skip` (just set)."""
    deferred = turn.session.get("deferred")
    kind = _next_offer(turn, skip)
    if deferred in turn.content.topics:
        turn.expect("topic_offer", topic=deferred)
    elif kind:
        turn.expect("reminder_offer", reminder=kind.id)
    else:
        turn.expect("more_tips")
    return ask(turn, *lines, card=card)


def _failed(turn):
    failed = turn.session.get("failed")
    return [kind for kind in failed if isinstance(kind, str)] if isinstance(failed, list) else []


def _next_offer(turn, skip):
    episode = turn.episode()
    if episode is None or turn.reminders_declined or services.client_factory(turn.input) is None:
        return None
    taken = set(turn.reminder_tokens()) | set(skip) | set(_failed(turn))
    kinds = reminders.offers(turn.content, episode, turn.now_s, taken, turn.zone())
    return kinds[0] if kinds else None


def remind(turn, said):
    """"Remind me to switch to heat", "remind me to check in"."""
    return set_reminder(turn, said.reminder)


def accept_reminder(turn, said=None):
    """Yes to the reminder we offered."""
    return set_reminder(turn, (turn.pending or {}).get("reminder"))


def decline_reminder(turn, said=None):
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
    if not isinstance(kind_id, str) or kind_id not in turn.content.reminder_kinds:
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
        turn.session["failed"] = _failed(turn) + [kind.id]
        return offer_reminder_or_tips(turn, say("reminder_not_set"))
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


def list_reminders(turn, said=None):
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


def cancel_reminders(turn, said=None):
    problem, count = cancel_all(turn)
    turn.expect_nothing()
    return ask(turn, problem or turn.texts.say("reminders_cancelled" if count else "reminders_none"))


def cancel_all(turn):
    """Delete the user's reminders from this skill with the Reminders API and forget their
    tokens: those recorded for the episode, and any the record does not know (set by a
    call whose answer was lost, or by another device at the same moment), found by
    listing the skill's reminders. (A spoken line when some could not be deleted, else
    None; how many there were.)"""
    tracked = turn.reminder_tokens()
    theirs = {token for view in turn.others_at_home().values() for token in others_tokens(view)}
    try:
        untracked = sorted(reminders_api.existing_tokens(turn.input) - set(tracked.values()) - theirs)
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


def others_tokens(attributes):
    """The alert tokens of the reminders in another person's stored `attributes` (the
    Reminders API lists the whole account's: those are theirs, not the speaker's)."""
    return [token for key, token in attributes.items() if key.startswith(REMINDER_PREFIX) and isinstance(token, str)]


def move_all(turn, episode):
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
