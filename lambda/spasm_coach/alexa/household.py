"""Each person in the home: when "delete my data" leaves others' data on the account,
offer to delete everything for the account too.

The record a turn sees is the speaker's (storage/adapter.py: a recognised person's own, else
the account's). After the speaker's own data is deleted and others in the home still have
theirs, the skill asks "Should I delete everything for this account?"; a yes cancels every
reminder the skill set on the account and deletes the whole item.
"""

from ..storage import StoreUnavailable
from . import log
from . import reminders as reminders_api
from .followups import others_tokens
from .replies import ask, close

PENDING = "delete_home"


def after_own_delete(turn, problem, others):
    """The speaker's data is deleted. With `others` in the home, ask about theirs."""
    say = turn.texts.say
    if not others:
        return close(turn, problem, say("deleted"))
    turn.expect(PENDING)
    return ask(turn, problem, say("deleted_yours"))


def delete_home(turn, said=None):
    """Delete everything for the account: every reminder the skill set there (tracked in
    anyone's record, or only listed by the Reminders API) and the whole stored item."""
    say = turn.texts.say
    tokens = {token for view in turn.others_at_home().values() for token in others_tokens(view)}
    tokens |= set(turn.reminder_tokens().values())
    try:
        tokens |= reminders_api.existing_tokens(turn.input)
    except (reminders_api.NoPermission, reminders_api.Unavailable):
        pass
    failed = False
    for token in sorted(tokens):
        try:
            reminders_api.delete(turn.input, token)
        except (reminders_api.NoPermission, reminders_api.Unavailable):
            failed = True
    try:
        turn.adapter.delete_account(turn.input.request_envelope)
    except StoreUnavailable as error:
        log.warning(event="store", operation="delete_home", status="failed", error=str(error)[:60])
        turn.expect_nothing()
        return ask(turn, say("delete_failed"))
    log.info(event="delete", outcome="deleted_home")
    turn.forget_stored()
    return close(turn, say("reminders_not_cancelled") if failed else None, say("deleted_home"))


def keep_home(turn, said=None):
    turn.expect_nothing()
    return close(turn, turn.texts.say("delete_home_kept"))
