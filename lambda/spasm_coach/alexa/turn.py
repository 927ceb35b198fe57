"""One turn of the conversation: what the handlers need to know about the request, the
session and the stored record, and the single way out (`respond`).

Session attributes (travel with the session, never stored):
  pending   what we just asked, e.g. {"kind": "triage", "step": 1, "level": null, ...}
  referral  the most urgent provider level found by triage this session, if any
  triaged   whether the red-flag questions were completed this session
  heard     the user is known to have heard the disclaimer (saves a read)
  tz        the device's time zone, "" when the Settings API could not tell
  tips      advice topics already given this session
  fails     how often in a row we did not understand an answer to `pending`
  last      the last answer, for "repeat that"
  same      {"text": the last open answer, "n": how often in a row it was given}
  net       an emergency sign stayed unsure in triage: the plan says the emergency signs
  deferred  a topic asked about during the red-flag questions, offered after the plan
  failed    reminder kinds that could not be set this session (not offered again)
Stored record (persistent attributes; only what features need, never symptom answers):
  heard_disclaimer, episode_start, episode_precision, last_checkin,
  reminder_<kind> (the Reminders API's alert token), reminders_declined (this episode)

Two devices (or sessions) of one user can change the record at the same moment. A turn
reads it at most once, changes it through the methods below, which also note each change
as an operation, and saves it at the end with a write that only succeeds if nobody wrote
in between. If somebody did, the turn replays its operations on what the other device
left (`_replay`, on the record the failed write handed back): its own changes are kept,
the other device's too, and a reminder that would otherwise go off untracked (set for an
episode another device just ended, or a duplicate) is cancelled. A write is never carried
out twice: when its answer was lost and it is sent again (by botocore, or as the replay),
the store finds this turn's request id in the record and the adapter stops there
(storage/adapter.py, "Idempotent writes").
"""

import re
from datetime import datetime, timezone

from ask_sdk_model.ui import Card, SimpleCard

from .. import care
from ..storage import StoreUnavailable
from ..storage.adapter import Conflict, request_time
from . import log, screens, services
from . import reminders as reminders_api

TURN_KEY = "turn"
REMINDER_PREFIX = "reminder_"
EPISODE_KEYS = ("episode_start", "episode_precision", "last_checkin", "reminders_declined")
SESSION_KEYS = ("pending", "referral", "triaged", "heard", "tz", "tips", "fails", "last", "same", "net",
                "deferred", "failed")
SAVE_ATTEMPTS = 3  # a write, and up to two replay rounds when another device wrote


class Turn:
    """Per-request context. Built once per request by `TurnInterceptor`."""

    def __init__(self, handler_input, content, adapter=None):
        self.input = handler_input
        self.content = content
        self.adapter = adapter  # the persistence adapter, for conditional saves and deletes
        envelope = handler_input.request_envelope
        self.texts = content.texts(getattr(envelope.request, "locale", None) or "en-US")
        self.now_s = request_time(envelope)
        # Requests outside a session (skill events, reminder events) have no attributes.
        session = handler_input.attributes_manager.session_attributes if envelope.session else None
        self.session = session if isinstance(session, dict) else {}
        self._record = None
        self._base = {}          # the record as read, before this turn changed it
        self._ops = []           # this turn's changes to the record, in order, for _replay
        self._cancelled = set()  # reminder tokens cancelled while reconciling
        self._read_failed = False
        self._deleted = False
        self._notices = []

    @classmethod
    def of(cls, handler_input):
        return handler_input.attributes_manager.request_attributes[TURN_KEY]

    # --- time --------------------------------------------------------------------------

    def zone(self):
        """The device's time zone (Settings API, asked once a session), or None."""
        if "tz" not in self.session:
            self.session["tz"] = services.device_time_zone(self.input) or ""
        name = self.session["tz"]
        from zoneinfo import ZoneInfo  # here, not at import: a launch never needs it
        try:
            return ZoneInfo(name) if isinstance(name, str) and name else None
        except (ValueError, KeyError, OSError):
            return None

    def zone_name(self):
        """The device's IANA zone name when known and valid, else None."""
        return self.session["tz"] if self.zone() is not None else None

    def now(self):
        """Now (the request's timestamp) in the user's zone, UTC when we don't know it."""
        return datetime.fromtimestamp(self.now_s, self.zone() or timezone.utc)

    @property
    def clock_known(self):
        return self.zone() is not None

    # --- session -----------------------------------------------------------------------

    @property
    def pending(self):
        pending = self.session.get("pending")
        return pending if isinstance(pending, dict) and isinstance(pending.get("kind"), str) else None

    @property
    def pending_kind(self):
        return self.pending["kind"] if self.pending else None

    def expect(self, kind, **data):
        """Remember what we are asking, so the next answer is read in its light."""
        if kind != self.pending_kind:
            self.session["fails"] = 0
        self.session["pending"] = {"kind": kind, **data}

    def expect_nothing(self):
        self.session["pending"] = None
        self.session["fails"] = 0

    def understood(self):
        """The answer to `pending` was usable: the misunderstandings in a row start over."""
        self.session["fails"] = 0

    def failed_once_more(self):
        """Count one more answer to the current question that we could not use."""
        fails = self.session.get("fails")
        self.session["fails"] = (fails if isinstance(fails, int) and fails >= 0 else 0) + 1
        return self.session["fails"]

    @property
    def referral(self):
        referral = self.session.get("referral")
        return referral if isinstance(referral, str) and referral in self.content.levels else None

    @property
    def triaged(self):
        return self.session.get("triaged") is True

    def tips_given(self):
        tips = self.session.get("tips")
        return [t for t in tips if isinstance(t, str)] if isinstance(tips, list) else []

    def gave_tip(self, topic_id):
        self.session["tips"] = self.tips_given() + [topic_id]

    # --- stored record -----------------------------------------------------------------

    @property
    def record(self):
        """The user's stored attributes; {} (and a spoken notice) when the store fails."""
        if self._record is None:
            manager = self.input.attributes_manager
            try:
                self._record = manager.persistent_attributes
            except StoreUnavailable as error:
                log.warning(event="store", operation="read", status="failed", error=str(error)[:60])
                self._notice("storage_unreadable")
                self._read_failed = True
                manager.persistent_attributes = {}
                self._record = manager.persistent_attributes
            self._base = dict(self._record)
        return self._record

    def episode(self):
        """The user's current episode, or None (none stored, malformed, or long over)."""
        start, precision = self.record.get("episode_start"), self.record.get("episode_precision")
        if not isinstance(start, int) or isinstance(start, bool) or not isinstance(precision, str):
            return None
        if not 0 < start <= self.now_s + 86400:
            return None  # not a start this skill could have stored
        episode = care.Episode(start, precision)
        return None if care.is_stale(self.content, episode, self.now_s) else episode

    def save_episode(self, episode):
        self._change("episode", episode.start, episode.precision)

    def end_episode(self):
        """Forget the episode and everything that belongs to it (reminders included: the
        caller cancels them with the Reminders API first)."""
        self._change("end_episode")

    def reminder_tokens(self):
        """{kind: alert token} of the reminders set for this episode."""
        return {key[len(REMINDER_PREFIX):]: token for key, token in self.record.items()
                if key.startswith(REMINDER_PREFIX) and isinstance(token, str)}

    def others_at_home(self):
        """{whose: attributes} of the others in the home with data stored (the account's
        own included, for a recognised speaker): see storage/adapter.py."""
        return getattr(self.record, "others", None) or {}

    def save_reminder(self, kind, token):
        self._change("reminder", kind, token)

    def forget_reminder(self, kind):
        self._change("forget_reminder", kind, self.record.get(REMINDER_PREFIX + kind))

    @property
    def reminders_declined(self):
        return self.record.get("reminders_declined") is True

    def decline_reminders(self):
        self._change("declined")

    def checked_in(self):
        self._change("checkin", self.now_s)

    def _change(self, *operation):
        self._ops.append(operation)
        _apply(operation, self.record)

    def delete_everything(self):
        """Delete the stored record, and any reminder another device set meanwhile. True
        when it worked."""
        envelope, record = self.input.request_envelope, self.record
        try:
            for _ in range(SAVE_ATTEMPTS):
                try:
                    self.adapter.delete_attributes(envelope, record)
                    break
                except Conflict as conflict:
                    record = conflict.fresh
                    self._cancel([(key, token) for key, token in _reminders(record).items()
                                  if token != self._base.get(key)], keep_in=None)
            else:
                raise StoreUnavailable("the record kept changing")
        except StoreUnavailable as error:
            log.warning(event="store", operation="delete", status="failed", error=str(error)[:60])
            return False
        self.forget_stored()
        return True

    def forget_stored(self):
        """The record is gone (deleted this turn): nothing to save, nothing left to read."""
        self._record, self._deleted = {}, True
        self.session["heard"] = True  # they heard it this session; don't re-read to check

    def _notice(self, message_id):
        if message_id not in self._notices:
            self._notices.append(message_id)

    # --- the way out -------------------------------------------------------------------

    def respond(self, reply, urgent=False, directive=None):
        """Turn a speech.Reply into the Alexa response: first-use disclaimer, save what
        changed, storage notices, SSML-escaped speech, reprompt, card, and memory for
        "repeat". With a `directive` that hands the conversation to Alexa (asking for a
        permission), there is no reprompt and Alexa decides when the session ends."""
        lines = list(reply.say)
        disclaimer = self._disclaimer_due()
        if disclaimer:
            lines = lines + [disclaimer] if urgent else [disclaimer] + lines
        self._save()
        lines += [self.texts.say(n) for n in self._notices]
        spoken = " ".join(lines + ([reply.ask] if reply.ask else []))
        for key in [k for k in self.session if k not in SESSION_KEYS]:
            del self.session[key]  # only our own state travels back to Alexa
        builder = self.input.response_builder.speak(ssml_text(spoken))
        if reply.card:
            builder.set_card(reply.card if isinstance(reply.card, Card)
                             else SimpleCard(title=reply.card[0], content=reply.card[1]))
        screen = screens.directive(self, reply) if directive is None else None
        if screen is not None:
            builder.add_directive(screen)
        if directive is not None:
            builder.add_directive(directive)
        elif reply.ask and not reply.end:
            builder.ask(ssml_text(reply.reprompt or reply.ask))
            builder.set_should_end_session(False)
        else:
            self.expect_nothing()
            builder.set_should_end_session(True)
        self.session["last"] = {"say": " ".join(lines)}
        return builder.response

    def _disclaimer_due(self):
        if self.session.get("heard") is True:
            return None
        self.session["heard"] = True
        if self.record.get("heard_disclaimer") is True:
            return None
        self._change("heard")
        return self.texts.say("disclaimer")

    def _save(self):
        if self._record is None or self._deleted:
            return
        if self._read_failed and not self._changed_what_the_user_said():
            return  # the store just failed us; don't spend more of the turn on a flag
        envelope, record = self.input.request_envelope, self._record
        try:
            for _ in range(SAVE_ATTEMPTS):
                try:
                    self.adapter.save_attributes(envelope, record)
                    return
                except Conflict as conflict:
                    log.info(event="store", operation="write", status="conflict")
                    record = self._replay(conflict.fresh)
            raise StoreUnavailable("the record kept changing")
        except StoreUnavailable as error:
            log.warning(event="store", operation="write", status="failed", error=str(error)[:60])
            if self._changed_what_the_user_said():
                self._notice("storage_unsaved")

    def _changed_what_the_user_said(self):
        """Whether this turn changed something the user would miss if it were not saved
        (anything but the disclaimer flag)."""
        return any(operation[0] != "heard" for operation in self._ops)

    def _replay(self, fresh):
        """This turn's changes re-applied to `fresh`, the record as another device left
        it. Reminders that nobody would track any more are cancelled."""
        orphans = []
        start = self._base.get("episode_start")
        for operation in self._ops:
            start = _apply(operation, fresh, replay=(start, self._base, orphans))
        self._cancel(orphans, keep_in=fresh)
        self._record = fresh
        self.input.attributes_manager.persistent_attributes = fresh
        return fresh

    def _cancel(self, reminders, keep_in):
        """Cancel these (record key, alert token) reminders with the Reminders API. One
        that cannot be cancelled is kept in the record `keep_in` when its place there is
        free, so "cancel my reminders" can still reach it; else it is logged."""
        for key, token in reminders:
            if token in self._cancelled:
                continue
            try:
                reminders_api.delete(self.input, token)
                self._cancelled.add(token)
                log.info(event="reminder", operation="reconcile", outcome="cancelled")
            except (reminders_api.NoPermission, reminders_api.Unavailable):
                if keep_in is not None and key not in keep_in:
                    keep_in[key] = token
                else:
                    log.warning(event="reminder", operation="reconcile", status="untracked")


# Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/F):
# escaping cannot save them. Written as the forbidden set rather than the complement of
# the allowed one, which takes 5 ms of the cold start to compile.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def ssml_text(text):
    """`text` made safe to put inside <speak>: markup escaped, characters XML forbids
    dropped. Everything the skill says goes through here, so nothing a user sent (slot
    values, session state sent back) can add SSML or break it."""
    return _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reminders(record):
    """{record key: alert token} of the reminders in `record`."""
    return {key: token for key, token in record.items()
            if key.startswith(REMINDER_PREFIX) and isinstance(token, str)}


def _apply(operation, record, replay=None):
    """Apply one of a turn's operations to `record`; the episode start the next operation
    belongs to.

    When replaying on a newer record another device wrote, `replay` is (the episode start
    this operation was made for, the record as the turn read it, a list collecting
    reminders to cancel). Then the other device's changes are respected: changes made for
    an episode that has since ended or been replaced are dropped, a reminder set for such
    an episode or duplicating one the other device set is handed over to be cancelled, and
    ending the episode also ends the reminders set meanwhile."""
    kind, *args = operation
    start, base, orphans = replay or (None, None, None)
    if kind == "heard":
        record["heard_disclaimer"] = True
    elif kind == "episode":
        start = args[0]
        record.update(episode_start=args[0], episode_precision=args[1])
    elif kind == "end_episode":
        start = None
        for key in list(record):
            if replay and key.startswith(REMINDER_PREFIX) and record[key] != base.get(key):
                orphans.append((key, record[key]))
            if key in EPISODE_KEYS or key.startswith(REMINDER_PREFIX):
                del record[key]
    elif kind == "forget_reminder":
        key = REMINDER_PREFIX + args[0]
        if not replay or record.get(key) == args[1]:
            record.pop(key, None)
    elif replay and (start is None or record.get("episode_start") != start):
        if kind == "reminder":  # set for an episode that is over: it must not go off
            orphans.append((REMINDER_PREFIX + args[0], args[1]))
    elif kind == "reminder":
        key, token = REMINDER_PREFIX + args[0], args[1]
        theirs = record.get(key)
        if replay and isinstance(theirs, str) and theirs not in (token, base.get(key)):
            orphans.append((key, token))  # the other device set this reminder meanwhile
        else:
            record[key] = token
    elif kind == "declined":
        record["reminders_declined"] = True
    elif kind == "checkin":
        record["last_checkin"] = args[0]
    return start
