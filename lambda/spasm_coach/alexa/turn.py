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
Stored record (persistent attributes; only what features need, never symptom answers):
  heard_disclaimer, episode_start, episode_precision, last_checkin,
  reminder_<kind> (the Reminders API's alert token), reminders_declined (this episode)
"""

from datetime import datetime, timezone
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from ask_sdk_model.ui import Card, SimpleCard

from .. import care
from ..storage import StoreUnavailable
from ..storage.adapter import request_time
from . import log, services

TURN_KEY = "turn"
REMINDER_PREFIX = "reminder_"
EPISODE_KEYS = ("episode_start", "episode_precision", "last_checkin", "reminders_declined")
SESSION_KEYS = ("pending", "referral", "triaged", "heard", "tz", "tips", "fails", "last")


class Turn:
    """Per-request context. Built once per request by `TurnInterceptor`."""

    def __init__(self, handler_input, content):
        self.input = handler_input
        self.content = content
        envelope = handler_input.request_envelope
        self.texts = content.texts(getattr(envelope.request, "locale", None) or "en-US")
        self.now_s = request_time(envelope)
        session = handler_input.attributes_manager.session_attributes
        self.session = session if session is not None else {}
        self._record = None
        self._read_failed = False
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

    def failed_once_more(self):
        """Count one more answer to the current question that we could not use."""
        fails = self.session.get("fails")
        self.session["fails"] = (fails if isinstance(fails, int) and fails >= 0 else 0) + 1
        return self.session["fails"]

    @property
    def referral(self):
        referral = self.session.get("referral")
        return referral if referral in self.content.levels else None

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
        return self._record

    def episode(self):
        """The user's current episode, or None (none stored, malformed, or long over)."""
        start, precision = self.record.get("episode_start"), self.record.get("episode_precision")
        if not isinstance(start, int) or isinstance(start, bool) or not isinstance(precision, str):
            return None
        episode = care.Episode(start, precision)
        return None if care.is_stale(self.content, episode, self.now_s) else episode

    def save_episode(self, episode):
        self.record.update(episode_start=episode.start, episode_precision=episode.precision)

    def end_episode(self):
        """Forget the episode and everything that belongs to it (reminders included: the
        caller cancels them with the Reminders API first)."""
        for key in list(self.record):
            if key in EPISODE_KEYS or key.startswith(REMINDER_PREFIX):
                self.record.pop(key, None)

    def reminder_tokens(self):
        """{kind: alert token} of the reminders set for this episode."""
        return {key[len(REMINDER_PREFIX):]: token for key, token in self.record.items()
                if key.startswith(REMINDER_PREFIX) and isinstance(token, str)}

    def save_reminder(self, kind, token):
        self.record[REMINDER_PREFIX + kind] = token

    def forget_reminder(self, kind):
        self.record.pop(REMINDER_PREFIX + kind, None)

    @property
    def reminders_declined(self):
        return self.record.get("reminders_declined") is True

    def decline_reminders(self):
        self.record["reminders_declined"] = True

    def checked_in(self):
        self.record["last_checkin"] = self.now_s

    def delete_everything(self):
        """Delete the stored record. True when it worked."""
        try:
            self.input.attributes_manager.delete_persistent_attributes()
        except StoreUnavailable as error:
            log.warning(event="store", operation="delete", status="failed", error=str(error)[:60])
            return False
        self._record = {}
        self.session["heard"] = True  # they heard it this session; don't re-read to check
        return True

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
        builder = self.input.response_builder.speak(escape(spoken))
        if reply.card:
            builder.set_card(reply.card if isinstance(reply.card, Card)
                             else SimpleCard(title=reply.card[0], content=reply.card[1]))
        if directive is not None:
            builder.add_directive(directive)
        elif reply.ask and not reply.end:
            builder.ask(escape(reply.reprompt or reply.ask))
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
        self.record["heard_disclaimer"] = True
        return self.texts.say("disclaimer")

    def _save(self):
        if self._record is None:
            return
        record = self._record
        loaded = getattr(record, "loaded", None)
        if loaded is not None and loaded == dict(record):
            return
        if self._read_failed and not _user_visible_change({}, record):
            return  # the store just failed us; don't spend more of the turn on a flag
        try:
            self.input.attributes_manager.save_persistent_attributes()
        except StoreUnavailable as error:
            log.warning(event="store", operation="write", status="failed", error=str(error)[:60])
            if _user_visible_change(loaded or {}, record):
                self._notice("storage_unsaved")


def _user_visible_change(before, after):
    """Whether a failed save loses something the user would miss (not just the
    disclaimer flag)."""
    keys = (set(before) | set(after)) - {"heard_disclaimer"}
    return any(before.get(k) != after.get(k) for k in keys)
